/**
 * What a compaction request sent. The reduced state keeps no request items
 * for it, so the window is its raw request payload's `input`, read on demand,
 * with each entry matched to a conversation item where the compaction's
 * input_item_ids tell it.
 */
import { useEffect, useMemo, useState } from 'react';
import { matchCompactionInput, type CompactionWindow } from '../../trace/windows/compactionInput';
import { usePayloadReader } from '../../ui/payloadReader';
import { Badge, StatusBadge } from '../../ui/Badge';
import { CopyId } from '../../ui/CopyId';
import { formatBytes, formatDuration, formatRelative } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { ITEM_ROW_H, ItemLine } from './ItemLine';
import { ItemList } from './ItemList';
import { KV, RAW_TABS, RawPayloadTab, RequestTabs, type DetailProps } from './InferenceDetail';
import { own } from '../../trace/indexes/refs';

type Load = { status: 'loading' } | { status: 'ok'; window: CompactionWindow } | { status: 'error'; message: string };

export function CompactionRequestDetail({ requestId, ...p }: DetailProps & { requestId: string }) {
  const { state, idx, analysis, selectedItemId, selectionSeq, tab, onTab, onSelectItem } = p;
  const req = own(state.compaction_requests, requestId);
  const comp = req ? own(state.compactions, req.compaction_id) : undefined;
  const payload = req ? own(state.raw_payloads, req.raw_request_payload_id) : undefined;
  const { read } = usePayloadReader();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!req) return;
    if (!payload) {
      setLoad({ status: 'error', message: `${req.raw_request_payload_id} is not listed in the trace's raw payloads` });
      return;
    }
    let live = true;
    setLoad({ status: 'loading' });
    read(payload.raw_payload_id).then(
      (value) => live && setLoad({ status: 'ok', window: matchCompactionInput(state, requestId, value) }),
      (err: unknown) => live && setLoad({ status: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [req, payload, read, state, requestId, attempt]);

  const ordinal = useMemo(() => {
    const same = Object.values(state.compaction_requests)
      .filter((r) => r.thread_id === req?.thread_id)
      .sort((a, b) => a.execution.started_seq - b.execution.started_seq);
    return same.findIndex((r) => r.compaction_request_id === requestId) + 1;
  }, [state, req, requestId]);

  // The thread's last inference call before this request: what the compaction summarises.
  const prevCall = useMemo(() => {
    if (!req) return null;
    const calls = idx.inferenceCallsByThread.get(req.thread_id) ?? [];
    let best: string | null = null;
    for (const id of calls) if ((own(state.inference_calls, id)?.execution.started_seq ?? Infinity) < req.execution.started_seq) best = id;
    return best;
  }, [idx, state, req]);

  if (!req) return <div className="rw-detail-empty dim">This compaction request is not in the trace.</div>;
  const ex = req.execution;
  const w = load.status === 'ok' ? load.window : null;
  const history = w ? w.entries.filter((e) => e.itemId).length : 0;
  const maxBytes = w ? w.entries.reduce((m, e) => Math.max(m, e.itemId ? (analysis.itemSize.get(e.itemId)?.bytes ?? 0) : 0), 0) : 0;
  const totalBytes = w ? w.entries.reduce((n, e) => n + (e.itemId ? (analysis.itemSize.get(e.itemId)?.bytes ?? 0) : 0), 0) : 0;
  const prev = prevCall ? own(state.inference_calls, prevCall) : null;
  const carriedFromPrev =
    w && prev ? w.entries.filter((e) => e.itemId && (prev.request_item_ids.includes(e.itemId) || prev.response_item_ids.includes(e.itemId))).length : 0;
  const selectedIndex = w && selectedItemId ? w.entries.findIndex((e) => e.itemId === selectedItemId) : -1;
  const compN = comp ? idx.compactionOrdinal.get(comp.compaction_id) : undefined;

  return (
    <div className="rw-detail" data-testid="rw-detail" data-request-kind="compaction_request" data-request-id={requestId}>
      <header className="rw-detail-head">
        <div className="rw-title-row">
          <h2 className="rw-title">Compaction request {ordinal}</h2>
          <Badge tone="compaction">compaction</Badge>
          <StatusBadge status={ex.status} />
          <span className="rw-meta mono">{req.model}</span>
          <span className="rw-meta faint">{req.provider_name}</span>
          <span className="rw-meta mono">{formatDuration(ex.ended_at_unix_ms == null ? null : ex.ended_at_unix_ms - ex.started_at_unix_ms)}</span>
          <span className="rw-meta faint mono">{formatRelative(ex.started_at_unix_ms, state.started_at_unix_ms)}</span>
          <span className="rw-spacer" />
          <RefLink target={{ kind: 'turn', id: req.codex_turn_id }} />
          {own(state.threads, req.thread_id) && (
            <RefLink target={{ kind: 'thread', id: req.thread_id }}>{own(state.threads, req.thread_id)!.agent_path}</RefLink>
          )}
        </div>
        <KV k="ids">
          <CopyId value={requestId} label="compaction request id" />
          <span className="rw-k2">installs</span>
          {comp ? (
            <span className="rw-links">
              <RefLink target={{ kind: 'compaction', id: comp.compaction_id }}>{`Compaction ${compN ?? ''}`}</RefLink>
              <span className="faint">
                installed {formatRelative(comp.installed_at_unix_ms, state.started_at_unix_ms)}: {comp.input_item_ids.length} items replaced by{' '}
                {comp.replacement_item_ids.length}
              </span>
            </span>
          ) : (
            <span className="faint">
              <span className="mono">{req.compaction_id}</span> — never installed
            </span>
          )}
        </KV>
        <KV k="window">
          <span data-testid="rw-window-summary">
            {load.status === 'loading' && <span className="dim">Reading {payload?.path}…</span>}
            {load.status === 'error' && (
              <span className="rw-warn-text" role="alert">
                Could not read the request payload: {load.message}{' '}
                <button type="button" className="link-btn" onClick={() => setAttempt(attempt + 1)}>
                  Retry
                </button>
              </span>
            )}
            {w && (
              <>
                <b>{w.entries.length}</b> input entries, <b>{history}</b> matched to conversation items · <b className="mono">{formatBytes(totalBytes)}</b>
                {w.instructionsBytes > 0 && <span className="faint"> · instructions {formatBytes(w.instructionsBytes)}</span>}
                <span className="faint">
                  {' '}
                  · matched against{' '}
                  {w.matchedAgainst === 'compaction_input'
                    ? "the compaction's input history"
                    : w.matchedAgainst === 'previous_window'
                      ? 'the previous window (no compaction installed)'
                      : 'nothing'}
                </span>
              </>
            )}
          </span>
        </KV>
        {prev && w && (
          <KV k="vs prev">
            <span>
              {carriedFromPrev} of the entries come from the window or response of{' '}
              <RefLink target={{ kind: 'inference_call', id: prev.inference_call_id }}>Inference {analysis.calls.get(prev.inference_call_id)?.ordinal}</RefLink>
              {w.unmatchedItemIds.length > 0 && <span className="rw-warn-text"> · {w.unmatchedItemIds.length} input items not found in the payload</span>}
            </span>
          </KV>
        )}
      </header>
      <RequestTabs
        tabs={[{ id: 'window', label: `Window${w ? ` · ${w.entries.length}` : ''}` }, ...RAW_TABS]}
        tab={tab}
        onTab={onTab}
        label="Compaction request views"
      />
      <div className="rw-tabbody">
        {(tab === 'window' || tab === 'diff' || tab === 'response') &&
          (w ? (
            <ItemList
              count={w.entries.length}
              label={`Input of compaction request ${ordinal}`}
              testId="rw-window-list"
              revealIndex={selectedIndex >= 0 ? selectedIndex : null}
              revealSeq={selectionSeq}
              render={(i) => {
                const e = w.entries[i];
                const item = e.itemId ? own(state.conversation_items, e.itemId) : undefined;
                if (item) {
                  const sz = analysis.itemSize.get(item.item_id);
                  return (
                    <ItemLine
                      state={state}
                      idx={idx}
                      item={item}
                      position={i + 1}
                      stratum={analysis.itemStratum.get(item.item_id) ?? 'user'}
                      bytes={sz?.bytes ?? 0}
                      partialSize={sz?.partial ?? false}
                      maxBytes={maxBytes}
                      mark={null}
                      selected={item.item_id === selectedItemId}
                      testId="rw-window-item"
                      onSelect={onSelectItem}
                    />
                  );
                }
                return (
                  <div className="rw-item rw-entry" data-testid="rw-window-entry" data-entry-type={e.type} style={{ height: ITEM_ROW_H }}>
                    <span className="rw-pos mono">{i + 1}</span>
                    <span className="rw-mark" />
                    <span className="rw-id faint">—</span>
                    <span className="rw-role faint">{e.role ?? ''}</span>
                    <span className="rw-kind mono" title={e.type}>
                      {e.type}
                    </span>
                    <span className="rw-size">
                      <span className="mono faint">{formatBytes(e.jsonBytes)} json</span>
                    </span>
                    <span className="rw-from faint">not a conversation item</span>
                    <span className="rw-preview">{e.preview}</span>
                  </div>
                );
              }}
            />
          ) : (
            <div className="rw-detail-empty dim">
              {load.status === 'loading' ? 'Reading the request payload…' : 'The window is read from the raw request payload, which could not be read.'}
            </div>
          ))}
        {tab === 'request_raw' && <RawPayloadTab state={state} payloadId={req.raw_request_payload_id} role="request" what="request" />}
        {tab === 'response_raw' && <RawPayloadTab state={state} payloadId={req.raw_response_payload_id} role="response" what="request" />}
      </div>
    </div>
  );
}
