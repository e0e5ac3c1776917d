/**
 * Schema 2 history acceptance: `history_item_accepted` names a Responses item
 * id that Codex recorded into a thread's history. Accepted items carry
 * `accepted_at_unix_ms`/`accepted_seq`; response output joins the thread's
 * transcript list only once accepted.
 */
import { isJsonObject } from '../json/lossless';
import type { EventOf, TraceEvent } from '../schema/events';
import type { ConversationItem } from '../schema/state';
import { reconcile } from './conversation';
import { fail, type Reducer } from './core';
import { normalizeItems } from './normalize';

export function acceptHistoryItem(r: Reducer, ev: TraceEvent, p: EventOf<'history_item_accepted'>): void {
  if (ev.thread_id === null) fail('history acceptance has no thread');
  r.thread(ev.thread_id);
  if (p.agent_message_payload) {
    const threadId = ev.thread_id;
    const body = r.exactPayload(p.agent_message_payload);
    if (!isJsonObject(body) || body.id !== p.item_id) fail(`accepted agent message does not match receipt ${p.item_id}`);
    const items = normalizeItems([body], p.agent_message_payload, r.rules);
    const snapshot = r.snapshots.get(threadId) ?? [];
    const ids = reconcile(r, items, {
      threadId,
      turnId: ev.codex_turn_id ?? '',
      wall: ev.wall_time_unix_ms,
      producers: [],
      mode: 'append',
      startIndex: snapshot.length,
      previous: snapshot,
    });
    if (ev.codex_turn_id === null) for (const id of ids) r.s.conversation_items.get(id)!.codex_turn_id = null;
    const snap = r.snapshots.get(threadId);
    if (snap) snap.push(...ids);
    else r.snapshots.set(threadId, ids.slice());
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

const acceptanceKey = (threadId: string, responsesId: string) => `${threadId}\u0000${responsesId}`;

function setAccepted(item: ConversationItem, seq: number, wall: number): void {
  item.accepted_at_unix_ms = wall;
  item.accepted_seq = seq;
}

/** A newly created item is accepted if its Responses id already was. */
export function applyPendingAcceptance(r: Reducer, itemId: string, responsesId: string): void {
  const item = r.s.conversation_items.get(itemId)!;
  const acceptance = r.acceptedResponses.get(acceptanceKey(item.thread_id, responsesId));
  if (acceptance) setAccepted(item, acceptance.seq, acceptance.wall);
}

/** Response output takes its transcript place now; it counts once accepted (or carried by a request). */
export function markResponseItemsProduced(r: Reducer, threadId: string, ids: readonly string[]): void {
  if (!r.rules.acceptedTranscript) return r.appendThreadItems(threadId, ids);
  r.appendThreadItems(threadId, ids, false);
  const accepted = ids.filter((id) => r.s.conversation_items.get(id)!.accepted_seq !== undefined);
  if (accepted.length > 0) r.appendThreadItems(threadId, accepted);
}

