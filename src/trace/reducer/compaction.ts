/** Compaction: request attempts, and the install that replaced a thread's history. */
import { isJsonObject, type JsonValue } from '../json/lossless';
import type { EventOf, TraceEvent } from '../schema/events';
import { createItem, reconcile } from './conversation';
import { compareKeys, fail, runningWindow, type Reducer } from './core';
import { normalizeItems } from './normalize';

export function startCompactionRequest(r: Reducer, ev: TraceEvent, p: EventOf<'compaction_request_started'>): void {
  const id = p.compaction_request_id;
  if (r.s.compaction_requests.has(id)) fail(`duplicate compaction request start for ${id}`);
  r.thread(p.thread_id);
  const turn = r.s.codex_turns.get(p.codex_turn_id);
  if (!turn) fail(`compaction request ${id} referenced unknown codex turn ${p.codex_turn_id}`);
  if (turn.thread_id !== p.thread_id)
    fail(`compaction request ${id} used thread ${p.thread_id}, but codex turn ${p.codex_turn_id} belongs to ${turn.thread_id}`);
  r.s.compaction_requests.set(id, {
    compaction_request_id: id,
    compaction_id: p.compaction_id,
    thread_id: p.thread_id,
    codex_turn_id: p.codex_turn_id,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    model: p.model,
    provider_name: p.provider_name,
    raw_request_payload_id: p.request_payload.raw_payload_id,
    raw_response_payload_id: null,
  });
}

export function finishCompactionRequest(r: Reducer, ev: TraceEvent, p: EventOf<'compaction_request_completed'> | EventOf<'compaction_request_failed'>): void {
  const req = r.s.compaction_requests.get(p.compaction_request_id);
  if (!req) fail(`compaction request completion referenced unknown request ${p.compaction_request_id}`);
  if (req.compaction_id !== p.compaction_id)
    fail(`compaction request ${p.compaction_request_id} completion used compaction ${p.compaction_id}, but start used ${req.compaction_id}`);
  req.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
  req.execution.ended_seq = ev.seq;
  req.execution.status = p.type === 'compaction_request_completed' ? 'completed' : 'failed';
  req.raw_response_payload_id = p.type === 'compaction_request_completed' ? p.response_payload.raw_payload_id : null;
}

export function installCompaction(r: Reducer, ev: TraceEvent, p: EventOf<'compaction_installed'>): void {
  const id = p.compaction_id;
  const threadId = ev.thread_id;
  const turnId = ev.codex_turn_id;
  if (threadId === null) fail(`compaction installed event ${id} did not include a thread id`);
  if (turnId === null) fail(`compaction installed event ${id} did not include a codex turn id`);
  if (r.s.compactions.has(id)) fail(`duplicate compaction install for ${id}`);
  r.thread(threadId);
  const turn = r.s.codex_turns.get(turnId);
  if (!turn) fail(`compaction install ${id} referenced unknown codex turn ${turnId}`);
  if (turn.thread_id !== threadId) fail(`compaction install ${id} used thread ${threadId}, but codex turn ${turnId} belongs to ${turn.thread_id}`);

  const ref = p.checkpoint_payload;
  const payload = r.payload(ref);
  const arrayOf = (k: string): JsonValue[] => {
    const v = isJsonObject(payload) ? payload[k] : undefined;
    if (!Array.isArray(v)) fail(`compaction checkpoint payload ${ref.raw_payload_id} did not contain array ${k}`);
    return v;
  };
  const inputHistory = arrayOf('input_history');
  const replacementHistory = arrayOf('replacement_history');
  const exactArray = (k: string, fallback: JsonValue[]) => () => {
    const exact = r.exactPayload(ref);
    const v = isJsonObject(exact) ? exact[k] : undefined;
    return Array.isArray(v) ? v : fallback;
  };
  const inputItems = normalizeItems(inputHistory, ref, r.rules, exactArray('input_history', inputHistory));
  const replacementItems = normalizeItems(replacementHistory, ref, r.rules, exactArray('replacement_history', replacementHistory));
  const wall = ev.wall_time_unix_ms;
  const inputIds = reconcile(r, inputItems, {
    threadId,
    turnId,
    wall,
    producers: [],
    mode: 'detached',
    startIndex: 0,
    previous: (r.snapshots.get(threadId) ?? []).slice(),
  });
  const producer = { type: 'compaction' as const, compaction_id: id };
  const markerId = createItem(
    r,
    threadId,
    turnId,
    wall,
    { role: 'assistant', channel: null, kind: 'compaction_marker', agent_message: null, parts: [], call_id: null, responsesId: null },
    [producer],
  );
  // Replacement history is new live history: it never reuses a pre-compaction item.
  const replacementIds = reconcile(r, replacementItems, {
    threadId,
    turnId,
    wall,
    producers: [producer],
    mode: 'detached',
    startIndex: 0,
    previous: [],
  });
  r.appendThreadItems(threadId, inputIds);
  r.appendThreadItems(threadId, [markerId]);
  r.appendThreadItems(threadId, replacementIds);
  const requestIds = [...r.s.compaction_requests.values()]
    .filter((q) => q.compaction_id === id)
    .map((q) => q.compaction_request_id)
    .sort(compareKeys);
  r.pendingReplacement.set(threadId, replacementIds.slice());
  r.s.compactions.set(id, {
    compaction_id: id,
    thread_id: threadId,
    codex_turn_id: turnId,
    installed_at_unix_ms: wall,
    marker_item_id: markerId,
    request_ids: requestIds,
    input_item_ids: inputIds,
    replacement_item_ids: replacementIds,
  });
}
