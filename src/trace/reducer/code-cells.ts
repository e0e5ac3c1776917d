/**
 * Code-mode cells. A cell is identified by the model's `exec` call id; the
 * runtime's cell ids are thread-local handles mapped onto it. A start whose
 * `exec` call item has not been reduced yet waits in a queue with its
 * lifecycle events.
 */
import type { EventOf, TraceEvent } from '../schema/events';
import type { CodeCellRuntimeStatus, ConversationItem, ExecutionStatus, ToolCall, ToolCallRequester } from '../schema/state';
import { compareKeys, fail, pushUnique, sortedKeys, type PendingCodeCellEvent, type PendingCodeCellStart, type Reducer } from './core';
import { addProducer } from './items';

const runtimeKey = (threadId: string, runtimeCellId: string) => `${threadId}\u0000${runtimeCellId}`;

export function cellEventThread(r: Reducer, ev: TraceEvent, runtimeCellId: string, what: string): string {
  if (ev.thread_id !== null) return ev.thread_id;
  if (ev.codex_turn_id === null) fail(`${what} ${runtimeCellId} did not include a thread id`);
  const turn = r.s.codex_turns.get(ev.codex_turn_id);
  if (!turn) fail(`${what} ${runtimeCellId} referenced unknown Codex turn ${ev.codex_turn_id}`);
  return turn.thread_id;
}

export function codeCellIdForRuntime(r: Reducer, threadId: string, runtimeCellId: string, what: string): string {
  const id = r.cellIdsByRuntime.get(runtimeKey(threadId, runtimeCellId));
  if (id === undefined) fail(`${what} referenced unknown runtime cell ${runtimeCellId} in thread ${threadId}`);
  return id;
}

function callItems(r: Reducer, threadId: string, callId: string, kind: ConversationItem['kind']): string[] {
  const out: string[] = [];
  for (const id of r.itemsByCallId.get(callId) ?? []) {
    const item = r.s.conversation_items.get(id)!;
    if (item.thread_id === threadId && item.kind === kind) out.push(id);
  }
  return out.sort(compareKeys);
}

export function startCodeCell(r: Reducer, ev: TraceEvent, p: EventOf<'code_cell_started'>): void {
  const threadId = cellEventThread(r, ev, p.runtime_cell_id, 'code cell start');
  const cellId = `code_cell:${p.model_visible_call_id}`;
  const key = runtimeKey(threadId, p.runtime_cell_id);
  const existing = r.cellIdsByRuntime.get(key);
  if (existing !== undefined && existing !== cellId)
    fail(`runtime code cell ${p.runtime_cell_id} in thread ${threadId} mapped to both ${existing} and ${cellId}`);
  r.cellIdsByRuntime.set(key, cellId);
  const pending: PendingCodeCellStart = {
    seq: ev.seq,
    wall: ev.wall_time_unix_ms,
    threadId,
    turnId: ev.codex_turn_id,
    cellId,
    runtimeCellId: p.runtime_cell_id,
    callId: p.model_visible_call_id,
    sourceJs: p.source_js,
  };
  if (callItems(r, threadId, p.model_visible_call_id, 'custom_tool_call').length === 0) {
    if (r.s.code_cells.has(cellId) || r.pendingCellStarts.has(cellId)) fail(`duplicate code cell start for ${cellId}`);
    r.pendingCellStarts.set(cellId, pending);
    return;
  }
  materialize(r, pending);
}

/** After each reconciliation batch: start the queued cells whose `exec` call item now exists. */
export function flushPendingCodeCellStarts(r: Reducer): void {
  if (r.pendingCellStarts.size === 0) return;
  const ready = sortedKeys(r.pendingCellStarts).filter((id) => {
    const p = r.pendingCellStarts.get(id)!;
    return callItems(r, p.threadId, p.callId, 'custom_tool_call').length > 0;
  });
  for (const id of ready) {
    const p = r.pendingCellStarts.get(id);
    if (!p) continue;
    r.pendingCellStarts.delete(id);
    materialize(r, p);
  }
}

function materialize(r: Reducer, p: PendingCodeCellStart): void {
  if (r.s.code_cells.has(p.cellId)) fail(`duplicate code cell start for ${p.cellId}`);
  if (p.turnId === null) fail(`code cell start ${p.cellId} did not include a Codex turn id`);
  if (!r.s.threads.has(p.threadId)) fail(`code cell start referenced unknown thread ${p.threadId}`);
  const turn = r.s.codex_turns.get(p.turnId);
  if (!turn) fail(`code cell start referenced unknown Codex turn ${p.turnId}`);
  if (turn.thread_id !== p.threadId) fail(`code cell start used thread ${p.threadId}, but Codex turn ${p.turnId} belongs to ${turn.thread_id}`);
  const source = callItems(r, p.threadId, p.callId, 'custom_tool_call')[0];
  if (source === undefined) fail(`code cell ${p.cellId} referenced model-visible call ${p.callId}, but no custom tool call item was observed`);
  const outputs = callItems(r, p.threadId, p.callId, 'custom_tool_call_output');
  const nested = sortedKeys(r.s.tool_calls).filter((id) => {
    const req = r.s.tool_calls.get(id)!.requester;
    return req.type === 'code_cell' && req.code_cell_id === p.cellId;
  });
  r.s.code_cells.set(p.cellId, {
    code_cell_id: p.cellId,
    model_visible_call_id: p.callId,
    thread_id: p.threadId,
    codex_turn_id: p.turnId,
    source_item_id: source,
    output_item_ids: outputs.slice(),
    runtime_cell_id: p.runtimeCellId,
    execution: { started_at_unix_ms: p.wall, started_seq: p.seq, ended_at_unix_ms: null, ended_seq: null, status: 'running' },
    runtime_status: 'starting',
    initial_response_at_unix_ms: null,
    initial_response_seq: null,
    initial_response_status: null,
    raw_initial_response_payload_id: null,
    raw_result_payload_id: null,
    yielded_at_unix_ms: null,
    yielded_seq: null,
    source_js: p.sourceJs,
    nested_tool_call_ids: nested,
    wait_tool_call_ids: [],
  });
  // Schema 2: the model's `exec` tool call names the cell it started (whichever of the two comes second).
  if (r.rules.startedCodeCellId)
    for (const toolId of r.toolsByVisibleCallId.get(p.callId) ?? []) {
      const tool = r.s.tool_calls.get(toolId)!;
      if (isExecTool(tool)) tool.started_code_cell_id = p.cellId;
    }
  for (const item of outputs) addOutputItem(r, p.cellId, item);
  const queued = r.pendingCellEvents.get(p.cellId);
  if (queued) {
    r.pendingCellEvents.delete(p.cellId);
    for (const e of queued) applyLifecycle(r, p.cellId, e);
  }
}

/** The model's code-mode `exec` tool, the only tool that starts cells. */
export function isExecTool(tool: ToolCall): boolean {
  return tool.kind.type === 'other' && tool.kind.name === 'exec';
}

function addOutputItem(r: Reducer, cellId: string, itemId: string): void {
  pushUnique(r.s.code_cells.get(cellId)!.output_item_ids, itemId);
  addProducer(r.s.conversation_items.get(itemId)!, { type: 'code_cell', code_cell_id: cellId });
}

export function codeCellLifecycle(r: Reducer, ev: TraceEvent, p: EventOf<'code_cell_initial_response'> | EventOf<'code_cell_ended'>): void {
  const what = p.type === 'code_cell_ended' ? 'code cell end' : 'code cell initial response';
  const threadId = cellEventThread(r, ev, p.runtime_cell_id, what);
  const cellId = codeCellIdForRuntime(r, threadId, p.runtime_cell_id, what);
  const e: PendingCodeCellEvent = {
    seq: ev.seq,
    wall: ev.wall_time_unix_ms,
    kind: p.type === 'code_cell_ended' ? 'ended' : 'initial',
    runtimeCellId: p.runtime_cell_id,
    status: p.status,
    payloadId: p.response_payload?.raw_payload_id ?? null,
  };
  if (!r.s.code_cells.has(cellId)) {
    if (!r.pendingCellStarts.has(cellId)) fail(`${what} referenced unknown cell ${cellId}`);
    const list = r.pendingCellEvents.get(cellId) ?? [];
    list.push(e);
    list.sort((a, b) => a.seq - b.seq);
    r.pendingCellEvents.set(cellId, list);
    return;
  }
  applyLifecycle(r, cellId, e);
}

function applyLifecycle(r: Reducer, cellId: string, e: PendingCodeCellEvent): void {
  const cell = r.s.code_cells.get(cellId)!;
  if (e.kind === 'initial') {
    cell.runtime_cell_id = e.runtimeCellId;
    // The initial response is recorded as it arrives, even after the cell ended (whose end
    // stood in for it); a second one changes only the runtime status (0.169.1, 0.171.0).
    if (cell.initial_response_status === null) {
      cell.initial_response_at_unix_ms = e.wall;
      cell.initial_response_seq = e.seq;
      cell.initial_response_status = e.status;
      cell.raw_initial_response_payload_id = e.payloadId;
      if (e.status === 'yielded') {
        cell.yielded_at_unix_ms = e.wall;
        cell.yielded_seq = e.seq;
      }
    }
    cell.runtime_status = e.status;
  } else {
    endCell(r, cellId, e.seq, e.wall, e.status);
    cell.raw_result_payload_id = e.payloadId;
  }
}

function endCell(r: Reducer, cellId: string, seq: number, wall: number, status: CodeCellRuntimeStatus): void {
  const cell = r.s.code_cells.get(cellId)!;
  if (cell.initial_response_at_unix_ms === null) {
    cell.initial_response_at_unix_ms = wall;
    cell.initial_response_seq = seq;
  }
  cell.execution.ended_at_unix_ms = wall;
  cell.execution.ended_seq = seq;
  cell.execution.status = cellExecutionStatus(status);
  cell.runtime_status = status;
}

function cellExecutionStatus(s: CodeCellRuntimeStatus): ExecutionStatus {
  switch (s) {
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'terminated':
      return 'cancelled';
    default:
      return 'running';
  }
}

/** A failed or cancelled turn ends its still-running cells; completed turns leave yielded cells alone. */
export function terminateCodeCellsForTurnEnd(r: Reducer, ev: TraceEvent, turnId: string, turnStatus: ExecutionStatus): void {
  if (turnStatus === 'running' || turnStatus === 'completed') return;
  const status: CodeCellRuntimeStatus = turnStatus === 'failed' ? 'failed' : 'terminated';
  for (const id of sortedKeys(r.s.code_cells)) {
    const cell = r.s.code_cells.get(id)!;
    if (cell.codex_turn_id === turnId && cell.execution.status === 'running') endCell(r, id, ev.seq, ev.wall_time_unix_ms, status);
  }
}

export function linkToolToCodeCell(r: Reducer, toolId: string, requester: ToolCallRequester): void {
  if (requester.type !== 'code_cell') return;
  const cell = r.s.code_cells.get(requester.code_cell_id);
  if (cell) pushUnique(cell.nested_tool_call_ids, toolId);
}

/** A `custom_tool_call_output` sighted for a known cell becomes one of its outputs. */
export function attachCodeCellItem(r: Reducer, itemId: string, callId: string | null, kind: ConversationItem['kind']): void {
  if (callId === null || kind !== 'custom_tool_call_output') return;
  const cellId = `code_cell:${callId}`;
  if (r.s.code_cells.has(cellId)) addOutputItem(r, cellId, itemId);
}
