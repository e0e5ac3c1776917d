/**
 * "What the model saw at the selected moment": the inference call whose
 * request window stands for a selection, within one thread. Pure TS.
 *
 * - An inference call of the thread stands for itself.
 * - A conversation item already in the window being shown (`currentCallId`)
 *   keeps that window (clicking an item of the window does not jump away).
 * - Another conversation item: the first call whose request window carried it; if
 *   none did, the call that produced it (its response); otherwise by time.
 * - Anything else with a position in time (tool call, compaction, compaction
 *   request, turn, code cell, terminal operation): the latest call of the
 *   thread that started at or before it (by seq when the object has one).
 * - No selection, or a selection elsewhere: the thread's latest call.
 */
import type { TraceIndexes } from '../indexes/build';
import type { ObjectRef } from '../indexes/refs';
import type { InferenceCall, RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';

export interface ModelView {
  /** The inference call whose request window is shown. */
  callId: string;
  /** Why this call: the selection itself, the first call that carried the item, … */
  reason: 'selected' | 'current' | 'first_carrier' | 'producer' | 'latest_before' | 'latest';
}

function latestAtOrBefore(calls: InferenceCall[], seq: number | null, ms: number | null): InferenceCall | null {
  let best: InferenceCall | null = null;
  for (const c of calls) {
    const ok = seq !== null ? c.execution.started_seq <= seq : ms !== null ? c.execution.started_at_unix_ms <= ms : false;
    if (ok) best = c;
  }
  return best;
}

/** A position in time for objects that have one: [seq, ms]. */
function momentOf(state: RolloutTrace, ref: ObjectRef): [number | null, number | null] | null {
  switch (ref.kind) {
    case 'tool_call': {
      const t = own(state.tool_calls, ref.id);
      return t ? [t.execution.started_seq, t.execution.started_at_unix_ms] : null;
    }
    case 'turn': {
      const t = own(state.codex_turns, ref.id);
      return t ? [t.execution.ended_seq ?? Number.MAX_SAFE_INTEGER, t.execution.ended_at_unix_ms] : null;
    }
    case 'code_cell': {
      const c = own(state.code_cells, ref.id);
      return c ? [c.execution.started_seq, c.execution.started_at_unix_ms] : null;
    }
    case 'terminal_operation': {
      const o = own(state.terminal_operations, ref.id);
      return o ? [o.execution.started_seq, o.execution.started_at_unix_ms] : null;
    }
    case 'compaction_request': {
      const r = own(state.compaction_requests, ref.id);
      return r ? [r.execution.started_seq, r.execution.started_at_unix_ms] : null;
    }
    case 'compaction': {
      const c = own(state.compactions, ref.id);
      if (!c) return null;
      const seqs = c.request_ids.map((id) => own(state.compaction_requests, id)?.execution.started_seq).filter((s): s is number => s != null);
      return [seqs.length ? Math.max(...seqs) : null, c.installed_at_unix_ms];
    }
    case 'inference_call': {
      const c = own(state.inference_calls, ref.id);
      return c ? [c.execution.started_seq, c.execution.started_at_unix_ms] : null;
    }
    default:
      return null;
  }
}

export function modelViewAt(
  state: RolloutTrace,
  idx: TraceIndexes,
  threadId: string,
  selection: ObjectRef | null,
  currentCallId: string | null = null,
): ModelView | null {
  const calls = (idx.inferenceCallsByThread.get(threadId) ?? []).map((id) => own(state.inference_calls, id)).filter((c) => c !== undefined);
  if (calls.length === 0) return null;
  const latest: ModelView = { callId: calls[calls.length - 1].inference_call_id, reason: 'latest' };
  if (!selection) return latest;
  if (selection.kind === 'inference_call') {
    const c = own(state.inference_calls, selection.id);
    if (c && c.thread_id === threadId) return { callId: c.inference_call_id, reason: 'selected' };
  }
  if (selection.kind === 'conversation_item') {
    const it = own(state.conversation_items, selection.id);
    if (!it || it.thread_id !== threadId) return latest;
    const cur = currentCallId ? own(state.inference_calls, currentCallId) : undefined;
    if (cur && cur.thread_id === threadId && cur.request_item_ids.includes(it.item_id)) return { callId: cur.inference_call_id, reason: 'current' };
    const carriers = idx.requestCallsOf(it.item_id).filter((id) => own(state.inference_calls, id)?.thread_id === threadId);
    if (carriers.length) return { callId: carriers[0], reason: 'first_carrier' };
    const producers = (idx.itemProducerCalls.get(it.item_id) ?? []).filter((id) => own(state.inference_calls, id)?.thread_id === threadId);
    if (producers.length) return { callId: producers[0], reason: 'producer' };
    const c = latestAtOrBefore(calls, it.accepted_seq ?? null, it.first_seen_at_unix_ms);
    return c ? { callId: c.inference_call_id, reason: 'latest_before' } : latest;
  }
  const m = momentOf(state, selection);
  if (!m) return latest;
  const c = latestAtOrBefore(calls, m[0], m[1]);
  return c ? { callId: c.inference_call_id, reason: 'latest_before' } : latest;
}
