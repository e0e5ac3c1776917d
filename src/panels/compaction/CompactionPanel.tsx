/**
 * The compaction panel: every compaction of every thread in time order (a
 * sortable, filterable table), and the selected one in detail: its attempts,
 * what it replaced and what took its place, its size, and the model-visible
 * history just before and just after it, aligned.
 *
 * Selection is shared: picking a row selects the compaction (or, for a failed
 * attempt, its request; for an untraced shrink, the first inference call
 * after it) in the store, and a selection made anywhere else that points at a
 * compaction, its marker, its request, a replaced item… shows it here.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../../store';
import { eventForSelection } from '../../trace/compaction';
import { Splitter } from '../../ui/Splitter';
import { CompactionDetail, type CompactionTab } from './CompactionDetail';
import { CompactionTable, toRows, type CompactionRow } from './CompactionTable';
import { useCompactionAnalysis } from './useCompactionAnalysis';
import './compaction.css';
import { own } from '../../trace/indexes/refs';

const TABLE_H = { min: 84, max: 640, initial: 190 };

export function CompactionPanel() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const loadSeq = useStore((s) => s.loadSeq);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const activeThreadId = useStore((s) => s.activeThreadId);
  const select = useStore((s) => s.select);
  const analysis = useCompactionAnalysis();

  const [currentKey, setCurrentKey] = useState<string | null>(null);
  const [tab, setTab] = useState<CompactionTab>('diff');
  const [tableH, setTableH] = useState(TABLE_H.initial);
  const currentRef = useRef<string | null>(null);
  currentRef.current = currentKey;

  // A new trace starts fresh.
  const seenLoad = useRef(loadSeq);
  useEffect(() => {
    if (seenLoad.current !== loadSeq) {
      seenLoad.current = loadSeq;
      setCurrentKey(null);
    }
  }, [loadSeq]);

  // Follow the shared selection.
  useEffect(() => {
    if (!analysis || !state) return;
    const k = eventForSelection(analysis, state, selection, currentRef.current);
    if (k && k !== currentRef.current) setCurrentKey(k);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectionSeq, analysis]);

  const rows = useMemo(() => (analysis && state && indexes ? toRows(analysis.events, state, indexes) : []), [analysis, state, indexes]);
  const threads = useMemo(() => {
    if (!analysis || !state || !indexes) return [];
    return indexes.threadTree.order.filter((t) => analysis.byThread.has(t)).map((t) => ({ id: t, label: own(state.threads, t)?.agent_path ?? t }));
  }, [analysis, state, indexes]);

  if (!state || !indexes || !analysis) return <div className="cmp cmp-empty dim">No trace loaded.</div>;

  const current =
    (currentKey && analysis.byKey.get(currentKey)) || (activeThreadId && analysis.byThread.get(activeThreadId)?.[0]) || analysis.events[0] || null;

  const onPick = (row: CompactionRow) => {
    setCurrentKey(row.key);
    select(row.event.ref);
  };

  const { installed, failed, untraced } = analysis.counts;
  // filters bar + header + rows (+ a little air): the table never takes more room than it needs.
  const naturalTableH = 31 + 25 + Math.max(1, analysis.events.length) * 26 + 12;
  const maxTableH = Math.max(TABLE_H.min, Math.min(TABLE_H.max, naturalTableH));
  const shownTableH = Math.min(tableH, maxTableH);
  const total = analysis.events.length;

  return (
    <div className="cmp" data-testid="compaction-panel">
      <div className="cmp-toolbar">
        <span className="cmp-toolbar-title">
          {total} compaction{total === 1 ? '' : 's'}
        </span>
        <span className="cmp-counts faint" data-testid="cmp-counts">
          {installed > 0 && <span>{installed} installed</span>}
          {failed > 0 && <span className="cmp-count-failed">{failed} not installed</span>}
          {untraced > 0 && (
            <span
              className="cmp-count-untraced"
              title="History shrinks with no compaction record in the trace (e.g. local compaction, which records none), detected from the request windows. The header counts only the compactions the trace records."
            >
              {untraced} untraced (detected, no record)
            </span>
          )}
          {threads.length > 1 && <span>in {threads.length} threads</span>}
        </span>
      </div>
      {total === 0 ? (
        <div className="cmp-empty" data-testid="cmp-none">
          <p>
            <b>No compactions in this trace.</b>
          </p>
          <p className="dim">
            No compaction was installed or attempted, and no thread’s request window ever dropped earlier history, so every inference call saw the full history
            of its thread.
          </p>
        </div>
      ) : (
        <>
          <div className="cmp-table-region" style={{ height: shownTableH }}>
            <CompactionTable rows={rows} startMs={state.started_at_unix_ms} threads={threads} currentKey={current?.key ?? null} onPick={onPick} />
          </div>
          <Splitter
            orientation="horizontal"
            size={shownTableH}
            min={TABLE_H.min}
            max={maxTableH}
            onResize={setTableH}
            label="Resize compaction table"
            defaultSize={TABLE_H.initial}
          />
          {current ? <CompactionDetail key={current.key} e={current} tab={tab} onTab={setTab} /> : <div className="cmp-empty dim">Pick a compaction.</div>}
        </>
      )}
    </div>
  );
}
