/**
 * Interaction edges between agents (multi-agent v2). A delivery edge points at
 * the recipient-side conversation item that carried the message, which usually
 * appears later; until then the edge waits in a pending list.
 */
import { compareI64, isJsonObject, parseJson, type JsonValue } from '../json/lossless';
import type { z } from 'zod';
import type { EventOf, TraceEvent } from '../schema/events';
import {
  CollabCloseBeginSchema,
  CollabCloseEndSchema,
  CollabInteractionBeginSchema,
  CollabInteractionEndSchema,
  CollabSpawnEndSchema,
  SubAgentActivitySchema,
} from '../schema/payloads';
import type { RawPayloadRef } from '../schema/common';
import type { InteractionEdge, InteractionEdgeKind, TraceAnchor } from '../schema/state';
import { compareKeys, fail, pushUnique, sortedKeys, type PendingAgentEdge, type Reducer } from './core';

function anchorEquals(a: TraceAnchor, b: TraceAnchor): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'conversation_item':
      return a.item_id === (b as typeof a).item_id;
    case 'tool_call':
      return a.tool_call_id === (b as typeof a).tool_call_id;
    case 'thread':
      return a.thread_id === (b as typeof a).thread_id;
  }
}

function agentPath(r: Reducer, threadId: string): string {
  const t = r.s.threads.get(threadId);
  if (!t) fail(`agent edge referenced unknown thread ${threadId}`);
  return t.agent_path;
}

/** A collab protocol payload, checked as Codex's typed deserialization checks it. */
function typed<T>(schema: z.ZodType<T>, v: JsonValue, what: string): T {
  const r = schema.safeParse(v);
  if (!r.success) fail(`parse ${what} payload`, r.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; '));
  return r.data;
}

function toolPayloadIds(r: Reducer, toolId: string): string[] {
  const t = r.s.tool_calls.get(toolId);
  if (!t) fail(`agent edge referenced unknown tool call ${toolId}`);
  const ids: string[] = [];
  if (t.raw_invocation_payload_id !== null) pushUnique(ids, t.raw_invocation_payload_id);
  for (const id of t.raw_runtime_payload_ids) pushUnique(ids, id);
  if (t.raw_result_payload_id !== null) pushUnique(ids, t.raw_result_payload_id);
  return ids;
}

const toolEdgeId = (toolId: string) => `edge:tool:${toolId}`;

export function agentEdgeFromRuntimeStart(r: Reducer, toolId: string, ref: RawPayloadRef): void {
  const tool = r.s.tool_calls.get(toolId);
  if (!tool) fail(`agent edge referenced unknown tool call ${toolId}`);
  const kind = tool.kind.type;
  if (kind === 'assign_agent_task' || kind === 'send_message') {
    const p = typed(CollabInteractionBeginSchema, r.payload(ref), 'collab interaction begin');
    queueMessageEdge(r, toolId, kind, p.receiver_thread_id, p.prompt, null);
  } else if (kind === 'close_agent') {
    const p = typed(CollabCloseBeginSchema, r.payload(ref), 'collab close begin');
    upsertCloseEdge(r, toolId, p.receiver_thread_id, null);
  }
}

export function agentEdgeFromRuntimeEnd(r: Reducer, ev: TraceEvent, toolId: string, ref: RawPayloadRef): void {
  const tool = r.s.tool_calls.get(toolId)!;
  const kind = tool.kind.type;
  const payload = r.payload(ref);
  const wall = ev.wall_time_unix_ms;
  if (isJsonObject(payload) && 'agent_thread_id' in payload) {
    const p = typed(SubAgentActivitySchema, payload, 'sub-agent activity');
    const target = p.agent_thread_id;
    const activity = p.kind;
    if (kind === 'spawn_agent' && activity === 'started') {
      queueActivityEdge(r, wall, toolId, `edge:spawn:${tool.thread_id}:${target}`, 'spawn_agent', target, target);
    } else if ((kind === 'assign_agent_task' || kind === 'send_message') && activity === 'interacted') {
      queueActivityEdge(r, wall, toolId, toolEdgeId(toolId), kind, target, null);
    } else if (kind === 'close_agent' && activity === 'interrupted') {
      upsertCloseEdge(r, toolId, target, wall);
    } else {
      fail(`sub-agent activity ${activity} does not match tool call kind ${kind}`);
    }
    return;
  }
  if (kind === 'spawn_agent') {
    const p = typed(CollabSpawnEndSchema, payload, 'collab spawn end');
    const child = p.new_thread_id;
    if (child === undefined || child === null) return;
    queueOrResolve(r, {
      edgeId: `edge:spawn:${p.sender_thread_id}:${child}`,
      kind: 'spawn_agent',
      source: { type: 'tool_call', tool_call_id: toolId },
      targetThreadId: child,
      author: agentPath(r, tool.thread_id),
      content: p.prompt,
      spawnFallbackThreadId: child,
      startedAt: tool.execution.started_at_unix_ms,
      endedAt: wall,
      payloadIds: toolPayloadIds(r, toolId),
    });
  } else if (kind === 'assign_agent_task' || kind === 'send_message') {
    const p = typed(CollabInteractionEndSchema, payload, 'collab interaction end');
    queueMessageEdge(r, toolId, kind, p.receiver_thread_id, p.prompt, wall);
  } else if (kind === 'close_agent') {
    const p = typed(CollabCloseEndSchema, payload, 'collab close end');
    upsertCloseEdge(r, toolId, p.receiver_thread_id, wall);
  }
}

function queueMessageEdge(r: Reducer, toolId: string, kind: InteractionEdgeKind, target: string, content: string, endedAt: number | null): void {
  const tool = r.s.tool_calls.get(toolId)!;
  queueOrResolve(r, {
    edgeId: toolEdgeId(toolId),
    kind,
    source: { type: 'tool_call', tool_call_id: toolId },
    targetThreadId: target,
    author: agentPath(r, tool.thread_id),
    content,
    spawnFallbackThreadId: null,
    startedAt: tool.execution.started_at_unix_ms,
    endedAt,
    payloadIds: toolPayloadIds(r, toolId),
  });
}

function queueActivityEdge(r: Reducer, wall: number, toolId: string, edgeId: string, kind: InteractionEdgeKind, target: string, fallback: string | null): void {
  const tool = r.s.tool_calls.get(toolId);
  if (!tool) fail(`agent activity referenced unknown tool call ${toolId}`);
  const author = agentPath(r, tool.thread_id);
  const content = messageFromInvocation(r, toolId);
  queueOrResolve(r, {
    edgeId,
    kind,
    source: { type: 'tool_call', tool_call_id: toolId },
    targetThreadId: target,
    author,
    content,
    spawnFallbackThreadId: fallback,
    startedAt: tool.execution.started_at_unix_ms,
    endedAt: wall,
    payloadIds: toolPayloadIds(r, toolId),
  });
}

/** The `message` argument of the tool's function-call invocation. */
function messageFromInvocation(r: Reducer, toolId: string): string {
  const tool = r.s.tool_calls.get(toolId)!;
  const payloadId = tool.raw_invocation_payload_id;
  if (payloadId === null) fail(`agent activity tool call ${toolId} missing invocation payload`);
  const ref = r.s.raw_payloads.get(payloadId);
  if (!ref) fail(`agent activity tool call ${toolId} referenced missing invocation payload ${payloadId}`);
  const inv = r.payload(ref);
  const inner = isJsonObject(inv) ? inv.payload : undefined;
  const args = isJsonObject(inner) ? inner.arguments : undefined;
  if (typeof args !== 'string') fail(`agent activity tool call ${toolId} missing function arguments`);
  let parsed: JsonValue;
  try {
    parsed = parseJson(args);
  } catch (e) {
    fail(`parse agent activity tool call ${toolId} arguments`, (e as Error).message);
  }
  if (!isJsonObject(parsed) || typeof parsed.message !== 'string') fail(`parse agent activity tool call ${toolId} arguments`, 'missing field `message`');
  return parsed.message;
}

function upsertCloseEdge(r: Reducer, toolId: string, target: string, endedAt: number | null): void {
  if (!r.s.threads.has(target)) return;
  const tool = r.s.tool_calls.get(toolId);
  if (!tool) fail(`close edge referenced unknown tool call ${toolId}`);
  upsertEdge(r, {
    edge_id: toolEdgeId(toolId),
    kind: 'close_agent',
    source: { type: 'tool_call', tool_call_id: toolId },
    target: { type: 'thread', thread_id: target },
    started_at_unix_ms: tool.execution.started_at_unix_ms,
    ended_at_unix_ms: endedAt,
    carried_item_ids: [],
    carried_raw_payload_ids: toolPayloadIds(r, toolId),
  });
}

export function observeAgentResult(r: Reducer, ev: TraceEvent, p: EventOf<'agent_result_observed'>): void {
  const author = agentPath(r, p.child_thread_id);
  const sourceItem = latestAssistantMessage(r, p.child_thread_id, p.child_codex_turn_id);
  queueOrResolve(r, {
    edgeId: p.edge_id,
    kind: 'agent_result',
    source: sourceItem !== null ? { type: 'conversation_item', item_id: sourceItem } : { type: 'thread', thread_id: p.child_thread_id },
    targetThreadId: p.parent_thread_id,
    author,
    content: p.message,
    spawnFallbackThreadId: null,
    startedAt: ev.wall_time_unix_ms,
    endedAt: ev.wall_time_unix_ms,
    payloadIds: p.carried_payload ? [p.carried_payload.raw_payload_id] : [],
  });
}

/** The child's final answer in that turn: latest first-seen time, the last such item in id order on ties. */
function latestAssistantMessage(r: Reducer, threadId: string, turnId: string): string | null {
  let best: string | null = null;
  let bestTime: number | null = null;
  for (const id of sortedKeys(r.s.conversation_items)) {
    const item = r.s.conversation_items.get(id)!;
    if (
      item.thread_id === threadId &&
      item.codex_turn_id === turnId &&
      item.role === 'assistant' &&
      item.kind === 'message' &&
      item.agent_message === undefined &&
      (bestTime === null || compareI64(item.first_seen_at_unix_ms, bestTime) >= 0)
    ) {
      best = id;
      bestTime = item.first_seen_at_unix_ms;
    }
  }
  return best;
}

/** (thread, author, content) of an item that delivered an inter-agent message to its own thread. */
function interAgentMessage(r: Reducer, itemId: string): [string, string, string] | null {
  const item = r.s.conversation_items.get(itemId);
  if (!item || item.role !== 'assistant' || item.kind !== 'message') return null;
  const parts = item.body.parts;
  let author: string;
  let recipient: string;
  let content: string;
  if (item.agent_message) {
    const enc = (p: (typeof parts)[number]) => p.type === 'encoded' && p.label === 'encrypted_content';
    if (parts.length === 1 && parts[0].type === 'text') content = parts[0].text;
    else if (parts.length === 1 && enc(parts[0])) content = (parts[0] as { value: string }).value;
    else if (parts.length === 2 && parts[0].type === 'text' && enc(parts[1])) content = (parts[1] as { value: string }).value;
    else return null;
    author = item.agent_message.author;
    recipient = item.agent_message.recipient;
  } else {
    if (parts.length !== 1 || parts[0].type !== 'text') return null;
    const comm = parseCommunication(parts[0].text);
    if (!comm) return null;
    [author, recipient, content] = comm;
  }
  const thread = r.s.threads.get(item.thread_id);
  if (!thread || recipient !== thread.agent_path) return null;
  return [item.thread_id, author, content];
}

/** A legacy mailbox message serialized as InterAgentCommunication JSON. */
function parseCommunication(text: string): [string, string, string] | null {
  const t = text.trimStart();
  if (!t.startsWith('{')) return null;
  let v: JsonValue;
  try {
    v = parseJson(text);
  } catch {
    return null;
  }
  if (!isJsonObject(v)) return null;
  if (typeof v.author !== 'string' || typeof v.recipient !== 'string' || typeof v.content !== 'string') return null;
  if (typeof v.trigger_turn !== 'boolean') return null;
  const enc = v.encrypted_content;
  if (enc !== undefined && enc !== null && typeof enc !== 'string') return null;
  return [v.author, v.recipient, typeof enc === 'string' ? enc : v.content];
}

function queueOrResolve(r: Reducer, pending: PendingAgentEdge): void {
  const thread = r.s.threads.get(pending.targetThreadId);
  if (thread) {
    for (const itemId of r.transcript(thread.thread_id)) {
      if (r.edgeTargetItems.has(itemId)) continue;
      const m = interAgentMessage(r, itemId);
      if (m && m[1] === pending.author && m[2] === pending.content) {
        upsertForItem(r, pending, itemId);
        return;
      }
    }
  }
  const existing = r.pendingEdges.find((e) => e.edgeId === pending.edgeId);
  if (existing) {
    if (
      existing.kind !== pending.kind ||
      !anchorEquals(existing.source, pending.source) ||
      existing.targetThreadId !== pending.targetThreadId ||
      existing.author !== pending.author ||
      existing.content !== pending.content ||
      existing.spawnFallbackThreadId !== pending.spawnFallbackThreadId
    )
      fail(`pending interaction edge ${pending.edgeId} was observed with conflicting delivery data`);
    existing.startedAt = minStart(existing.startedAt, pending.startedAt);
    existing.endedAt = mergeEnd(existing.endedAt, pending.endedAt);
    for (const id of pending.payloadIds) pushUnique(existing.payloadIds, id);
    return;
  }
  r.pendingEdges.push(pending);
}

function mergeEnd(a: number | null, b: number | null): number | null {
  if (a !== null && b !== null) return compareI64(a, b) >= 0 ? a : b;
  return a ?? b;
}

const minStart = (a: number, b: number) => (compareI64(a, b) <= 0 ? a : b);

/** Each sighted item may be the delivery that a pending edge waits for. */
export function resolvePendingEdgesForItem(r: Reducer, itemId: string): void {
  if (r.pendingEdges.length === 0 || r.edgeTargetItems.has(itemId)) return;
  const m = interAgentMessage(r, itemId);
  if (!m) return;
  const idx = r.pendingEdges.findIndex((e) => e.targetThreadId === m[0] && e.author === m[1] && e.content === m[2]);
  if (idx < 0) return;
  const [pending] = r.pendingEdges.splice(idx, 1);
  upsertForItem(r, pending, itemId);
}

function upsertForItem(r: Reducer, pending: PendingAgentEdge, itemId: string): void {
  upsertEdge(r, {
    edge_id: pending.edgeId,
    kind: pending.kind,
    source: pending.source,
    target: { type: 'conversation_item', item_id: itemId },
    started_at_unix_ms: pending.startedAt,
    ended_at_unix_ms: pending.endedAt,
    carried_item_ids: [itemId],
    carried_raw_payload_ids: pending.payloadIds,
  });
}

function upsertEdge(r: Reducer, edge: InteractionEdge): void {
  const existing = r.s.interaction_edges.get(edge.edge_id);
  if (existing) {
    if (existing.kind !== edge.kind || !anchorEquals(existing.source, edge.source) || !anchorEquals(existing.target, edge.target))
      fail(`interaction edge ${edge.edge_id} was observed with conflicting endpoints`);
    existing.started_at_unix_ms = minStart(existing.started_at_unix_ms, edge.started_at_unix_ms);
    existing.ended_at_unix_ms = mergeEnd(existing.ended_at_unix_ms, edge.ended_at_unix_ms);
    for (const id of edge.carried_item_ids) pushUnique(existing.carried_item_ids, id);
    for (const id of edge.carried_raw_payload_ids) pushUnique(existing.carried_raw_payload_ids, id);
    return;
  }
  r.s.interaction_edges.set(edge.edge_id, edge);
  if (edge.target.type === 'conversation_item') r.edgeTargetItems.add(edge.target.item_id);
}

/** A dispatch result joins the evidence of the first edge (or pending edge) sourced at this tool. */
export function attachToolResultToEdge(r: Reducer, toolId: string, ref: RawPayloadRef | null): void {
  if (!ref) return;
  for (const id of sortedKeys(r.s.interaction_edges)) {
    const e = r.s.interaction_edges.get(id)!;
    if (e.source.type === 'tool_call' && e.source.tool_call_id === toolId) {
      pushUnique(e.carried_raw_payload_ids, ref.raw_payload_id);
      return;
    }
  }
  const pending = r.pendingEdges.find((e) => e.source.type === 'tool_call' && e.source.tool_call_id === toolId);
  if (pending) pushUnique(pending.payloadIds, ref.raw_payload_id);
}

/** End of replay: spawn deliveries never seen fall back to pointing at the child thread. */
export function resolveSpawnFallbacks(r: Reducer): void {
  const pending = r.pendingEdges;
  r.pendingEdges = [];
  for (const e of pending) {
    if (e.spawnFallbackThreadId === null) continue;
    if (e.kind !== 'spawn_agent') fail(`non-spawn interaction edge ${e.edgeId} carried a spawn fallback target`);
    if (!r.s.threads.has(e.spawnFallbackThreadId)) continue;
    upsertEdge(r, {
      edge_id: e.edgeId,
      kind: e.kind,
      source: e.source,
      target: { type: 'thread', thread_id: e.spawnFallbackThreadId },
      started_at_unix_ms: e.startedAt,
      ended_at_unix_ms: e.endedAt,
      carried_item_ids: [],
      carried_raw_payload_ids: e.payloadIds,
    });
  }
}

export { compareKeys };
