/**
 * The window of a compaction request. The reduced state keeps no request
 * items for it, so the window is the raw request payload's `input`, matched
 * to conversation items through the compaction's `input_item_ids` (by
 * Responses item id first, then by position among the history entries).
 * Pure TS.
 */
import type { RolloutTrace } from '../schema/state';
import { utf8Bytes } from './sizes';
import { own } from '../indexes/refs';
import { isRecord } from '../objects';

export interface CompactionWindowEntry {
  /** Position in the payload's `input`. */
  index: number;
  /** The entry's `type` (message, reasoning, function_call, compaction_trigger, …). */
  type: string;
  role: string | null;
  /** The entry's Responses `id`, when it has one. */
  responsesId: string | null;
  /** Bytes of the entry's JSON text (the whole entry, as sent). */
  jsonBytes: number;
  /** Short one-line preview of its text, if any. */
  preview: string;
  /** The conversation item it is, when the compaction's input history tells it. */
  itemId: string | null;
  matchedBy: 'responses_id' | 'position' | null;
}

export interface CompactionWindow {
  compactionRequestId: string;
  compactionId: string;
  /** The payload's `instructions` string, if any (bytes). */
  instructionsBytes: number;
  entries: CompactionWindowEntry[];
  /** What the entries were matched against: the installed compaction's input_item_ids, or (no compaction installed for this request, e.g. a failed attempt) the window of the thread's previous inference call, by Responses id only. */
  matchedAgainst: 'compaction_input' | 'previous_window' | 'nothing';
  /** Candidate items that no payload entry matched. */
  unmatchedItemIds: string[];
  /** Set when the payload has no `input` array. */
  error: string | null;
}

function previousCall(state: RolloutTrace, threadId: string, beforeSeq: number) {
  let best: RolloutTrace['inference_calls'][string] | null = null;
  for (const c of Object.values(state.inference_calls)) {
    if (c.thread_id !== threadId || c.execution.started_seq >= beforeSeq) continue;
    if (!best || c.execution.started_seq > best.execution.started_seq) best = c;
  }
  return best;
}

function previewOf(entry: Record<string, unknown>): string {
  const texts: string[] = [];
  const take = (v: unknown) => {
    if (typeof v === 'string') texts.push(v);
  };
  if (Array.isArray(entry.content)) for (const c of entry.content) if (isRecord(c)) take(c.text);
  if (Array.isArray(entry.summary)) for (const c of entry.summary) if (isRecord(c)) take(c.text);
  take(entry.arguments);
  take(entry.input);
  take(entry.output);
  if (Array.isArray(entry.output)) for (const c of entry.output) if (isRecord(c)) take(c.text);
  const s = texts.join(' ').replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}

/** Entries that are history items (as opposed to request controls such as `compaction_trigger` or `additional_tools`). */
const NON_HISTORY = new Set(['compaction_trigger', 'additional_tools']);

export function matchCompactionInput(state: RolloutTrace, compactionRequestId: string, payload: unknown): CompactionWindow {
  const req = own(state.compaction_requests, compactionRequestId);
  const compaction = req ? own(state.compactions, req.compaction_id) : undefined;
  let inputIds: readonly string[] = compaction?.input_item_ids ?? [];
  let matchedAgainst: CompactionWindow['matchedAgainst'] = compaction ? 'compaction_input' : 'nothing';
  if (!compaction && req) {
    const prev = previousCall(state, req.thread_id, req.execution.started_seq);
    if (prev) {
      inputIds = [...prev.request_item_ids, ...prev.response_item_ids];
      matchedAgainst = 'previous_window';
    }
  }
  const base = { compactionRequestId, compactionId: req?.compaction_id ?? '', instructionsBytes: 0, matchedAgainst };
  if (!isRecord(payload) || !Array.isArray(payload.input)) {
    return { ...base, entries: [], unmatchedItemIds: [...inputIds], error: 'the request payload has no input array' };
  }
  const instructionsBytes = typeof payload.instructions === 'string' ? utf8Bytes(payload.instructions) : 0;
  const byResponsesId = new Map<string, string>();
  for (const id of inputIds) {
    const rid = own(state.conversation_items, id)?.responses_item_id;
    if (rid && !byResponsesId.has(rid)) byResponsesId.set(rid, id);
  }
  const used = new Set<string>();
  const entries: CompactionWindowEntry[] = payload.input.map((raw, index) => {
    const e = isRecord(raw) ? raw : {};
    const type = typeof e.type === 'string' ? e.type : typeof raw;
    const responsesId = typeof e.id === 'string' ? e.id : null;
    let itemId: string | null = null;
    let matchedBy: CompactionWindowEntry['matchedBy'] = null;
    if (responsesId) {
      const hit = byResponsesId.get(responsesId);
      if (hit && !used.has(hit)) {
        itemId = hit;
        matchedBy = 'responses_id';
        used.add(hit);
      }
    }
    let json: string;
    try {
      json = JSON.stringify(raw) ?? '';
    } catch {
      json = '';
    }
    return {
      index,
      type,
      role: typeof e.role === 'string' ? e.role : null,
      responsesId,
      jsonBytes: utf8Bytes(json),
      preview: previewOf(e),
      itemId,
      matchedBy,
    };
  });
  // Positional fallback (compaction input only): the k-th history entry is the k-th input item, when that item is still free.
  let k = 0;
  if (matchedAgainst === 'compaction_input')
    for (const e of entries) {
      if (NON_HISTORY.has(e.type)) continue;
      const candidate = inputIds[k++];
      if (e.itemId || !candidate || used.has(candidate)) continue;
      e.itemId = candidate;
      e.matchedBy = 'position';
      used.add(candidate);
    }
  return { ...base, instructionsBytes, entries, unmatchedItemIds: inputIds.filter((id) => !used.has(id)), error: null };
}
