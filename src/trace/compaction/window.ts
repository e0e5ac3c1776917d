/**
 * "What the model saw at the selected moment": the inference call whose
 * request window stands for a selection, within one thread. Pure TS.
 *
 * The call is the one the request-window panel focuses for the same selection
 * (`requestForSelection`), so both panels show the same window. Where that is
 * not an inference call of this thread (a compaction request, a request of
 * another thread, nothing), the latest call of the thread that started at or
 * before the selection; with no selection, or an item of another thread, the
 * thread's latest call.
 */
import type { TraceIndexes } from '../indexes/build';
import type { ObjectRef } from '../indexes/refs';
import type { RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';
import { latestCallAtOrBefore, momentOf, requestForSelection, threadOfRequest, type FocusReason } from '../windows/focus';

export interface ModelView {
  /** The inference call whose request window is shown. */
  callId: string;
  /** Why this call: the selection itself, the first call that carried the item, … */
  reason: FocusReason;
}

export function modelViewAt(
  state: RolloutTrace,
  idx: TraceIndexes,
  threadId: string,
  selection: ObjectRef | null,
  currentCallId: string | null = null,
): ModelView | null {
  const calls = (idx.inferenceCallsByThread.get(threadId) ?? []).filter((id) => own(state.inference_calls, id));
  if (calls.length === 0) return null;
  const latest: ModelView = { callId: calls[calls.length - 1], reason: 'latest' };
  if (!selection) return latest;
  const f = requestForSelection(state, idx, selection, currentCallId ? { kind: 'inference_call', id: currentCallId } : null);
  if (f?.request.kind === 'inference_call' && threadOfRequest(state, f.request) === threadId) return { callId: f.request.id, reason: f.reason };
  const m = momentOf(state, selection);
  if (!m || (selection.kind === 'conversation_item' && m.threadId !== threadId)) return latest;
  const c = latestCallAtOrBefore(state, idx, threadId, m.seq, m.ms);
  return c ? { callId: c.inference_call_id, reason: 'latest_before' } : latest;
}
