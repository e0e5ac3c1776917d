/** Rows of the requests table: every inference call and compaction request of the trace. Pure. */
import type { TraceIndexes } from '../../trace/indexes/build';
import type { RolloutTrace } from '../../trace/schema/state';
import type { WindowAnalysis } from '../../trace/windows/analysis';
import { own } from '../../trace/indexes/refs';

export interface RequestRow {
  kind: 'inference_call' | 'compaction_request';
  id: string;
  threadId: string;
  agentPath: string;
  /** "12" for inference 12 of its thread; "C1" for compaction request 1. */
  label: string;
  ordinal: number;
  turn: number;
  /** ms since the trace start. */
  start: number;
  startedSeq: number;
  duration: number | null;
  status: string;
  inTokens: number | null;
  cached: number | null;
  out: number | null;
  items: number | null;
  added: number | null;
  dropped: number | null;
  unexplained: number;
  bytes: number | null;
  model: string;
}

export function buildRows(state: RolloutTrace, idx: TraceIndexes, a: WindowAnalysis): RequestRow[] {
  const rows: RequestRow[] = [];
  const t0 = state.started_at_unix_ms;
  const path = (t: string) => own(state.threads, t)?.agent_path ?? t;
  for (const id of a.order) {
    const c = a.calls.get(id)!;
    const call = own(state.inference_calls, id)!;
    rows.push({
      kind: 'inference_call',
      id,
      threadId: c.threadId,
      agentPath: path(c.threadId),
      label: String(c.ordinal),
      ordinal: c.ordinal,
      turn: c.turnOrdinal,
      start: c.startMs - t0,
      startedSeq: c.startedSeq,
      duration: c.durationMs,
      status: c.status,
      inTokens: c.usage?.input_tokens ?? null,
      cached: c.usage?.cached_input_tokens ?? null,
      out: c.usage?.output_tokens ?? null,
      items: c.items,
      added: c.added,
      dropped: c.dropped,
      unexplained: c.unexplained,
      bytes: c.bytes,
      model: call.model,
    });
  }
  const reqs = Object.values(state.compaction_requests).sort((x, y) => x.execution.started_seq - y.execution.started_seq);
  const perThread = new Map<string, number>();
  for (const r of reqs) {
    const n = (perThread.get(r.thread_id) ?? 0) + 1;
    perThread.set(r.thread_id, n);
    const comp = own(state.compactions, r.compaction_id);
    let bytes: number | null = null;
    if (comp) {
      bytes = 0;
      for (const it of comp.input_item_ids) bytes += a.itemSize.get(it)?.bytes ?? 0;
    }
    const ex = r.execution;
    rows.push({
      kind: 'compaction_request',
      id: r.compaction_request_id,
      threadId: r.thread_id,
      agentPath: path(r.thread_id),
      label: `C${n}`,
      ordinal: n,
      turn: idx.turnOrdinal.get(r.codex_turn_id) ?? 0,
      start: ex.started_at_unix_ms - t0,
      startedSeq: ex.started_seq,
      duration: ex.ended_at_unix_ms == null ? null : ex.ended_at_unix_ms - ex.started_at_unix_ms,
      status: ex.status,
      inTokens: null,
      cached: null,
      out: null,
      items: comp ? comp.input_item_ids.length : null,
      added: null,
      dropped: null,
      unexplained: 0,
      bytes,
      model: r.model,
    });
  }
  rows.sort((x, y) => x.startedSeq - y.startedSeq || (x.id < y.id ? -1 : 1));
  return rows;
}
