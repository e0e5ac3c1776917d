/** Inference calls and their request windows. */
import { isJsonObject, type JsonValue } from '../json/lossless';
import type { EventOf, TraceEvent } from '../schema/events';
import type { RawPayloadRef } from '../schema/common';
import type { ExecutionStatus } from '../schema/state';
import { reconcile } from './conversation';
import { compareKeys, fail, runningWindow, type Reducer } from './core';
import { mapPush } from '../multimap';
import { normalizeItems, normalizeWindow, tokenUsage } from './normalize';
import { markResponseItemsProduced } from './history';

export function startInference(r: Reducer, ev: TraceEvent, p: EventOf<'inference_started'>): void {
  const id = p.inference_call_id;
  if (r.s.inference_calls.has(id)) fail(`duplicate inference start for ${id}`);
  const turn = r.s.codex_turns.get(p.codex_turn_id);
  if (!turn) fail(`inference start ${id} referenced unknown codex turn ${p.codex_turn_id}`);
  if (turn.thread_id !== p.thread_id) fail(`inference start ${id} used thread ${p.thread_id}, but codex turn ${p.codex_turn_id} belongs to ${turn.thread_id}`);
  const requestIds = reduceRequest(r, ev, id, p.thread_id, p.codex_turn_id, p.request_payload);
  r.thread(p.thread_id);
  r.s.inference_calls.set(id, {
    inference_call_id: id,
    thread_id: p.thread_id,
    codex_turn_id: p.codex_turn_id,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    model: p.model,
    provider_name: p.provider_name,
    response_id: null,
    upstream_request_id: null,
    request_item_ids: requestIds,
    response_item_ids: [],
    tool_call_ids_started_by_response: [],
    usage: null,
    raw_request_payload_id: p.request_payload.raw_payload_id,
    // Admission has made the payload present exactly when the rules keep it.
    prepared_prompt_payload_id: r.rules.preparedPrompt ? p.prepared_prompt_payload?.raw_payload_id : undefined,
    raw_response_payload_id: null,
  });
  mapPush(r.inferencesByTurn, p.codex_turn_id, id);
}

function reduceRequest(r: Reducer, ev: TraceEvent, callId: string, threadId: string, turnId: string, ref: RawPayloadRef): string[] {
  const payload = r.payload(ref);
  const input = isJsonObject(payload) ? payload.input : undefined;
  if (input === undefined) fail(`inference request payload ${ref.raw_payload_id} did not contain input`);
  if (!Array.isArray(input)) fail(`inference request payload ${ref.raw_payload_id} had non-array input`);
  const exactItems = () => {
    const exact = r.exactPayload(ref);
    return isJsonObject(exact) && Array.isArray(exact.input) ? exact.input : input;
  };
  const window = r.eventPayloads.get(r.payloadKey(ref))?.window;
  const items = window?.derived ? normalizeWindow(input, ref, r.rules, window, exactItems) : normalizeItems(input, ref, r.rules, exactItems);
  const prevResponseId = isJsonObject(payload) && typeof payload.previous_response_id === 'string' ? payload.previous_response_id : null;
  const replacement = prevResponseId === null ? r.pendingReplacement.get(threadId) : undefined;
  let ids: string[];
  if (prevResponseId !== null) {
    const prior = findByResponseId(r, threadId, prevResponseId);
    if (!prior) fail(`incremental inference request ${callId} referenced unknown previous_response_id ${prevResponseId}`);
    const prefix = [...prior.request_item_ids, ...prior.response_item_ids];
    const delta = reconcile(r, items, {
      threadId,
      turnId,
      wall: ev.wall_time_unix_ms,
      producers: [],
      mode: 'append',
      startIndex: prefix.length,
      previous: r.snapshots.get(threadId) ?? [],
    });
    ids = [...prefix, ...delta];
  } else {
    ids = reconcile(r, items, {
      threadId,
      turnId,
      wall: ev.wall_time_unix_ms,
      producers: [],
      mode: 'full',
      startIndex: 0,
      previous: replacement ?? r.snapshots.get(threadId) ?? [],
    });
  }
  r.appendThreadItems(threadId, ids);
  if (replacement !== undefined) r.pendingReplacement.delete(threadId);
  r.snapshots.set(threadId, ids.slice());
  return ids;
}

/** The first call (in id order) on this thread whose response carried this id. */
function findByResponseId(r: Reducer, threadId: string, responseId: string) {
  const ids = r.inferencesByResponseId.get(responseId);
  if (!ids) return null;
  let best: string | null = null;
  for (const id of ids) {
    const call = r.s.inference_calls.get(id)!;
    if (call.thread_id === threadId && call.response_id === responseId && (best === null || compareKeys(id, best) < 0)) best = id;
  }
  return best === null ? null : r.s.inference_calls.get(best)!;
}

type Terminal = EventOf<'inference_completed'> | EventOf<'inference_failed'> | EventOf<'inference_cancelled'>;

export function finishInference(r: Reducer, ev: TraceEvent, p: Terminal): void {
  const id = p.inference_call_id;
  if (!r.s.inference_calls.has(id)) fail(`inference completion referenced unknown call ${id}`);
  const status: ExecutionStatus = p.type === 'inference_completed' ? 'completed' : p.type === 'inference_failed' ? 'failed' : 'cancelled';
  const responseRef = p.type === 'inference_completed' ? p.response_payload : p.partial_response_payload;
  const responseId = p.type === 'inference_completed' ? p.response_id : null;
  const responseIds = responseRef ? reduceResponse(r, ev, id, responseRef) : null;
  const call = r.s.inference_calls.get(id)!;
  setResponseId(r, id, call.response_id, responseId);
  call.response_id = responseId;
  if (call.execution.status === 'running') {
    call.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
    call.execution.ended_seq = ev.seq;
    call.execution.status = status;
  }
  if (p.upstream_request_id !== null) call.upstream_request_id = p.upstream_request_id;
  if (responseRef) call.raw_response_payload_id = responseRef.raw_payload_id;
  if (responseIds) {
    for (const item of call.response_item_ids) r.inferencesByResponseItem.get(item)?.delete(id);
    call.response_item_ids = responseIds;
    for (const item of responseIds) {
      let set = r.inferencesByResponseItem.get(item);
      if (!set) r.inferencesByResponseItem.set(item, (set = new Set()));
      set.add(id);
    }
  }
}

function setResponseId(r: Reducer, callId: string, old: string | null, next: string | null): void {
  if (old === next) return;
  if (old !== null) r.inferencesByResponseId.get(old)?.delete(callId);
  if (next !== null) {
    let set = r.inferencesByResponseId.get(next);
    if (!set) r.inferencesByResponseId.set(next, (set = new Set()));
    set.add(callId);
  }
}

function reduceResponse(r: Reducer, ev: TraceEvent, callId: string, ref: RawPayloadRef): string[] {
  const payload = r.exactPayload(ref);
  const output = isJsonObject(payload) ? payload.output_items : undefined;
  if (!Array.isArray(output)) fail(`inference response payload ${ref.raw_payload_id} did not contain output_items`);
  const call = r.s.inference_calls.get(callId)!;
  const items = normalizeItems(output as JsonValue[], ref, r.rules);
  const snapshot = r.snapshots.get(call.thread_id) ?? [];
  const ids = reconcile(r, items, {
    threadId: call.thread_id,
    turnId: call.codex_turn_id,
    wall: ev.wall_time_unix_ms,
    producers: [{ type: 'inference', inference_call_id: callId }],
    mode: 'append',
    startIndex: snapshot.length,
    previous: snapshot,
  });
  // Schema 2: response items join the thread's transcript when Codex accepts them into history.
  markResponseItemsProduced(r, call.thread_id, ids);
  const snap = r.snapshots.get(call.thread_id);
  if (snap) snap.push(...ids);
  else r.snapshots.set(call.thread_id, ids.slice());
  const usage = tokenUsage(isJsonObject(payload) ? payload.token_usage : undefined);
  if (usage) call.usage = usage;
  return ids;
}

/** A turn end closes its still-running inference calls. */
export function closeInferencesForTurnEnd(r: Reducer, ev: TraceEvent, turnId: string, turnStatus: ExecutionStatus): void {
  if (turnStatus === 'running') return;
  const status: ExecutionStatus = turnStatus === 'failed' ? 'failed' : turnStatus === 'aborted' ? 'aborted' : 'cancelled';
  for (const id of r.inferencesByTurn.get(turnId) ?? []) {
    const call = r.s.inference_calls.get(id)!;
    if (call.execution.status === 'running') {
      call.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
      call.execution.ended_seq = ev.seq;
      call.execution.status = status;
    }
  }
}
