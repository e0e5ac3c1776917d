/**
 * Request-window panel: exactly what each model call saw.
 *   - context strata chart of the active thread (make-up of every window, token usage, compactions);
 *   - the lifetime of the selected conversation item (which windows carried it);
 *   - a table of every inference call and compaction request (sort, filter);
 *   - the focused request: its window, diff against the previous request, response, raw payloads.
 * Selecting anything anywhere moves the panel to the matching request
 * (src/trace/windows/focus.ts); clicking here selects through the store.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { selectItemLifetime, useStore } from '../../store';
import type { ObjectRef } from '../../trace/indexes/refs';
import { shortItemId } from '../../trace/indexes/resolve';
import { getWindowAnalysis } from '../../trace/windows/analysis';
import { focusForSelection, threadOfRequest, type RequestRef } from '../../trace/windows/focus';
import { Splitter } from '../../ui/Splitter';
import { RefLink } from '../../ui/RefLink';
import { ThreadSwitcher } from '../shared/ThreadSwitcher';
import { CallsTable } from './CallsTable';
import { CompactionRequestDetail } from './CompactionRequestDetail';
import { InferenceDetail, type RequestTab } from './InferenceDetail';
import { ITEM_ROW_H } from './ItemLine';
import { kindLabel } from './itemText';
import { STRATA, STRATUM_SHORT } from '../../trace/windows/sizes';
import { buildRows, type RequestRow } from './rows';
import { StrataChart, type ChartXMode } from './StrataChart';
import { StrataLegend } from './StrataLegend';
import { defaultHiddenStrata, sharesTokenAxis, type ChartMetric } from './strataModel';
import './requestWindow.css';
import { own } from '../../trace/indexes/refs';

const sameReq = (a: RequestRef | null, b: RequestRef | null) => (a && b ? a.kind === b.kind && a.id === b.id : a === b);

function Segmented<T extends string>({ value, options, onChange, label }: { value: T; options: [T, string, string?][]; onChange(v: T): void; label: string }) {
  return (
    <span className="rw-seg" role="group" aria-label={label}>
      {options.map(([v, text, title]) => (
        <button
          key={v}
          type="button"
          className={`rw-seg-btn${v === value ? ' is-active' : ''}`}
          aria-pressed={v === value}
          title={title}
          onClick={() => onChange(v)}
        >
          {text}
        </button>
      ))}
    </span>
  );
}

/** Toolbar height; the calls table's header + filters and foot; a table row; the detail's sub-tabs. */
const TOOLBAR_H = 32;
const TABLE_CHROME_H = 70;
const TABLE_ROW = 24;
const SUBTABS_H = 29;
/** Rows of the request's window or diff a reader gets before the chart does. */
export const READ_ROWS = 12;
/** Chart section around the plot: title, legend, padding. */
const CHART_CHROME_H = 86;
const CHART_MIN = 110;
const CHART_MAX = 230;
/** The detail's header before it is measured. */
const DETAIL_HEAD_GUESS = 140;
const LIFETIME_H = 28;
/** The diff's two section headings (added, dropped). */
const DIFF_CHROME_H = 52;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));

/**
 * Splits the panel's height. Browsing (nothing picked): the chart its share,
 * the table a quarter, the request shown below what is left. Reading (a
 * request picked, here or anywhere): the request's window or diff gets
 * READ_ROWS rows first, the table at least 3 rows around the focused one, and
 * the chart only what is left (hidden when that is too little, unless the
 * user asked for it).
 */
export function allot(
  panelH: number,
  headH: number,
  reading: boolean,
  chartPref: boolean | null,
  userTableH: number | null,
  lifetime: boolean,
  tab: RequestTab = 'window',
): { chartH: number; showChart: boolean; tableH: number } {
  const avail = panelH - TOOLBAR_H - (lifetime ? LIFETIME_H : 0);
  if (!reading) {
    const chartH = clamp(avail * 0.25, 130, CHART_MAX);
    return { chartH, showChart: chartPref ?? true, tableH: userTableH ?? clamp(avail * 0.26, 190, 320) };
  }
  const detail = headH + SUBTABS_H + READ_ROWS * ITEM_ROW_H + (tab === 'diff' ? DIFF_CHROME_H : 0) + 4;
  const tableMin = TABLE_CHROME_H + 3 * TABLE_ROW;
  const tableMax = TABLE_CHROME_H + 8 * TABLE_ROW;
  const spare = avail - detail - tableMin;
  const chartFits = spare - CHART_CHROME_H >= CHART_MIN;
  const showChart = chartPref ?? chartFits;
  const chartH = showChart ? clamp(spare - CHART_CHROME_H, CHART_MIN, CHART_MAX) : 0;
  const left = avail - detail - (showChart ? chartH + CHART_CHROME_H : 0);
  return { chartH: chartH || 130, showChart, tableH: userTableH ?? clamp(left, Math.min(tableMin, Math.max(90, left)), tableMax) };
}

export function RequestWindowPanel() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const loadSeq = useStore((s) => s.loadSeq);
  const activeThreadId = useStore((s) => s.activeThreadId);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const select = useStore((s) => s.select);
  const lifetime = useStore(selectItemLifetime);

  const analysis = useMemo(() => (state && indexes ? getWindowAnalysis(state, indexes) : null), [state, indexes]);
  const rows = useMemo(() => (state && indexes && analysis ? buildRows(state, indexes, analysis) : []), [state, indexes, analysis]);

  const [focus, setFocus] = useState<RequestRef | null>(null);
  const focusRef = useRef<RequestRef | null>(null);
  focusRef.current = focus;
  const [revealSeq, setRevealSeq] = useState(0);
  const pickedInTable = useRef(false);
  const [metric, setMetric] = useState<ChartMetric>('bytes');
  const [xMode, setXMode] = useState<ChartXMode>('calls');
  const [tab, setTab] = useState<RequestTab>('window');
  /** The user's choice for the chart; null: automatic (hidden while a request is read and the panel lacks the room). */
  const [chartPref, setChartPref] = useState<boolean | null>(null);
  // Table size: follows the panel's height until the user drags the splitter.
  const [tableSize, setTableSize] = useState<{ h: number | null; w: number }>({ h: null, w: 560 });
  const rootRef = useRef<HTMLDivElement>(null);
  const [panelH, setPanelH] = useState(900);
  const [headH, setHeadH] = useState(DETAIL_HEAD_GUESS);
  useLayoutEffect(() => {
    const el = rootRef.current;
    if (!el) return;
    const measure = () => el.clientHeight > 0 && setPanelH(el.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [state]);
  // The shown request's header (its height decides how much the chart and table may take).
  const headKey = `${focus?.kind ?? ''}:${focus?.id ?? ''}`;
  useLayoutEffect(() => {
    const head = rootRef.current?.querySelector<HTMLElement>('.rw-detail-head');
    if (!head) return;
    const measure = () => head.offsetHeight > 0 && setHeadH(head.offsetHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(head);
    return () => ro.disconnect();
  }, [headKey, state]);

  // A new trace: forget the focus.
  useEffect(() => setFocus(null), [loadSeq]);

  // The selection (made anywhere) decides the focused request.
  useEffect(() => {
    if (!state || !indexes) return;
    const next = focusForSelection(state, indexes, selection, focusRef.current);
    const fromTable = pickedInTable.current;
    pickedInTable.current = false;
    if (next && !sameReq(next, focusRef.current)) setFocus(next);
    if (next && !fromTable) setRevealSeq((n) => n + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectionSeq, state, indexes]);

  // The thread the chart shows: the active thread when it has calls, else the focused request's.
  const chartThreadId = useMemo(() => {
    if (!state || !analysis) return null;
    if (activeThreadId && (analysis.threads.get(activeThreadId)?.calls.length ?? 0) > 0) return activeThreadId;
    const f = focus ? threadOfRequest(state, focus) : null;
    if (f && analysis.threads.has(f)) return f;
    for (const [t, tw] of analysis.threads) if (tw.calls.length > 0) return t;
    return null;
  }, [state, analysis, activeThreadId, focus]);
  const thread = chartThreadId ? (analysis?.threads.get(chartThreadId) ?? null) : null;
  // Strata the user hid or showed in the legend win over the default (instructions hidden when they dwarf the rest).
  const [strataPref, setStrataPref] = useState<ReadonlySet<number> | null>(null);
  const hiddenStrata = useMemo(() => strataPref ?? defaultHiddenStrata(thread), [strataPref, thread]);
  const toggleStratum = useCallback(
    (k: number) => {
      const next = new Set(hiddenStrata);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      setStrataPref(next);
    },
    [hiddenStrata],
  );

  // The request shown: the focus when it is in the chart's thread, else that thread's last call.
  const shown: RequestRef | null = useMemo(() => {
    if (!state) return null;
    if (focus && (!chartThreadId || threadOfRequest(state, focus) === chartThreadId)) return focus;
    const last = thread?.calls[thread.calls.length - 1];
    return last ? { kind: 'inference_call', id: last } : focus;
  }, [state, focus, chartThreadId, thread]);

  const pick = useCallback(
    (ref: ObjectRef, fromTable = false) => {
      pickedInTable.current = fromTable;
      select(ref);
    },
    [select],
  );
  const onPickRow = useCallback((r: RequestRow) => pick({ kind: r.kind, id: r.id }, true), [pick]);
  const onPickCall = useCallback((id: string) => pick({ kind: 'inference_call', id }), [pick]);
  const onPickCompaction = useCallback((id: string) => pick({ kind: 'compaction', id }), [pick]);
  const onSelectItem = useCallback((id: string) => pick({ kind: 'conversation_item', id }), [pick]);

  const carriers = useMemo(() => {
    if (!lifetime) return null;
    const s = new Set(lifetime.callIds);
    return s;
  }, [lifetime]);

  if (!state || !indexes || !analysis) return <div className="rw rw-empty dim">No trace loaded.</div>;

  const selectedItemId = selection?.kind === 'conversation_item' ? selection.id : null;
  const selectedCompactionId =
    selection?.kind === 'compaction'
      ? selection.id
      : shown?.kind === 'compaction_request'
        ? (own(state.compaction_requests, shown.id)?.compaction_id ?? null)
        : null;
  // Room: a request being read (one was picked, here or anywhere) gets its window or diff first
  // (READ_ROWS rows), the calls table at least a few rows around it, the chart what is left.
  const { chartH, showChart, tableH } = allot(panelH, headH, focus !== null, chartPref, tableSize.h, lifetime !== null, tab);
  const nCalls = analysis.order.length;
  const nCompReq = Object.keys(state.compaction_requests).length;
  const unexplainedCalls = [...analysis.calls.values()].filter((c) => c.unexplained > 0).length;
  const detailProps = { state, idx: indexes, analysis, metric, selectedItemId, selectionSeq, tab, onTab: setTab, onSelectItem };
  const lifetimeItem = lifetime ? own(state.conversation_items, lifetime.itemId) : undefined;

  return (
    <div className="rw" data-testid="request-window-panel" ref={rootRef}>
      <div className="rw-toolbar">
        <ThreadSwitcher />
        <Segmented<ChartMetric>
          label="Size unit"
          value={metric}
          onChange={setMetric}
          options={[
            ['bytes', 'Bytes', 'Sizes in UTF-8 bytes of the items’ bodies'],
            ['tokens', 'Est. tokens', 'Sizes as estimated tokens: body bytes ÷ 4'],
          ]}
        />
        <Segmented<ChartXMode>
          label="Chart x axis"
          value={xMode}
          onChange={setXMode}
          options={[
            ['calls', 'By call', 'One bar per call, evenly spaced'],
            ['time', 'By time', 'Bars at their start time, as wide as their duration'],
          ]}
        />
        <button
          type="button"
          className="rw-seg-btn rw-chart-toggle"
          aria-pressed={showChart}
          data-testid="rw-chart-toggle"
          onClick={() => setChartPref(!showChart)}
          title={
            chartPref === null
              ? 'Show or hide the strata chart (now: shown while there is room beside the request being read)'
              : 'Show or hide the strata chart'
          }
        >
          Chart
        </button>
        <span className="rw-stats faint" data-testid="rw-stats">
          {nCalls} inference call{nCalls === 1 ? '' : 's'}
          {nCompReq > 0 && ` · ${nCompReq} compaction request${nCompReq === 1 ? '' : 's'}`}
          {unexplainedCalls > 0 && <span className="rw-warn-text"> · {unexplainedCalls} with unexplained drops</span>}
        </span>
      </div>

      {showChart && (
        <section className="rw-chart-section" aria-label="Context strata" data-testid="rw-chart-section">
          <div className="rw-chart-head">
            <span className="rw-section-title">Context strata</span>
            <span className="faint rw-chart-sub">
              {thread
                ? `${own(state.threads, thread.threadId)?.agent_path ?? ''} · ${thread.calls.length} calls · ${thread.compactions.length} compaction${thread.compactions.length === 1 ? '' : 's'}`
                : ''}
            </span>
            <span className="rw-axis-note faint" data-testid="rw-axis-note">
              {metric === 'tokens' ? (
                <>
                  bars: <b>est. tokens</b> (body bytes ÷ 4) · lines: reported tokens
                  {thread && sharesTokenAxis(thread, metric) ? ', same axis' : ' (right axis)'}
                </>
              ) : (
                <>
                  bars: <b>body bytes</b> (left axis) · lines: reported tokens (right axis)
                </>
              )}
              {hiddenStrata.size > 0 && (
                <span data-testid="rw-hidden-strata"> · not in bars: {[...hiddenStrata].map((k) => STRATUM_SHORT[STRATA[k]]).join(', ')}</span>
              )}
            </span>
            <span
              className="rw-hint faint"
              title="Drag across bars to zoom in; double-click or Esc to zoom out; Ctrl/⌘ + wheel zooms, Shift + wheel pans; ← → move between calls"
            >
              drag to zoom · double-click to reset
            </span>
          </div>
          <StrataLegend hidden={hiddenStrata} onToggle={toggleStratum} />
          {thread && thread.calls.length > 0 ? (
            <StrataChart
              state={state}
              analysis={analysis}
              thread={thread}
              metric={metric}
              xMode={xMode}
              focusedCallId={shown?.kind === 'inference_call' ? shown.id : null}
              lifetime={lifetime}
              selectedCompactionId={selectedCompactionId}
              onPickCall={onPickCall}
              onPickCompaction={onPickCompaction}
              height={chartH}
              hidden={hiddenStrata}
            />
          ) : (
            <div className="rw-chart-empty dim">This thread made no inference calls.</div>
          )}
        </section>
      )}
      {lifetime && lifetimeItem && (
        <div className="rw-lifetime rw-lifetime-bar" data-testid="rw-lifetime" data-item-id={lifetime.itemId}>
          <span className="rw-lifetime-dot" />
          <RefLink target={{ kind: 'conversation_item', id: lifetime.itemId }}>
            #{shortItemId(lifetime.itemId)} {kindLabel(lifetimeItem)}
          </RefLink>
          {lifetime.callIds.length > 0 ? (
            <span>
              in <b data-testid="rw-lifetime-count">{lifetime.callIds.length}</b> window{lifetime.callIds.length === 1 ? '' : 's'}:{' '}
              <RefLink target={{ kind: 'inference_call', id: lifetime.firstCallId! }}>Inference {analysis.calls.get(lifetime.firstCallId!)?.ordinal}</RefLink>
              {lifetime.lastCallId !== lifetime.firstCallId && (
                <>
                  {' → '}
                  <RefLink target={{ kind: 'inference_call', id: lifetime.lastCallId! }}>Inference {analysis.calls.get(lifetime.lastCallId!)?.ordinal}</RefLink>
                </>
              )}
              {lifetime.gapCallIds.length > 0 && <span className="rw-warn-text"> · absent from {lifetime.gapCallIds.length} in between</span>}
            </span>
          ) : (
            <span className="faint">never in a request window</span>
          )}
          {lifetime.producerCallId && (
            <span className="faint">
              · produced by{' '}
              <RefLink target={{ kind: 'inference_call', id: lifetime.producerCallId }}>
                Inference {analysis.calls.get(lifetime.producerCallId)?.ordinal}
              </RefLink>
            </span>
          )}
          <span className="faint" data-testid="rw-lifetime-end">
            ·{' '}
            {lifetime.end.type === 'live' ? (
              'still in the last window'
            ) : lifetime.end.type === 'compacted' ? (
              <>
                compacted by{' '}
                <RefLink
                  target={{ kind: 'compaction', id: lifetime.end.compactionId }}
                >{`Compaction ${indexes.compactionOrdinal.get(lifetime.end.compactionId) ?? ''}`}</RefLink>
              </>
            ) : lifetime.end.type === 'dropped' ? (
              <>
                dropped at{' '}
                <RefLink target={{ kind: 'inference_call', id: lifetime.end.atCallId }}>Inference {analysis.calls.get(lifetime.end.atCallId)?.ordinal}</RefLink>
              </>
            ) : (
              'not carried into any later request'
            )}
          </span>
        </div>
      )}

      <div className="rw-main">
        <section
          className="rw-table-section"
          style={{ ['--rw-table-h' as string]: `${tableH}px`, ['--rw-table-w' as string]: `${tableSize.w}px` }}
          aria-label="Inference calls"
        >
          <CallsTable
            rows={rows}
            t0={state.started_at_unix_ms}
            metric={metric}
            focusedId={shown?.id ?? null}
            carriers={carriers}
            onPick={onPickRow}
            revealSeq={revealSeq}
          />
        </section>
        <span className="rw-split-h">
          <Splitter
            orientation="horizontal"
            size={tableH}
            min={90}
            max={900}
            onResize={(h) => setTableSize((s) => ({ ...s, h }))}
            label="Resize the calls table"
          />
        </span>
        <span className="rw-split-v">
          <Splitter
            orientation="vertical"
            size={tableSize.w}
            min={320}
            max={1400}
            onResize={(w) => setTableSize((s) => ({ ...s, w }))}
            label="Resize the calls table"
            defaultSize={560}
          />
        </span>
        <section className="rw-detail-section" aria-label="Request window">
          {shown?.kind === 'inference_call' ? (
            <InferenceDetail key={shown.id} callId={shown.id} {...detailProps} />
          ) : shown?.kind === 'compaction_request' ? (
            <CompactionRequestDetail key={shown.id} requestId={shown.id} {...detailProps} />
          ) : (
            <div className="rw-detail-empty dim">Select an inference call in the chart or the table.</div>
          )}
        </section>
      </div>
    </div>
  );
}
