/**
 * History acceptance (schema 2 on): `history_item_accepted` names a Responses
 * item id that Codex recorded into a thread's history. Accepted items carry
 * `accepted_at_unix_ms`/`accepted_seq`; response output joins the thread's
 * transcript list only once accepted. Schema 3 may carry the item itself.
 */
import { isJsonObject } from '../json/lossless';
import type { EventOf, TraceEvent } from '../schema/events';
import type { RawPayloadRef } from '../schema/common';
import type { ProducerRef } from '../schema/state';
import { reconcile } from './conversation';
import { fail, type Reducer } from './core';
import { acceptanceKey, setAccepted } from './items';
import { normalizeItems, type NormalizedItem } from './normalize';
import { singleToolForVisibleCall } from './tools';

export function acceptHistoryItem(r: Reducer, ev: TraceEvent, p: EventOf<'history_item_accepted'>): void {
  if (ev.thread_id === null) fail('history acceptance has no thread');
  r.thread(ev.thread_id);
  // Admission has dropped tool_output_payload for generations whose reducer ignores it.
  for (const ref of [p.agent_message_payload, p.tool_output_payload]) {
    if (!ref) continue;
    if (r.rules.toolOutputPayload) acceptItemPayload(r, ev, p.item_id, ref);
    else acceptAgentMessage(r, ev, p.item_id, ref);
  }
  // Acceptance belongs to the Responses item id within the event's thread: items
  // created there later with the same id (compaction replacements) are accepted too.
  const key = acceptanceKey(ev.thread_id, p.item_id);
  if (!r.acceptedResponses.has(key)) r.acceptedResponses.set(key, { seq: ev.seq, wall: ev.wall_time_unix_ms });
  const acceptance = r.acceptedResponses.get(key)!;
  for (const id of r.itemsByResponsesId.get(p.item_id) ?? []) {
    const item = r.s.conversation_items.get(id)!;
    if (item.thread_id !== ev.thread_id) continue;
    if (item.accepted_seq === undefined) setAccepted(item, acceptance.seq, acceptance.wall);
    r.appendThreadItems(item.thread_id, [item.item_id]);
  }
}

/** Schema 2: the accepted agent message joins the thread's model-visible sequence, as if a response had produced it. */
function acceptAgentMessage(r: Reducer, ev: TraceEvent, itemId: string, ref: RawPayloadRef): void {
  const body = r.exactPayload(ref);
  if (!isJsonObject(body) || body.id !== itemId) fail(`accepted agent message does not match receipt ${itemId}`);
  appendCarried(r, ev, normalizeItems([body], ref, r.rules), [], true);
}

/**
 * Schema 3: an agent message or a tool output, whichever field carries it
 * (0.171.0 treats both alike). A tool output names its tool as producer, but
 * the tool and its code cell are not linked to it until a model payload
 * carries it again, and that payload then gives the item its body.
 */
function acceptItemPayload(r: Reducer, ev: TraceEvent, itemId: string, ref: RawPayloadRef): void {
  const items = normalizeItems([r.exactPayload(ref)], ref, r.rules);
  const item = items.length === 1 ? items[0] : undefined;
  const carried = item !== undefined && (item.agent_message !== null || item.kind === 'function_call_output' || item.kind === 'custom_tool_call_output');
  if (!carried || item.responsesId !== itemId) fail(`accepted item payload does not match ${itemId}`);
  const tool = item.call_id === null ? null : singleToolForVisibleCall(r, item.call_id);
  const before = r.nextItemOrdinal;
  const ids = appendCarried(r, ev, items, tool === null ? [] : [{ type: 'tool', tool_call_id: tool }], false);
  for (const id of ids) if (itemOrdinal(id) >= before) r.provisionalBodies.add(id);
}

function appendCarried(r: Reducer, ev: TraceEvent, items: NormalizedItem[], producers: ProducerRef[], linkCalls: boolean): string[] {
  const threadId = ev.thread_id!;
  const snapshot = r.snapshots.get(threadId) ?? [];
  const ids = reconcile(r, items, {
    threadId,
    turnId: ev.codex_turn_id ?? '',
    wall: ev.wall_time_unix_ms,
    producers,
    mode: 'append',
    startIndex: snapshot.length,
    previous: snapshot,
    linkCalls,
  });
  if (ev.codex_turn_id === null) for (const id of ids) r.s.conversation_items.get(id)!.codex_turn_id = null;
  const snap = r.snapshots.get(threadId);
  if (snap) snap.push(...ids);
  else r.snapshots.set(threadId, ids.slice());
  return ids;
}

const itemOrdinal = (id: string) => Number(id.slice(id.indexOf(':') + 1));

/** Response output takes its transcript place now; it counts once accepted (or carried by a request). */
export function markResponseItemsProduced(r: Reducer, threadId: string, ids: readonly string[]): void {
  if (!r.rules.acceptedTranscript) return r.appendThreadItems(threadId, ids);
  r.appendThreadItems(threadId, ids, false);
  const accepted = ids.filter((id) => r.s.conversation_items.get(id)!.accepted_seq !== undefined);
  if (accepted.length > 0) r.appendThreadItems(threadId, accepted);
}
