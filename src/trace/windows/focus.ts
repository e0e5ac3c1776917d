/**
 * Which request (an inference call or a compaction request) the request-window
 * panel shows for a selection made anywhere. Pure TS.
 */
import type { TraceIndexes } from '../indexes/build';
import type { ObjectRef } from '../indexes/refs';
import type { RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';

export type RequestRef = { kind: 'inference_call'; id: string } | { kind: 'compaction_request'; id: string };

function call(id: string | null | undefined): RequestRef | null {
  return id ? { kind: 'inference_call', id } : null;
}

/**
 * The request to show for `sel`, given the one shown now (`current`).
 * A conversation item keeps the current request when that request carried
 * it (so clicking an item in the window does not jump away), else moves to
 * the first request that carried it (or the call that produced it).
 */
export function focusForSelection(state: RolloutTrace, idx: TraceIndexes, sel: ObjectRef | null, current: RequestRef | null): RequestRef | null {
  if (!sel) return null;
  switch (sel.kind) {
    case 'inference_call':
      return own(state.inference_calls, sel.id) ? call(sel.id) : null;
    case 'compaction_request':
      return own(state.compaction_requests, sel.id) ? { kind: 'compaction_request', id: sel.id } : null;
    case 'compaction': {
      const c = own(state.compactions, sel.id);
      if (!c) return null;
      const req = c.request_ids.filter((id) => own(state.compaction_requests, id));
      if (req.length > 0) return { kind: 'compaction_request', id: req[req.length - 1] };
      const rep = c.replacement_item_ids.find((id) => idx.itemRequestSpan.has(id));
      return rep ? call(idx.itemRequestSpan.get(rep)!.first) : null;
    }
    case 'conversation_item': {
      if (!own(state.conversation_items, sel.id)) return null;
      if (current?.kind === 'inference_call') {
        const c = own(state.inference_calls, current.id);
        if (c && (c.request_item_ids.includes(sel.id) || c.response_item_ids.includes(sel.id))) return current;
      }
      if (current?.kind === 'compaction_request') {
        const r = own(state.compaction_requests, current.id);
        const comp = r ? own(state.compactions, r.compaction_id) : undefined;
        if (comp?.input_item_ids.includes(sel.id)) return current;
      }
      return call(idx.itemRequestSpan.get(sel.id)?.first) ?? call(idx.itemProducerCalls.get(sel.id)?.[0]);
    }
    case 'tool_call':
      return call(idx.toolCallStartedBy.get(sel.id));
    case 'turn':
      return call(idx.inferenceCallsByTurn.get(sel.id)?.[0]);
    case 'thread': {
      if (current) {
        const t = current.kind === 'inference_call' ? own(state.inference_calls, current.id)?.thread_id : own(state.compaction_requests, current.id)?.thread_id;
        if (t === sel.id) return current;
      }
      return call(idx.inferenceCallsByThread.get(sel.id)?.[0]);
    }
    case 'raw_payload': {
      for (const o of idx.payloadOwners.get(sel.id) ?? []) {
        if (o.owner.kind === 'inference_call') return call(o.owner.id);
        if (o.owner.kind === 'compaction_request') return { kind: 'compaction_request', id: o.owner.id };
      }
      return null;
    }
    default:
      return null;
  }
}

export function threadOfRequest(state: RolloutTrace, r: RequestRef): string | null {
  return r.kind === 'inference_call' ? (own(state.inference_calls, r.id)?.thread_id ?? null) : (own(state.compaction_requests, r.id)?.thread_id ?? null);
}
