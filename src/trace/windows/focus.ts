/**
 * Which request stands for a selection made anywhere: the one rule behind the
 * request-window panel and the conversation's "Model saw" window, so that the
 * two never show different windows for the same selection. Pure TS.
 *
 * - A request (inference call or compaction request) stands for itself, a
 *   compaction for its last request, a payload for the request that owns it.
 * - A conversation item keeps the request being shown when that request
 *   carried or produced it (clicking an item of the window does not jump
 *   away), else the first request that carried it, else the call that
 *   produced it.
 * - A tool call: the call whose response started it.
 * - A turn: its last call, whose window holds the whole turn.
 * - A thread: the request being shown when it is the thread's, else the
 *   thread's latest call.
 * - Anything else with a position in time: the latest call of its thread that
 *   started at or before it (by seq when the object has one).
 */
import type { TraceIndexes } from '../indexes/build';
import type { ObjectRef } from '../indexes/refs';
import type { InferenceCall, RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';

export type RequestRef = { kind: 'inference_call'; id: string } | { kind: 'compaction_request'; id: string };

export type FocusReason = 'selected' | 'current' | 'first_carrier' | 'producer' | 'latest_before' | 'latest';

export interface Focus {
  request: RequestRef;
  /** Why this request: the selection itself, the one already shown, the first that carried the item, … */
  reason: FocusReason;
}

const call = (id: string, reason: FocusReason): Focus => ({ request: { kind: 'inference_call', id }, reason });
const compactionRequest = (id: string, reason: FocusReason): Focus => ({ request: { kind: 'compaction_request', id }, reason });

/**
 * The request to show for `sel`, given the one shown now (`current`), with
 * the reason; null when nothing stands for it.
 */
export function requestForSelection(state: RolloutTrace, idx: TraceIndexes, sel: ObjectRef | null, current: RequestRef | null): Focus | null {
  if (!sel) return null;
  switch (sel.kind) {
    case 'inference_call':
      return own(state.inference_calls, sel.id) ? call(sel.id, 'selected') : null;
    case 'compaction_request':
      return own(state.compaction_requests, sel.id) ? compactionRequest(sel.id, 'selected') : null;
    case 'compaction': {
      const c = own(state.compactions, sel.id);
      if (!c) return null;
      const req = c.request_ids.filter((id) => own(state.compaction_requests, id));
      if (req.length > 0) return compactionRequest(req[req.length - 1], 'selected');
      const rep = c.replacement_item_ids.find((id) => idx.itemRequestSpan.has(id));
      return rep ? call(idx.itemRequestSpan.get(rep)!.first, 'first_carrier') : null;
    }
    case 'conversation_item': {
      const it = own(state.conversation_items, sel.id);
      if (!it) return null;
      if (current?.kind === 'inference_call') {
        const c = own(state.inference_calls, current.id);
        if (c && (c.request_item_ids.includes(sel.id) || c.response_item_ids.includes(sel.id))) return { request: current, reason: 'current' };
      }
      if (current?.kind === 'compaction_request') {
        const r = own(state.compaction_requests, current.id);
        const comp = r ? own(state.compactions, r.compaction_id) : undefined;
        if (comp?.input_item_ids.includes(sel.id)) return { request: current, reason: 'current' };
      }
      const carrier = idx.itemRequestSpan.get(sel.id)?.first;
      if (carrier) return call(carrier, 'first_carrier');
      const producer = idx.itemProducerCalls.get(sel.id)?.[0];
      if (producer) return call(producer, 'producer');
      return latestBefore(state, idx, it.thread_id, it.accepted_seq ?? null, it.first_seen_at_unix_ms);
    }
    case 'tool_call': {
      const starter = idx.toolCallStartedBy.get(sel.id);
      return starter ? call(starter, 'producer') : byMoment(state, idx, sel);
    }
    case 'turn': {
      const calls = idx.inferenceCallsByTurn.get(sel.id);
      return calls?.length ? call(calls[calls.length - 1], 'latest_before') : byMoment(state, idx, sel);
    }
    case 'thread': {
      if (current && threadOfRequest(state, current) === sel.id) return { request: current, reason: 'current' };
      const calls = idx.inferenceCallsByThread.get(sel.id);
      return calls?.length ? call(calls[calls.length - 1], 'latest') : null;
    }
    case 'raw_payload': {
      for (const o of idx.payloadOwners.get(sel.id) ?? []) {
        if (o.owner.kind === 'inference_call') return call(o.owner.id, 'selected');
        if (o.owner.kind === 'compaction_request') return compactionRequest(o.owner.id, 'selected');
      }
      return null;
    }
    default:
      return byMoment(state, idx, sel);
  }
}

/** `requestForSelection` without the reason: what the request-window panel focuses. */
export function focusForSelection(state: RolloutTrace, idx: TraceIndexes, sel: ObjectRef | null, current: RequestRef | null): RequestRef | null {
  return requestForSelection(state, idx, sel, current)?.request ?? null;
}

export function threadOfRequest(state: RolloutTrace, r: RequestRef): string | null {
  return r.kind === 'inference_call' ? (own(state.inference_calls, r.id)?.thread_id ?? null) : (own(state.compaction_requests, r.id)?.thread_id ?? null);
}

/** The latest call of `threadId` that started at or before a moment (by seq when there is one). */
export function latestCallAtOrBefore(state: RolloutTrace, idx: TraceIndexes, threadId: string, seq: number | null, ms: number | null): InferenceCall | null {
  let best: InferenceCall | null = null;
  for (const id of idx.inferenceCallsByThread.get(threadId) ?? []) {
    const c = own(state.inference_calls, id);
    if (!c) continue;
    const ok = seq !== null ? c.execution.started_seq <= seq : ms !== null ? c.execution.started_at_unix_ms <= ms : false;
    if (ok) best = c;
  }
  return best;
}

function latestBefore(state: RolloutTrace, idx: TraceIndexes, threadId: string, seq: number | null, ms: number | null): Focus | null {
  const c = latestCallAtOrBefore(state, idx, threadId, seq, ms);
  return c ? call(c.inference_call_id, 'latest_before') : null;
}

function byMoment(state: RolloutTrace, idx: TraceIndexes, ref: ObjectRef): Focus | null {
  const m = momentOf(state, ref);
  return m ? latestBefore(state, idx, m.threadId, m.seq, m.ms) : null;
}

/** A position in time, and the thread, of objects that have one. */
export function momentOf(state: RolloutTrace, ref: ObjectRef): { threadId: string; seq: number | null; ms: number | null } | null {
  switch (ref.kind) {
    case 'tool_call': {
      const t = own(state.tool_calls, ref.id);
      return t ? { threadId: t.thread_id, seq: t.execution.started_seq, ms: t.execution.started_at_unix_ms } : null;
    }
    case 'turn': {
      const t = own(state.codex_turns, ref.id);
      return t ? { threadId: t.thread_id, seq: t.execution.ended_seq ?? Number.MAX_SAFE_INTEGER, ms: t.execution.ended_at_unix_ms } : null;
    }
    case 'code_cell': {
      const c = own(state.code_cells, ref.id);
      return c ? { threadId: c.thread_id, seq: c.execution.started_seq, ms: c.execution.started_at_unix_ms } : null;
    }
    case 'terminal_operation': {
      const o = own(state.terminal_operations, ref.id);
      const t = o ? own(state.tool_calls, o.tool_call_id) : undefined;
      return o && t ? { threadId: t.thread_id, seq: o.execution.started_seq, ms: o.execution.started_at_unix_ms } : null;
    }
    case 'compaction_request': {
      const r = own(state.compaction_requests, ref.id);
      return r ? { threadId: r.thread_id, seq: r.execution.started_seq, ms: r.execution.started_at_unix_ms } : null;
    }
    case 'compaction': {
      const c = own(state.compactions, ref.id);
      if (!c) return null;
      const seqs = c.request_ids.map((id) => own(state.compaction_requests, id)?.execution.started_seq).filter((s): s is number => s != null);
      return { threadId: c.thread_id, seq: seqs.length ? Math.max(...seqs) : null, ms: c.installed_at_unix_ms };
    }
    case 'inference_call': {
      const c = own(state.inference_calls, ref.id);
      return c ? { threadId: c.thread_id, seq: c.execution.started_seq, ms: c.execution.started_at_unix_ms } : null;
    }
    case 'conversation_item': {
      const it = own(state.conversation_items, ref.id);
      return it ? { threadId: it.thread_id, seq: it.accepted_seq ?? null, ms: it.first_seen_at_unix_ms } : null;
    }
    default:
      return null;
  }
}
