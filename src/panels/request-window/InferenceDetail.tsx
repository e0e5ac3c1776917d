/**
 * What one inference call saw: its request window (ordered, with diff marks,
 * sizes and sources), the diff against the thread's previous request (added,
 * carried, dropped with reasons), the cached prefix the usage reports, the
 * response items, and the raw request / response payloads.
 */
import { useMemo, useState } from 'react';
import type { TraceIndexes } from '../../trace/indexes/build';
import { shortItemId } from '../../trace/indexes/resolve';
import type { RolloutTrace } from '../../trace/schema/state';
import type { WindowAnalysis } from '../../trace/windows/analysis';
import { cachedPrefix } from '../../trace/windows/cache';
import { addOriginText, dropReasonText, type AddOrigin, type DropReason, type DroppedItem } from '../../trace/windows/diff';
import { STRATA, STRATUM_LABEL, estimateTokens } from '../../trace/windows/sizes';
import { PayloadSection } from '../../ui/PayloadSection';
import { Badge, StatusBadge } from '../../ui/Badge';
import { CopyId } from '../../ui/CopyId';
import { formatBytes, formatDuration, formatInt, formatRelative } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { TabStrip, type TabDef } from '../../ui/TabStrip';
import { ItemLine } from './ItemLine';
import { ItemList } from './ItemList';
import type { ChartMetric } from './strataModel';
import { own } from '../../trace/indexes/refs';

export type RequestTab = 'window' | 'diff' | 'response' | 'request_raw' | 'response_raw';

export interface DetailProps {
  state: RolloutTrace;
  idx: TraceIndexes;
  analysis: WindowAnalysis;
  metric: ChartMetric;
  selectedItemId: string | null;
  selectionSeq: number;
  tab: RequestTab;
  onTab(t: RequestTab): void;
  onSelectItem(itemId: string): void;
}

export function sizeText(bytes: number, metric: ChartMetric): string {
  return metric === 'tokens' ? `≈${formatInt(estimateTokens(bytes))} tok` : formatBytes(bytes);
}

/** The window's make-up as one horizontal stacked bar. */
export function CompositionBar({ parts, total }: { parts: { stratum: (typeof STRATA)[number]; bytes: number }[]; total: number }) {
  return (
    <span className="rw-compo" aria-label="Window make-up by kind" data-testid="rw-composition">
      {parts.map((p) =>
        p.bytes > 0 ? (
          <span
            key={p.stratum}
            className={`rw-compo-seg rw-bg-${p.stratum}`}
            style={{ width: `${(p.bytes / Math.max(1, total)) * 100}%` }}
            title={`${STRATUM_LABEL[p.stratum]}: ${formatBytes(p.bytes)} (${Math.round((p.bytes / Math.max(1, total)) * 100)}%)`}
          />
        ) : null,
      )}
    </span>
  );
}

function DropReasonView({ reason, idx }: { reason: DropReason; idx: TraceIndexes }) {
  const comp = (id: string) => <RefLink target={{ kind: 'compaction', id }}>{`Compaction ${idx.compactionOrdinal.get(id) ?? ''}`.trim()}</RefLink>;
  switch (reason.type) {
    case 'compaction':
      return (
        <span className="rw-reason" data-reason="compaction">
          <Badge tone="compaction">compacted</Badge>
          <span className="faint">by</span>
          {comp(reason.compactionId)}
        </span>
      );
    case 'resent':
      return (
        <span className="rw-reason" data-reason="resent">
          <Badge tone="info">re-sent</Badge>
          <span className="faint">as</span>
          <RefLink target={{ kind: 'conversation_item', id: reason.asItemId }}>#{shortItemId(reason.asItemId)}</RefLink>
          {reason.compactionId && (
            <>
              <span className="faint">after</span>
              {comp(reason.compactionId)}
            </>
          )}
        </span>
      );
    case 'failed_call':
      return (
        <span className="rw-reason" data-reason="failed_call">
          <Badge tone="err">{reason.status}</Badge>
          <span className="faint">output of a {reason.status} call</span>
        </span>
      );
    case 'not_accepted':
      return (
        <span className="rw-reason" data-reason="not_accepted">
          <Badge tone="warn">not accepted</Badge>
          <span className="faint">never accepted into history</span>
        </span>
      );
    case 'rewritten':
      return (
        <span className="rw-reason" data-reason="rewritten">
          <Badge tone="compaction">rewritten</Badge>
          <span className="faint">not in the input of</span>
          {comp(reason.compactionId)}
        </span>
      );
    case 'unexplained':
      return (
        <span className="rw-reason" data-reason="unexplained">
          <Badge tone="warn">unexplained</Badge>
          <span className="faint">{dropReasonText(reason)}</span>
        </span>
      );
  }
}

function UsageChips({ usage }: { usage: RolloutTrace['inference_calls'][string]['usage'] }) {
  if (!usage)
    return (
      <span className="faint" data-testid="rw-usage">
        No token usage reported.
      </span>
    );
  const pct = usage.input_tokens > 0 ? Math.round((usage.cached_input_tokens / usage.input_tokens) * 100) : 0;
  const chip = (label: string, v: number, extra?: string, testId?: string) => (
    <span className="rw-chip" data-testid={testId}>
      <span className="rw-chip-label">{label}</span>
      <span className="rw-chip-value mono">{formatInt(v)}</span>
      {extra && <span className="faint">{extra}</span>}
    </span>
  );
  return (
    <span className="rw-chips" data-testid="rw-usage">
      {chip('input', usage.input_tokens, undefined, 'rw-usage-input')}
      {chip('cached', usage.cached_input_tokens, `${pct}%`, 'rw-usage-cached')}
      {chip('cache write', usage.cache_write_input_tokens)}
      {chip('output', usage.output_tokens, undefined, 'rw-usage-output')}
      {chip('reasoning', usage.reasoning_output_tokens)}
    </span>
  );
}

export function InferenceDetail({ callId, ...p }: DetailProps & { callId: string }) {
  const { state, idx, analysis, selectedItemId, selectionSeq, tab, onTab, onSelectItem } = p;
  const call = own(state.inference_calls, callId);
  const stats = analysis.calls.get(callId);
  const diff = analysis.diffs.get(callId);
  const thread = own(state.threads, call?.thread_id ?? '');

  const win = useMemo(() => call?.request_item_ids ?? [], [call]);
  const sizes = useMemo(() => win.map((id) => analysis.itemSize.get(id)?.bytes ?? 0), [win, analysis]);
  const maxBytes = useMemo(() => sizes.reduce((m, b) => Math.max(m, b), 0), [sizes]);
  const origins = useMemo(() => new Map(diff?.added.map((a) => [a.index, a.origin]) ?? []), [diff]);
  const prefix = useMemo(() => cachedPrefix(call?.usage ?? null, sizes), [call, sizes]);
  const respMax = useMemo(() => (call?.response_item_ids ?? []).reduce((m, r) => Math.max(m, analysis.itemSize.get(r)?.bytes ?? 0), 0), [call, analysis]);
  const composition = useMemo(() => {
    const t = analysis.threads.get(call?.thread_id ?? '');
    const i = stats?.index ?? -1;
    return STRATA.map((s, k) => ({ stratum: s, bytes: t && i >= 0 ? t.strata[i * STRATA.length + k] : 0 }));
  }, [analysis, call, stats]);

  if (!call || !stats || !diff) return <div className="rw-detail-empty dim">This inference call is not in the trace.</div>;
  const selectedIndex = selectedItemId ? win.indexOf(selectedItemId) : -1;
  const respSelectedIndex = selectedItemId ? call.response_item_ids.indexOf(selectedItemId) : -1;
  const prev = diff.prevCallId;
  const threadCalls = idx.inferenceCallsByThread.get(call.thread_id) ?? [];
  const pos = threadCalls.indexOf(callId);
  const next = pos >= 0 && pos + 1 < threadCalls.length ? threadCalls[pos + 1] : null;
  const reasons = countReasons(diff.dropped);

  return (
    <div className="rw-detail" data-testid="rw-detail" data-request-kind="inference_call" data-request-id={callId}>
      <header className="rw-detail-head">
        <div className="rw-title-row">
          <h2 className="rw-title">Inference {stats.ordinal}</h2>
          <StatusBadge status={call.execution.status} />
          <span className="rw-meta mono">{call.model}</span>
          <span className="rw-meta faint">{call.provider_name}</span>
          <span className="rw-meta mono" title="duration">
            {formatDuration(stats.durationMs)}
          </span>
          <span className="rw-meta faint mono">{formatRelative(call.execution.started_at_unix_ms, state.started_at_unix_ms)}</span>
          <span className="rw-spacer" />
          <RefLink target={{ kind: 'turn', id: call.codex_turn_id }} />
          {thread && <RefLink target={{ kind: 'thread', id: thread.thread_id }}>{thread.agent_path}</RefLink>}
          <span className="rw-nav">
            <RefLinkOrDisabled id={prev} label="‹ prev" />
            <RefLinkOrDisabled id={next} label="next ›" />
          </span>
        </div>
        <KV k="ids">
          <CopyId value={callId} label="inference call id" />
          <span className="rw-k2">response</span>
          {call.response_id ? <CopyId value={call.response_id} label="response id" /> : <span className="faint">—</span>}
          {call.upstream_request_id && (
            <>
              <span className="rw-k2">upstream</span>
              <CopyId value={call.upstream_request_id} label="upstream request id" />
            </>
          )}
        </KV>
        <KV k="usage">
          <UsageChips usage={call.usage} />
          <span className={prefix ? '' : 'faint'} data-testid="rw-cache">
            {prefix ? (
              <>
                cached prefix ≈ the first <b>{prefix.fullItems}</b>
                {prefix.partialIndex !== null ? ` (+ part of item ${prefix.partialIndex + 1})` : ''} of {win.length} items, by body size
              </>
            ) : call.usage ? (
              'no cached prefix reported'
            ) : null}
          </span>
        </KV>
        <KV k="window">
          <span className="rw-window-sum" data-testid="rw-window-summary">
            <b>{stats.items}</b> items · <b className="mono">{formatBytes(stats.bytes)}</b>
            <span className="faint"> ≈{formatInt(estimateTokens(stats.bytes))} tokens est.</span>
          </span>
          <CompositionBar parts={composition} total={stats.bytes} />
        </KV>
        <KV k="vs prev">
          <span className="rw-diff-sum" data-testid="rw-diff-summary">
            {prev ? (
              <>
                <span className="rw-plus">+{diff.added.length} new</span> · <span>{diff.carried} carried</span> ·{' '}
                <span className={diff.dropped.length ? 'rw-minus' : 'faint'}>−{diff.dropped.length} dropped</span>
                {reasons.map(([k, n]) => (
                  <span key={k} className={`rw-reason-count${k === 'unexplained' ? ' rw-warn-text' : ''}`}>
                    {' '}
                    ({n}{' '}
                    {k === 'compaction'
                      ? 'compacted'
                      : k === 'unexplained'
                        ? 'unexplained'
                        : k === 'resent'
                          ? 're-sent as new items'
                          : dropReasonText({ type: k } as DropReason)}
                    )
                  </span>
                ))}
                <span className="faint" title="The previous request of this thread: its window and its response">
                  {' '}
                  against{' '}
                </span>
                <RefLink target={{ kind: 'inference_call', id: prev }}>Inference {analysis.calls.get(prev)?.ordinal}</RefLink>
              </>
            ) : (
              <span className="faint">first request of this thread: every item is new</span>
            )}
          </span>
        </KV>
        {diff.compactionIds.length > 0 && (
          <div className="rw-notice rw-notice-compaction" data-testid="rw-compaction-notice">
            <span className="rw-notice-icon">⇣</span>
            {diff.compactionIds.map((c) => (
              <span key={c}>
                <RefLink target={{ kind: 'compaction', id: c }}>{`Compaction ${idx.compactionOrdinal.get(c) ?? ''}`}</RefLink>
                <span className="faint">
                  {' '}
                  was installed before this call: {own(state.compactions, c)?.input_item_ids.length ?? 0} items replaced by{' '}
                  {own(state.compactions, c)?.replacement_item_ids.length ?? 0}.
                </span>
              </span>
            ))}
          </div>
        )}
        {diff.unexplained > 0 && (
          <div className="rw-notice rw-notice-warn" data-testid="rw-unexplained-notice">
            <span className="rw-notice-icon">⚠</span>
            {diff.unexplained} item{diff.unexplained === 1 ? '' : 's'} left the window with no traced event to explain it (no compaction was recorded) — e.g. a
            local compaction, which Codex does not trace.
          </div>
        )}
      </header>

      <RequestTabs
        tabs={[
          { id: 'window', label: `Window · ${win.length}` },
          { id: 'diff', label: `Diff · +${diff.added.length} −${diff.dropped.length}` },
          { id: 'response', label: `Response · ${call.response_item_ids.length}` },
          ...RAW_TABS,
        ]}
        tab={tab}
        onTab={onTab}
        label="Request views"
      />

      <div className="rw-tabbody">
        {tab === 'window' && (
          <ItemList
            count={win.length}
            label={`Request window of inference ${stats.ordinal}`}
            testId="rw-window-list"
            revealIndex={selectedIndex >= 0 ? selectedIndex : null}
            revealSeq={selectionSeq}
            render={(i) => {
              const id = win[i];
              const item = own(state.conversation_items, id);
              if (!item) return <div className="rw-item dim">missing item {id}</div>;
              const sz = analysis.itemSize.get(id);
              const cached = prefix ? (i < prefix.fullItems ? 'full' : i === prefix.partialIndex ? 'partial' : null) : null;
              return (
                <ItemLine
                  state={state}
                  idx={idx}
                  item={item}
                  position={i + 1}
                  stratum={analysis.itemStratum.get(id) ?? 'user'}
                  bytes={sz?.bytes ?? 0}
                  partialSize={sz?.partial ?? false}
                  maxBytes={maxBytes}
                  mark={prev ? (diff.carriedMask[i] ? 'carried' : 'added') : 'added'}
                  origin={origins.get(i)}
                  cached={cached}
                  selected={id === selectedItemId}
                  testId="rw-window-item"
                  onSelect={onSelectItem}
                />
              );
            }}
          />
        )}
        {tab === 'diff' && <DiffView {...p} callId={callId} />}
        {tab === 'response' && (
          <div className="rw-response">
            {call.tool_call_ids_started_by_response.length > 0 && (
              <div className="rw-started">
                <span className="rw-k">started</span>
                <span className="rw-links">
                  {call.tool_call_ids_started_by_response.map((t) => (
                    <RefLink key={t} target={{ kind: 'tool_call', id: t }} />
                  ))}
                </span>
              </div>
            )}
            {call.response_item_ids.length === 0 ? (
              <div className="rw-detail-empty dim">No response items{call.raw_response_payload_id ? '' : ' (no response payload recorded)'}.</div>
            ) : (
              <ItemList
                count={call.response_item_ids.length}
                label={`Response of inference ${stats.ordinal}`}
                testId="rw-response-list"
                revealIndex={respSelectedIndex >= 0 ? respSelectedIndex : null}
                revealSeq={selectionSeq}
                render={(i) => {
                  const id = call.response_item_ids[i];
                  const item = own(state.conversation_items, id);
                  if (!item) return <div className="rw-item dim">missing item {id}</div>;
                  const sz = analysis.itemSize.get(id);
                  return (
                    <ItemLine
                      state={state}
                      idx={idx}
                      item={item}
                      position={i + 1}
                      stratum={analysis.itemStratum.get(id) ?? 'assistant'}
                      bytes={sz?.bytes ?? 0}
                      partialSize={sz?.partial ?? false}
                      maxBytes={respMax}
                      mark={null}
                      selected={id === selectedItemId}
                      testId="rw-response-item"
                      onSelect={onSelectItem}
                    />
                  );
                }}
              />
            )}
          </div>
        )}
        {tab === 'request_raw' && <RawPayloadTab state={state} payloadId={call.raw_request_payload_id} role="request" what="call" />}
        {tab === 'response_raw' && <RawPayloadTab state={state} payloadId={call.raw_response_payload_id} role="response" what="call" />}
      </div>
    </div>
  );
}

/** A request's raw request or response payload, opened; says so when none was recorded. */
export function RawPayloadTab({
  state,
  payloadId,
  role,
  what,
}: {
  state: RolloutTrace;
  payloadId: string | null;
  role: 'request' | 'response';
  what: 'call' | 'request';
}) {
  return (
    <div className="rw-raw">
      {payloadId ? (
        <PayloadSection key={payloadId} payloadId={payloadId} payload={own(state.raw_payloads, payloadId)} role={role} defaultOpen />
      ) : (
        <div className="rw-detail-empty dim">
          No {role} payload was recorded for this {what}.
        </div>
      )}
    </div>
  );
}

/** The raw payload views every request has, last in its tab row. */
export const RAW_TABS: readonly TabDef<RequestTab>[] = [
  { id: 'request_raw', label: 'Raw request' },
  { id: 'response_raw', label: 'Raw response' },
];

/** The views of a request (inference call or compaction request) under its header. */
export function RequestTabs({
  tabs,
  tab,
  onTab,
  label,
}: {
  tabs: readonly TabDef<RequestTab>[];
  tab: RequestTab;
  onTab: (t: RequestTab) => void;
  label: string;
}) {
  return <TabStrip tabs={tabs} active={tab} onPick={onTab} label={label} className="rw-subtabs" tabClassName="rw-subtab" testIdPrefix="rw-tab-" />;
}

export function KV({ k, children }: { k: string; children: React.ReactNode }) {
  return (
    <div className="rw-kv">
      <span className="rw-k">{k}</span>
      <div className="rw-v">{children}</div>
    </div>
  );
}

function RefLinkOrDisabled({ id, label }: { id: string | null; label: string }) {
  if (!id)
    return (
      <span className="rw-nav-off faint" aria-disabled="true">
        {label}
      </span>
    );
  return <RefLink target={{ kind: 'inference_call', id }}>{label}</RefLink>;
}

function countReasons(dropped: readonly DroppedItem[]): [DropReason['type'], number][] {
  const m = new Map<DropReason['type'], number>();
  for (const d of dropped) m.set(d.reason.type, (m.get(d.reason.type) ?? 0) + 1);
  return [...m];
}

/** Added / dropped / carried, each item with where it came from or why it left. */
const DIFF_CAP = 200;

function DiffView({ callId, state, idx, analysis, selectedItemId, onSelectItem, metric }: DetailProps & { callId: string }) {
  const call = own(state.inference_calls, callId)!;
  const [all, setAll] = useState({ added: false, dropped: false });
  const diff = analysis.diffs.get(callId)!;
  const prev = diff.prevCallId ? own(state.inference_calls, diff.prevCallId) : null;
  const maxBytes = useMemo(() => {
    let m = 0;
    for (const a of diff.added) m = Math.max(m, analysis.itemSize.get(a.itemId)?.bytes ?? 0);
    for (const d of diff.dropped) m = Math.max(m, analysis.itemSize.get(d.itemId)?.bytes ?? 0);
    return m;
  }, [diff, analysis]);
  const addedBytes = diff.added.reduce((n, a) => n + (analysis.itemSize.get(a.itemId)?.bytes ?? 0), 0);
  const droppedBytes = diff.dropped.reduce((n, d) => n + (analysis.itemSize.get(d.itemId)?.bytes ?? 0), 0);
  // Carried items keep their relative order?
  const carriedIds = call.request_item_ids.filter((_, i) => diff.carriedMask[i]);
  const prevOrder = prev ? prev.request_item_ids.filter((id) => carriedIds.includes(id)) : [];
  const sameOrder = prevOrder.length === carriedIds.length && prevOrder.every((id, i) => id === carriedIds[i]);
  const carriedRange = carriedIds.length > 0 ? contiguousRange(call.request_item_ids, diff.carriedMask) : null;
  const line = (itemId: string, position: number, extra: React.ReactNode, testId: string, mark: 'added' | null, origin?: AddOrigin) => {
    const item = own(state.conversation_items, itemId);
    if (!item) return <div className="rw-item dim">missing item {itemId}</div>;
    const sz = analysis.itemSize.get(itemId);
    return (
      <ItemLine
        key={itemId}
        state={state}
        idx={idx}
        item={item}
        position={position}
        stratum={analysis.itemStratum.get(itemId) ?? 'user'}
        bytes={sz?.bytes ?? 0}
        partialSize={sz?.partial ?? false}
        maxBytes={maxBytes}
        mark={mark}
        origin={origin}
        selected={itemId === selectedItemId}
        extra={extra}
        wide
        testId={testId}
        onSelect={onSelectItem}
      />
    );
  };
  return (
    <div className="rw-diff" data-testid="rw-diff">
      {/* The header's "vs prev" names the request compared with (its window and its response); only the first request needs a word here. */}
      {!prev && <div className="rw-diff-intro">This is the first request of the thread: nothing to compare with.</div>}
      <section className="rw-diff-sec" data-testid="rw-diff-added">
        <h3>
          <span className="rw-plus">Added · {diff.added.length}</span>
          <span className="faint"> {sizeText(addedBytes, metric)}</span>
        </h3>
        {diff.added.length === 0 ? (
          <div className="rw-none faint">Nothing new.</div>
        ) : (
          (all.added ? diff.added : diff.added.slice(0, DIFF_CAP)).map((a) =>
            line(
              a.itemId,
              a.index + 1,
              <span className="rw-src">
                <span className="rw-origin-text">{addOriginText(a.origin)}</span>
                <OriginLink origin={a.origin} idx={idx} />
              </span>,
              'rw-diff-added-item',
              'added',
              a.origin,
            ),
          )
        )}
        {!all.added && diff.added.length > DIFF_CAP && (
          <button type="button" className="link-btn rw-more" onClick={() => setAll({ ...all, added: true })}>
            Show all {diff.added.length}
          </button>
        )}
      </section>
      <section className="rw-diff-sec" data-testid="rw-diff-dropped">
        <h3>
          <span className={diff.dropped.length ? 'rw-minus' : ''}>Dropped · {diff.dropped.length}</span>
          <span className="faint"> {sizeText(droppedBytes, metric)}</span>
        </h3>
        {diff.dropped.length === 0 ? (
          <div className="rw-none faint">Nothing left the window.</div>
        ) : (
          (all.dropped ? diff.dropped : diff.dropped.slice(0, DIFF_CAP)).map((d) => {
            const pos = d.from === 'request' ? (prev?.request_item_ids.indexOf(d.itemId) ?? -1) + 1 : (prev?.response_item_ids.indexOf(d.itemId) ?? -1) + 1;
            return (
              <div key={d.itemId} className="rw-dropped" data-testid="rw-dropped-item" data-item-id={d.itemId} data-reason={d.reason.type} data-from={d.from}>
                {line(
                  d.itemId,
                  pos,
                  <span className="rw-src">
                    {d.from === 'response' && (
                      <span className="rw-tag" title="It was in the previous call's response, not its request window">
                        resp
                      </span>
                    )}
                    <DropReasonView reason={d.reason} idx={idx} />
                  </span>,
                  'rw-diff-dropped-row',
                  null,
                )}
              </div>
            );
          })
        )}
        {!all.dropped && diff.dropped.length > DIFF_CAP && (
          <button type="button" className="link-btn rw-more" onClick={() => setAll({ ...all, dropped: true })}>
            Show all {diff.dropped.length}
          </button>
        )}
      </section>
      <section className="rw-diff-sec" data-testid="rw-diff-carried">
        <h3>
          Carried over · {diff.carried}
          <span className="faint">
            {' '}
            {sizeText(
              call.request_item_ids.reduce((n, id, i) => n + (diff.carriedMask[i] ? (analysis.itemSize.get(id)?.bytes ?? 0) : 0), 0),
              metric,
            )}
          </span>
        </h3>
        <div className="rw-none faint">
          {diff.carried === 0
            ? 'Nothing was carried over.'
            : `${carriedRange ?? 'Scattered positions'}${sameOrder ? ', in the same order as before' : ', reordered'}.`}
        </div>
      </section>
    </div>
  );
}

function contiguousRange(ids: readonly string[], mask: Uint8Array): string | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < ids.length; i++) {
    if (!mask[i]) continue;
    if (first < 0) first = i;
    else if (i !== last + 1) return null;
    last = i;
  }
  return first < 0 ? null : `Positions ${first + 1}–${last + 1}`;
}

function OriginLink({ origin: o, idx }: { origin: AddOrigin; idx: TraceIndexes }) {
  switch (o.type) {
    case 'previous_response':
    case 'response':
      return <RefLink target={{ kind: 'inference_call', id: o.callId }}>{`Inference ${idx.inferenceOrdinal.get(o.callId) ?? ''}`}</RefLink>;
    case 'compaction':
      return <RefLink target={{ kind: 'compaction', id: o.compactionId }}>{`Compaction ${idx.compactionOrdinal.get(o.compactionId) ?? ''}`}</RefLink>;
    case 'tool_output':
      return <RefLink target={{ kind: 'tool_call', id: o.toolCallId }}>{o.toolCallId}</RefLink>;
    case 'code_cell_output':
      return <RefLink target={{ kind: 'code_cell', id: o.codeCellId }} />;
    case 'resent':
      return <RefLink target={{ kind: 'conversation_item', id: o.ofItemId }}>#{shortItemId(o.ofItemId)}</RefLink>;
    case 'agent_message':
      return o.edgeId ? <RefLink target={{ kind: 'interaction_edge', id: o.edgeId }} /> : null;
    case 'returning':
      return <RefLink target={{ kind: 'inference_call', id: o.lastCallId }}>{`Inference ${idx.inferenceOrdinal.get(o.lastCallId) ?? ''}`}</RefLink>;
    case 'input':
      return null;
  }
}
