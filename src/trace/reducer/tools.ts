/** Tool calls: dispatch boundaries, runtime observations, and links to model-visible items. */
import { isJsonObject, parseJson, type JsonValue } from '../json/lossless';
import type { RawPayloadRef, ToolCallKind } from '../schema/common';
import type { EventOf, TraceEvent } from '../schema/events';
import type { ConversationItem, ToolCall, ToolCallRequester } from '../schema/state';
import { agentEdgeFromRuntimeEnd, agentEdgeFromRuntimeStart, attachToolResultToEdge } from './agents';
import { codeCellIdForRuntime, linkToolToCodeCell } from './code-cells';
import { compareKeys, fail, pushUnique, runningWindow, type Reducer } from './core';
import { mapPush } from '../multimap';
import { addProducer } from './items';
import { endTerminalOperation, resolveStdinTarget, startTerminalFromInvocation, startTerminalFromRuntime, syncTerminalObservation } from './terminal';

const CALL_KINDS = new Set(['function_call', 'custom_tool_call']);
const OUTPUT_KINDS = new Set(['function_call_output', 'custom_tool_call_output']);

export function startTool(r: Reducer, ev: TraceEvent, p: EventOf<'tool_call_started'>): void {
  const id = p.tool_call_id;
  if (r.s.tool_calls.has(id)) fail(`duplicate tool call start for ${id}`);
  if (p.model_visible_call_id !== null) {
    const existing = singleToolForVisibleCall(r, p.model_visible_call_id);
    if (existing !== null && existing !== id) fail(`duplicate tool call for model-visible call id ${p.model_visible_call_id}`);
  }
  const threadId = toolThread(r, ev);
  if (!r.s.threads.has(threadId)) fail(`tool call start referenced unknown thread ${threadId}`);
  if (ev.codex_turn_id !== null) {
    const turn = r.s.codex_turns.get(ev.codex_turn_id);
    if (!turn) fail(`tool call start referenced unknown Codex turn ${ev.codex_turn_id}`);
    if (turn.thread_id !== threadId) fail(`tool call start used thread ${threadId}, but Codex turn ${ev.codex_turn_id} belongs to ${turn.thread_id}`);
  }
  const requester: ToolCallRequester =
    p.requester.type === 'model'
      ? { type: 'model' }
      : { type: 'code_cell', code_cell_id: codeCellIdForRuntime(r, threadId, p.requester.runtime_cell_id, 'code-mode nested tool') };
  const callItems = p.model_visible_call_id !== null ? visibleItems(r, threadId, p.model_visible_call_id, CALL_KINDS) : [];
  const outputItems = p.model_visible_call_id !== null ? visibleItems(r, threadId, p.model_visible_call_id, OUTPUT_KINDS) : [];
  const operationId = startTerminalFromInvocation(r, ev, threadId, id, p.kind, p.invocation_payload);
  // Schema 3 links waits only through `code_cell_wait_target_resolved`; the arguments are not read.
  if (!r.rules.waitTargetResolved) linkWaitTool(r, threadId, id, p.invocation_payload);
  const tool: ToolCall = {
    tool_call_id: id,
    mcp_call_id: null,
    model_visible_call_id: p.model_visible_call_id,
    code_mode_runtime_tool_id: p.code_mode_runtime_tool_id,
    resolved_wait_runtime_cell_id: undefined,
    started_code_cell_id:
      r.rules.startedCodeCellId &&
      p.model_visible_call_id !== null &&
      p.kind.type === 'other' &&
      p.kind.name === 'exec' &&
      r.s.code_cells.has(`code_cell:${p.model_visible_call_id}`)
        ? `code_cell:${p.model_visible_call_id}`
        : undefined,
    thread_id: threadId,
    started_by_codex_turn_id: ev.codex_turn_id,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    requester,
    kind: p.kind,
    model_visible_call_item_ids: callItems,
    model_visible_output_item_ids: [],
    terminal_operation_id: operationId,
    summary: operationId !== null ? { type: 'terminal', operation_id: operationId } : p.summary,
    raw_invocation_payload_id: p.invocation_payload?.raw_payload_id ?? null,
    raw_result_payload_id: null,
    raw_runtime_payload_ids: [],
  };
  r.s.tool_calls.set(id, tool);
  if (p.model_visible_call_id !== null) mapPush(r.toolsByVisibleCallId, p.model_visible_call_id, id);
  if (p.invocation_payload) r.invocationPayloads.set(r.payloadKey(p.invocation_payload), r.exactPayload(p.invocation_payload));
  linkToolToCodeCell(r, id, requester);
  linkToInferenceResponse(r, id);
  for (const item of outputItems) addOutputItem(r, id, item);
  syncTerminalObservation(r, id);
}

function toolThread(r: Reducer, ev: TraceEvent): string {
  if (ev.thread_id !== null) return ev.thread_id;
  if (ev.codex_turn_id === null) fail('tool call start did not include thread or Codex turn context');
  const turn = r.s.codex_turns.get(ev.codex_turn_id);
  if (!turn) fail(`tool call start referenced unknown Codex turn ${ev.codex_turn_id}`);
  return turn.thread_id;
}

/** Items of this thread with the call id and one of the kinds, in item-id order. */
function visibleItems(r: Reducer, threadId: string, callId: string, kinds: Set<string>): string[] {
  const out: string[] = [];
  for (const itemId of r.itemsByCallId.get(callId) ?? []) {
    const item = r.s.conversation_items.get(itemId)!;
    if (item.thread_id === threadId && kinds.has(item.kind)) out.push(itemId);
  }
  return out.sort(compareKeys);
}

/** The one tool with this model-visible call id, across all threads. */
export function singleToolForVisibleCall(r: Reducer, callId: string): string | null {
  const ids = r.toolsByVisibleCallId.get(callId);
  if (!ids || ids.length === 0) return null;
  if (ids.length > 1) fail(`multiple tool calls matched model-visible call id ${callId}`);
  return ids[0];
}

export function mustTool(r: Reducer, id: string, what: string, noun = 'call'): ToolCall {
  const t = r.s.tool_calls.get(id);
  if (!t) fail(`${what} referenced unknown ${noun} ${id}`);
  return t;
}

export function assignMcp(r: Reducer, _ev: TraceEvent, p: EventOf<'mcp_tool_call_correlation_assigned'>): void {
  const t = r.s.tool_calls.get(p.tool_call_id);
  if (!t) fail(`MCP correlation referenced unknown tool call ${p.tool_call_id}`);
  const had = t.mcp_call_id !== null;
  t.mcp_call_id = p.mcp_call_id;
  if (had) fail(`duplicate MCP correlation for tool call ${p.tool_call_id}`);
}

export function stdinTargetResolved(r: Reducer, ev: TraceEvent, p: EventOf<'stdin_target_resolved'>): void {
  mustTool(r, p.tool_call_id, 'stdin target resolution');
  resolveStdinTarget(r, ev, p.tool_call_id, p.exec_tool_call_id);
}

/** Schema 3: Codex names the cell a `wait` resolved to; a cell not (yet) known is kept by its runtime id only. */
export function waitTargetResolved(r: Reducer, ev: TraceEvent, p: EventOf<'code_cell_wait_target_resolved'>): void {
  // The envelope's context is checked before the tool is looked up (0.171.0).
  if (ev.thread_id === null) fail('confirmed wait missing thread');
  if (ev.codex_turn_id === null) fail('confirmed wait missing turn');
  const t = mustTool(r, p.tool_call_id, 'confirmed wait', 'dispatch');
  if (t.resolved_wait_runtime_cell_id !== undefined) fail(`duplicate confirmed wait target for ${p.tool_call_id}`);
  t.resolved_wait_runtime_cell_id = p.runtime_cell_id;
  const cellId = r.cellIdsByRuntime.get(`${t.thread_id}\u0000${p.runtime_cell_id}`);
  const cell = cellId === undefined ? undefined : r.s.code_cells.get(cellId);
  if (cell) pushUnique(cell.wait_tool_call_ids, t.tool_call_id);
}

export function endTool(r: Reducer, ev: TraceEvent, p: EventOf<'tool_call_ended'>): void {
  const t = mustTool(r, p.tool_call_id, 'tool call end');
  t.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
  t.execution.ended_seq = ev.seq;
  t.execution.status = p.status;
  t.raw_result_payload_id = p.result_payload?.raw_payload_id ?? null;
  if (t.raw_runtime_payload_ids.length === 0 && t.terminal_operation_id !== null) {
    endTerminalOperation(r, ev, t.thread_id, t.terminal_operation_id, p.status, p.result_payload);
  }
  attachToolResultToEdge(r, t.tool_call_id, p.result_payload);
}

export function startToolRuntime(r: Reducer, ev: TraceEvent, p: EventOf<'tool_call_runtime_started'>): void {
  const t = mustTool(r, p.tool_call_id, 'tool runtime start');
  pushUnique(t.raw_runtime_payload_ids, p.runtime_payload.raw_payload_id);
  // Schema 2 and 3 carry the runtime's own kind, which replaces the call's; schema 1 keeps the call's.
  if (p.kind) t.kind = p.kind;
  else if (r.rules.mcpKindFromRuntimeInvocation) t.kind = mcpKindOf(r, p.runtime_payload) ?? t.kind;
  const terminalKind = t.kind.type === 'exec_command' || t.kind.type === 'write_stdin';
  if (t.terminal_operation_id !== null && terminalKind) fail(`tool runtime start would create a second terminal operation for ${t.tool_call_id}`);
  const operationId = startTerminalFromRuntime(r, ev, t, p.runtime_payload);
  if (operationId !== null) {
    if (t.terminal_operation_id === null) {
      t.terminal_operation_id = operationId;
      t.summary = { type: 'terminal', operation_id: operationId };
    }
    syncTerminalObservation(r, t.tool_call_id);
  }
  agentEdgeFromRuntimeStart(r, t.tool_call_id, p.runtime_payload);
}

/**
 * The `mcp` kind an MCP begin payload names: `{invocation: {server, tool,
 * arguments?}}` (serde also takes `[server, tool, arguments]`). Null when the
 * payload has no `invocation`; a malformed one is an error.
 */
function mcpKindOf(r: Reducer, ref: RawPayloadRef): ToolCallKind | null {
  const body = r.payload(ref);
  if (!isJsonObject(body) || !Object.hasOwn(body, 'invocation')) return null;
  const inv = body.invocation;
  const bad = (cause: string): never => fail(`parse MCP runtime invocation in ${ref.raw_payload_id}`, cause);
  let server: unknown;
  let tool: unknown;
  if (Array.isArray(inv)) {
    if (inv.length !== 3)
      bad(
        inv.length < 3
          ? `invalid length ${inv.length}, expected struct McpInvocation with 3 elements`
          : `invalid length ${inv.length}, expected fewer elements in array`,
      );
    [server, tool] = inv;
  } else if (isJsonObject(inv)) {
    if (!Object.hasOwn(inv, 'server')) bad('missing field `server`');
    if (!Object.hasOwn(inv, 'tool')) bad('missing field `tool`');
    ({ server, tool } = inv);
  } else bad(`invalid type: ${serdeKind(inv)}, expected struct McpInvocation`);
  for (const v of [server, tool]) if (typeof v !== 'string') bad(`invalid type: ${serdeKind(v as JsonValue)}, expected a string`);
  return { type: 'mcp', server: server as string, tool: tool as string };
}

/** How serde names a JSON value's type in its errors. */
function serdeKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'sequence';
  if (isJsonObject(v)) return 'map';
  if (typeof v === 'string') return 'string';
  return typeof v === 'boolean' ? 'boolean' : 'number';
}

export function endToolRuntime(r: Reducer, ev: TraceEvent, p: EventOf<'tool_call_runtime_ended'>): void {
  const t = mustTool(r, p.tool_call_id, 'tool runtime end');
  pushUnique(t.raw_runtime_payload_ids, p.runtime_payload.raw_payload_id);
  if (t.terminal_operation_id !== null) endTerminalOperation(r, ev, t.thread_id, t.terminal_operation_id, p.status, p.runtime_payload);
  agentEdgeFromRuntimeEnd(r, ev, t.tool_call_id, p.runtime_payload);
}

/** A call or output item was sighted: link it to the tool with that model-visible call id. */
export function attachToolItem(r: Reducer, itemId: string, callId: string | null, kind: ConversationItem['kind']): void {
  if (callId === null) return;
  if (CALL_KINDS.has(kind)) {
    const toolId = singleToolForVisibleCall(r, callId);
    if (toolId === null) return;
    pushUnique(r.s.tool_calls.get(toolId)!.model_visible_call_item_ids, itemId);
    linkToInferenceResponse(r, toolId);
    syncTerminalObservation(r, toolId);
  } else if (OUTPUT_KINDS.has(kind)) {
    const toolId = singleToolForVisibleCall(r, callId);
    if (toolId === null) return;
    addOutputItem(r, toolId, itemId);
    syncTerminalObservation(r, toolId);
  }
}

function addOutputItem(r: Reducer, toolId: string, itemId: string): void {
  pushUnique(r.s.tool_calls.get(toolId)!.model_visible_output_item_ids, itemId);
  addProducer(r.s.conversation_items.get(itemId)!, { type: 'tool', tool_call_id: toolId });
}

/** Every inference call whose response holds one of the tool's call items lists the tool. */
function linkToInferenceResponse(r: Reducer, toolId: string): void {
  const t = r.s.tool_calls.get(toolId);
  if (!t || t.model_visible_call_item_ids.length === 0) return;
  for (const itemId of t.model_visible_call_item_ids) {
    for (const callId of r.inferencesByResponseItem.get(itemId) ?? []) {
      pushUnique(r.s.inference_calls.get(callId)!.tool_call_ids_started_by_response, toolId);
    }
  }
}

/** A `wait` tool names the runtime cell it waits on in its JSON arguments. */
function linkWaitTool(r: Reducer, threadId: string, toolId: string, ref: EventOf<'tool_call_started'>['invocation_payload']): void {
  if (!ref) return;
  const payload = r.payload(ref);
  if (!isJsonObject(payload) || payload.tool_name !== 'wait') return;
  const inner = payload.payload;
  const args = isJsonObject(inner) ? inner.arguments : undefined;
  if (typeof args !== 'string') fail(`wait tool request payload ${ref.raw_payload_id} did not contain function arguments`);
  let parsed: JsonValue;
  try {
    parsed = parseJson(args);
  } catch (e) {
    fail(`wait tool request payload ${ref.raw_payload_id} had invalid JSON arguments`, String((e as Error).message));
  }
  const cell = isJsonObject(parsed) ? parsed.cell_id : undefined;
  if (typeof cell !== 'string') fail(`wait tool request payload ${ref.raw_payload_id} did not contain cell_id`);
  const cellId = r.cellIdsByRuntime.get(`${threadId}\u0000${cell}`);
  if (cellId === undefined) return;
  const c = r.s.code_cells.get(cellId);
  if (c) pushUnique(c.wait_tool_call_ids, toolId);
}
