/**
 * Item lifetime: the span of inference calls whose request window carried a
 * conversation item, first to last, and how that span ended. Pure TS.
 */
import type { TraceIndexes } from '../indexes/build';
import type { RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';

export type LifetimeEnd =
  /** Still in the window of the thread's last call. */
  | { type: 'live' }
  /** Listed in the input of a compaction installed after its last window. */
  | { type: 'compacted'; compactionId: string }
  /** Left the window at this call without a compaction. */
  | { type: 'dropped'; atCallId: string }
  /** Never part of any request window (e.g. a response that was never sent back, or a compaction marker). */
  | { type: 'never' };

export interface ItemLifetime {
  itemId: string;
  threadId: string;
  /** Inference calls whose request window carried the item, in call order. */
  callIds: readonly string[];
  firstCallId: string | null;
  lastCallId: string | null;
  /** The call whose response produced it, if any. */
  producerCallId: string | null;
  /** Calls of the thread between the first and the last carrier that did not carry it. */
  gapCallIds: readonly string[];
  /** Time span for timelines: from the producer's (or first carrier's) start to the last carrier's end. Null when never carried or produced. */
  startMs: number | null;
  endMs: number | null;
  end: LifetimeEnd;
}

export function computeItemLifetime(state: RolloutTrace, idx: TraceIndexes, itemId: string): ItemLifetime | null {
  const item = own(state.conversation_items, itemId);
  if (!item) return null;
  const callIds = idx.requestCallsOf(itemId).filter((id) => own(state.inference_calls, id));
  const producerCallId = idx.itemProducerCalls.get(itemId)?.[0] ?? null;
  const firstCallId = callIds[0] ?? null;
  const lastCallId = callIds[callIds.length - 1] ?? null;
  const threadCalls = idx.inferenceCallsByThread.get(item.thread_id) ?? [];
  const gapCallIds: string[] = [];
  let end: LifetimeEnd = { type: 'never' };
  if (firstCallId && lastCallId) {
    const carried = new Set(callIds);
    const a = threadCalls.indexOf(firstCallId);
    const b = threadCalls.indexOf(lastCallId);
    if (a >= 0 && b >= a) for (let i = a + 1; i < b; i++) if (!carried.has(threadCalls[i])) gapCallIds.push(threadCalls[i]);
    const next = b >= 0 && b + 1 < threadCalls.length ? threadCalls[b + 1] : null;
    const replaced = idx.itemReplacedBy.get(itemId) ?? [];
    if (!next) end = replaced.length > 0 ? { type: 'compacted', compactionId: replaced[replaced.length - 1] } : { type: 'live' };
    else if (replaced.length > 0) end = { type: 'compacted', compactionId: replaced[replaced.length - 1] };
    else end = { type: 'dropped', atCallId: next };
  } else {
    const replaced = idx.itemReplacedBy.get(itemId) ?? [];
    if (replaced.length > 0) end = { type: 'compacted', compactionId: replaced[replaced.length - 1] };
  }
  const startCall = producerCallId ? own(state.inference_calls, producerCallId) : firstCallId ? own(state.inference_calls, firstCallId) : undefined;
  const lastCall = lastCallId ? own(state.inference_calls, lastCallId) : startCall;
  const startMs = startCall ? startCall.execution.started_at_unix_ms : null;
  const endMs = lastCall ? (lastCall.execution.ended_at_unix_ms ?? lastCall.execution.started_at_unix_ms) : null;
  return { itemId, threadId: item.thread_id, callIds, firstCallId, lastCallId, producerCallId, gapCallIds, startMs, endMs, end };
}
