/** Conversation items: identity, reconciliation of model-facing payloads, reasoning merge. */
import type { ConversationItem, ConversationPart, ProducerRef } from '../schema/state';
import { attachCodeCellItem, flushPendingCodeCellStarts } from './code-cells';
import { fail, type Reducer } from './core';
import { mapPush } from '../multimap';
import { addProducer, applyPendingAcceptance } from './items';
import type { NormalizedItem } from './normalize';
import { attachToolItem } from './tools';
import { resolvePendingEdgesForItem } from './agents';

export type ReconcileMode = 'full' | 'append' | 'detached';

export interface ReconcileContext {
  threadId: string;
  turnId: string;
  wall: number;
  producers: ProducerRef[];
  mode: ReconcileMode;
  /** Index of the first item in the thread snapshot (append mode). */
  startIndex: number;
  /** Ids to match against: the snapshot (full/append) or the candidates (detached). */
  previous: readonly string[];
  /** Whether sighted call and output items link back to their tool and code cell (default true). */
  linkCalls?: boolean;
}

/** Reduce a batch of normalized items to conversation item ids, reusing known items where they match. */
export function reconcile(r: Reducer, items: NormalizedItem[], ctx: ReconcileContext): string[] {
  const ids: string[] = [];
  const chosen = new Set<string>();
  const prev = ctx.previous;
  for (let offset = 0; offset < items.length; offset++) {
    const item = items[offset];
    const index = ctx.startIndex + offset;
    ensureCallIdConsistency(r, ctx.threadId, item);
    let id: string | null = null;
    if (ctx.mode === 'detached') {
      id = findMatching(r, prev, chosen, item);
    } else {
      const atIndex = index < prev.length ? prev[index] : undefined;
      if (atIndex !== undefined) {
        const usedHere = ctx.mode === 'full' && r.rules.reuseItemOncePerRequest && chosen.has(atIndex);
        if (itemMatches(r, atIndex, item) && !usedHere) id = atIndex;
        else if (ctx.mode === 'full') id = findMatching(r, prev, chosen, item);
        else
          fail(
            `model conversation mismatch while reducing turn ${ctx.turnId} for thread ${ctx.threadId} at item index ${index}: existing item ${atIndex} does not match the current model payload item`,
          );
      } else if (ctx.mode === 'full') id = findMatching(r, prev, chosen, item);
      else id = findByResponsesId(r, ctx.threadId, chosen, item);
    }
    if (id === null) id = createItem(r, ctx.threadId, ctx.turnId, ctx.wall, item, ctx.producers.slice());
    updateFromSighting(r, id, item, ctx.producers);
    if (ctx.linkCalls !== false) {
      attachToolItem(r, id, item.call_id, item.kind);
      attachCodeCellItem(r, id, item.call_id, item.kind);
    }
    resolvePendingEdgesForItem(r, id);
    ids.push(id);
    chosen.add(id);
  }
  flushPendingCodeCellStarts(r);
  return ids;
}

/** Appended output may repeat an item the thread already has: the oldest with its Responses id and content. */
function findByResponsesId(r: Reducer, threadId: string, chosen: Set<string>, item: NormalizedItem): string | null {
  if (item.responsesId === null) return null;
  let best: string | null = null;
  for (const id of r.itemsByResponsesId.get(item.responsesId) ?? []) {
    const stored = r.s.conversation_items.get(id)!;
    if (stored.thread_id === threadId && !chosen.has(id) && matches(stored, item) && (best === null || itemOrdinal(id) < itemOrdinal(best))) best = id;
  }
  return best;
}

const itemOrdinal = (id: string) => Number(id.slice(id.indexOf(':') + 1));

function findMatching(r: Reducer, prev: readonly string[], chosen: Set<string>, item: NormalizedItem): string | null {
  for (const id of prev) {
    if (!chosen.has(id) && itemMatches(r, id, item)) return id;
  }
  return null;
}

export function createItem(r: Reducer, threadId: string, turnId: string | null, wall: number, item: NormalizedItem, producers: ProducerRef[]): string {
  const id = `conversation_item:${r.nextItemOrdinal++}`;
  // Optional fields are laid out as undefined so that, once set, they serialize in the official key order.
  const created: ConversationItem = {
    item_id: id,
    responses_item_id: item.responsesId ?? undefined,
    accepted_at_unix_ms: undefined,
    accepted_seq: undefined,
    thread_id: threadId,
    codex_turn_id: turnId,
    first_seen_at_unix_ms: wall,
    role: item.role,
    channel: item.channel,
    kind: item.kind,
    agent_message: item.agent_message ? { author: item.agent_message.author, recipient: item.agent_message.recipient } : undefined,
    body: { parts: item.parts },
    call_id: item.call_id,
    produced_by: producers,
  };
  r.s.conversation_items.set(id, created);
  if (item.call_id !== null) mapPush(r.itemsByCallId, item.call_id, id);
  if (item.responsesId !== null) {
    mapPush(r.itemsByResponsesId, item.responsesId, id);
    applyPendingAcceptance(r, id, item.responsesId);
  }
  return id;
}

function updateFromSighting(r: Reducer, id: string, item: NormalizedItem, producers: readonly ProducerRef[]): void {
  const stored = r.s.conversation_items.get(id)!;
  if (r.provisionalBodies.delete(id)) stored.body = { parts: item.parts };
  if (stored.kind === 'reasoning') mergeReasoning(stored, item.parts);
  if (stored.responses_item_id === undefined && item.responsesId !== null) {
    // An item first seen without a Responses id takes the id of a later sighting.
    stored.responses_item_id = item.responsesId;
    mapPush(r.itemsByResponsesId, item.responsesId, id);
    applyPendingAcceptance(r, id, item.responsesId);
  }
  for (const p of producers) addProducer(stored, p);
}

/** Raise when a call id is reused in this thread for a different call (or, where outputs are checked too, output). */
function ensureCallIdConsistency(r: Reducer, threadId: string, item: NormalizedItem): void {
  if (item.call_id === null) return;
  if (!r.rules.callIdChecksOutputs && item.kind !== 'function_call' && item.kind !== 'custom_tool_call') return;
  const ids = r.itemsByCallId.get(item.call_id);
  if (!ids) return;
  for (const id of ids) {
    const stored = r.s.conversation_items.get(id)!;
    if (stored.thread_id === threadId && stored.kind === item.kind && !matches(stored, item, false)) {
      fail(`model-visible call id ${item.call_id} was reused with different content`);
    }
  }
}

export function itemMatches(r: Reducer, id: string, item: NormalizedItem): boolean {
  const stored = r.s.conversation_items.get(id);
  return stored !== undefined && matches(stored, item);
}

function matches(stored: ConversationItem, item: NormalizedItem, compareResponsesId = true): boolean {
  if (stored.role !== item.role || stored.channel !== item.channel || stored.kind !== item.kind) return false;
  if (stored.call_id !== item.call_id) return false;
  // Schema 2: the Responses item id is part of identity (a re-sent prefix gets fresh ids); a missing id matches any.
  if (compareResponsesId && stored.responses_item_id !== undefined && item.responsesId !== null && stored.responses_item_id !== item.responsesId) return false;
  const a = stored.agent_message;
  const b = item.agent_message;
  if (a || b) {
    if (!a || !b || a.author !== b.author || a.recipient !== b.recipient) return false;
  }
  return stored.kind === 'reasoning' ? reasoningMatches(stored.body.parts, item.parts) : partsMatch(stored.body.parts, item.parts);
}

/** Equal part by part; JSON parts compare only their summaries. */
export function partsMatch(a: readonly ConversationPart[], b: readonly ConversationPart[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!partEquals(a[i], b[i])) return false;
  return true;
}

function partEquals(a: ConversationPart, b: ConversationPart): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'text':
    case 'summary':
      return a.text === (b as typeof a).text;
    case 'encoded':
      return a.label === (b as typeof a).label && a.value === (b as typeof a).value;
    case 'json':
      return a.summary === (b as typeof a).summary;
    case 'code':
      return a.language === (b as typeof a).language && a.source === (b as typeof a).source;
    case 'payload_ref': {
      const o = b as typeof a;
      if (a.label !== o.label || a.content_sha256 !== o.content_sha256) return false;
      // Hashed content is its own identity; a bare reference is only equal to itself.
      return a.content_sha256 !== undefined || a.raw_payload_id === o.raw_payload_id;
    }
  }
}

function firstEncoded(parts: readonly ConversationPart[]): { label: string; value: string } | null {
  for (const p of parts) if (p.type === 'encoded') return p;
  return null;
}

/** Reasoning items are the same item when bodies match or their encrypted blobs do. */
function reasoningMatches(a: readonly ConversationPart[], b: readonly ConversationPart[]): boolean {
  if (partsMatch(a, b)) return true;
  const ea = firstEncoded(a);
  const eb = firstEncoded(b);
  return ea !== null && eb !== null && ea.label === eb.label && ea.value === eb.value;
}

/** The first readable form seen wins; later sightings only fill a missing text or summary. */
function mergeReasoning(stored: ConversationItem, incoming: readonly ConversationPart[]): void {
  const existing = stored.body.parts;
  if (partsMatch(existing, incoming)) return;
  if (!reasoningMatches(existing, incoming)) fail('reasoning item merge attempted with different encrypted_content identity');
  const texts = existing.filter((p) => p.type === 'text');
  const summaries = existing.filter((p) => p.type === 'summary');
  if (texts.length > 0 && summaries.length > 0) return;
  const newTexts = texts.length > 0 ? texts : incoming.filter((p) => p.type === 'text');
  const newSummaries = summaries.length > 0 ? summaries : incoming.filter((p) => p.type === 'summary');
  stored.body.parts = [...newTexts, ...newSummaries, ...existing.filter((p) => p.type === 'encoded')];
}
