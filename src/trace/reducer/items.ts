/**
 * What every concern may do to a conversation item it did not create: name a
 * producer, and mark it accepted. Kept apart from ./conversation so that the
 * concerns it calls (tools, code cells, history) need not import it back.
 */
import type { ConversationItem, ProducerRef } from '../schema/state';
import type { Reducer } from './core';

export function addProducer(item: ConversationItem, p: ProducerRef): void {
  if (!item.produced_by.some((q) => producerEquals(q, p))) item.produced_by.push(p);
}

function producerEquals(a: ProducerRef, b: ProducerRef): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'inference':
      return a.inference_call_id === (b as typeof a).inference_call_id;
    case 'tool':
      return a.tool_call_id === (b as typeof a).tool_call_id;
    case 'code_cell':
      return a.code_cell_id === (b as typeof a).code_cell_id;
    case 'interaction_edge':
      return a.edge_id === (b as typeof a).edge_id;
    case 'compaction':
      return a.compaction_id === (b as typeof a).compaction_id;
    default:
      return true;
  }
}

export const acceptanceKey = (threadId: string, responsesId: string) => `${threadId}\u0000${responsesId}`;

export function setAccepted(item: ConversationItem, seq: number, wall: number): void {
  item.accepted_at_unix_ms = wall;
  item.accepted_seq = seq;
}

/** A newly created item is accepted if its Responses id already was. */
export function applyPendingAcceptance(r: Reducer, itemId: string, responsesId: string): void {
  const item = r.s.conversation_items.get(itemId)!;
  const acceptance = r.acceptedResponses.get(acceptanceKey(item.thread_id, responsesId));
  if (acceptance) setAccepted(item, acceptance.seq, acceptance.wall);
}
