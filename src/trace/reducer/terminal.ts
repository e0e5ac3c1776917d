/**
 * Terminal sessions and operations. A session is named after the operation
 * that created it (`terminal_session:<operation id>`, as 0.164.0 and later
 * write it); process ids from exec payloads only help later write_stdin
 * operations find it. Where schema 1 and 2 differ, `r.rules` says.
 */
import { isJsonObject, asI64, asU64, parseJson, serdeStringify, type JsonValue } from '../json/lossless';
import type { RawPayloadRef, ToolCallKind } from '../schema/common';
import type { TraceEvent } from '../schema/events';
import type { ExecutionStatus, TerminalOperation, TerminalRequest, TerminalResult, ToolCall } from '../schema/state';
import { fail, pushUnique, runningWindow, type Reducer } from './core';

type Obj = { [k: string]: JsonValue };

function newOperation(
  r: Reducer,
  ev: TraceEvent,
  toolId: string,
  kind: TerminalOperation['kind'],
  request: TerminalRequest,
  ref: RawPayloadRef,
): TerminalOperation {
  const op: TerminalOperation = {
    operation_id: `terminal_operation:${r.nextOperationOrdinal++}`,
    terminal_id: null,
    tool_call_id: toolId,
    kind,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    request,
    result: null,
    model_observations: [],
    raw_payload_ids: [ref.raw_payload_id],
  };
  r.s.terminal_operations.set(op.operation_id, op);
  return op;
}

/** Put an operation into a session, creating the session (named after this operation) if needed. */
function joinSession(r: Reducer, threadId: string, op: TerminalOperation, sessionId: string | null): string {
  const id = sessionId ?? `terminal_session:${op.operation_id}`;
  let session = r.s.terminal_sessions.get(id);
  if (!session) {
    session = {
      terminal_id: id,
      thread_id: threadId,
      created_by_operation_id: op.operation_id,
      operation_ids: [],
      execution: runningWindow(op.execution.started_at_unix_ms, op.execution.started_seq),
    };
    r.s.terminal_sessions.set(id, session);
  }
  if (session.thread_id !== threadId) fail(`terminal session ${id} belongs to thread ${session.thread_id}, not ${threadId}`);
  op.terminal_id = id;
  pushUnique(session.operation_ids, op.operation_id);
  return id;
}

/** write_stdin: the operation starts at dispatch, from the invocation's arguments. */
export function startTerminalFromInvocation(
  r: Reducer,
  ev: TraceEvent,
  threadId: string,
  toolId: string,
  kind: ToolCallKind,
  ref: RawPayloadRef | null,
): string | null {
  if (kind.type !== 'write_stdin' || !ref) return null;
  const payload = r.exactPayload(ref);
  const args = writeStdinArgs(payload, ref.raw_payload_id, r.rules.writeStdinArgsRequired);
  if (!args) return null;
  const op = newOperation(
    r,
    ev,
    toolId,
    'write_stdin',
    {
      type: 'write_stdin',
      stdin: args.chars,
      yield_time_ms: args.yield_time_ms,
      max_output_tokens: args.max_output_tokens,
    },
    ref,
  );
  // The session named by session_id: an exec's (by process id) or one this write opens.
  const known = r.sessionsByProcess.get(args.session_id);
  const joined = joinSession(r, threadId, op, known ?? null);
  if (known === undefined) r.sessionsByProcess.set(args.session_id, joined);
  return op.operation_id;
}

/**
 * The write's arguments. A malformed invocation is an error; arguments that do
 * not name a usable session are one too where `required`, else they just make
 * no operation.
 */
function writeStdinArgs(payload: JsonValue, payloadId: string, required: boolean) {
  const bad = (...why: string[]): never => fail(`parse terminal invocation payload ${payloadId} as dispatch payload`, ...why);
  if (!isJsonObject(payload)) bad('invalid type: expected a dispatch payload object');
  const p = payload as Obj;
  if (typeof p.tool_name !== 'string') bad('missing field `tool_name`');
  const inner = p.payload;
  if (!isJsonObject(inner) || typeof inner.type !== 'string') bad('invalid field `payload`');
  const fn = inner as Obj;
  // A namespaced tool (an MCP or collaboration tool) is never a terminal request: it writes nothing, whatever its kind says.
  if (p.tool_namespace !== undefined && p.tool_namespace !== null) return null;
  if (p.tool_name !== 'write_stdin') bad(`dispatch terminal request is for ${p.tool_name as string}, not write_stdin`);
  if (fn.type !== 'function') bad(`write_stdin dispatch payload used unsupported ${fn.type as string} payload`);
  if (fn.arguments !== undefined && fn.arguments !== null && typeof fn.arguments !== 'string') bad('invalid type for `arguments`');
  if (typeof fn.arguments !== 'string') bad('write_stdin dispatch payload omitted function arguments');
  const text = (fn as { arguments: string }).arguments;
  const unusable = (...why: string[]): null => {
    if (required) bad(...(why.length === 1 ? ['parse write_stdin dispatch function arguments', ...why] : why.slice(1)));
    return null;
  };
  let args: JsonValue;
  try {
    args = parseJson(text);
  } catch {
    return unusable('arguments are not JSON');
  }
  if (!isJsonObject(args)) return unusable('invalid type: expected struct DispatchedWriteStdinArgs');
  const sid = args.session_id;
  if (sid === undefined) return unusable(`missing field \`session_id\`${endOfText(text)}`);
  let sessionId: string | null = null;
  if (typeof sid === 'string' && sid.length > 0) sessionId = sid;
  else if (typeof sid === 'number' || (sid !== null && typeof sid === 'object' && !Array.isArray(sid) && 'lexeme' in sid)) sessionId = serdeStringify(sid);
  if (sessionId === null) return unusable('write_stdin dispatch payload omitted session_id', 'write_stdin dispatch payload omitted session_id');
  const chars = args.chars === undefined ? '' : args.chars;
  if (typeof chars !== 'string') return unusable('invalid type for `chars`, expected a string');
  const optU64 = (v: JsonValue | undefined) => (v === undefined || v === null ? null : asU64(v));
  if (required && (optU64(args.yield_time_ms) === null) !== (args.yield_time_ms == null)) unusable('invalid type for `yield_time_ms`');
  if (required && (optU64(args.max_output_tokens) === null) !== (args.max_output_tokens == null)) unusable('invalid type for `max_output_tokens`');
  return {
    session_id: sessionId,
    chars,
    yield_time_ms: optU64(args.yield_time_ms),
    max_output_tokens: optU64(args.max_output_tokens),
  };
}

/** Where serde reports a missing field: the end of the (single-line) text. */
function endOfText(text: string): string {
  const lines = text.split('\n');
  return ` at line ${lines.length} column ${[...lines[lines.length - 1]].length}`;
}

/** exec_command (and a protocol-level write_stdin): the operation starts at the runtime begin event. */
export function startTerminalFromRuntime(r: Reducer, ev: TraceEvent, tool: ToolCall, ref: RawPayloadRef): string | null {
  const kind = tool.kind.type;
  if (kind !== 'exec_command' && kind !== 'write_stdin') return null;
  const payload = r.exactPayload(ref);
  const begin = execBegin(payload);
  if (!begin) fail(`parse terminal runtime start payload ${ref.raw_payload_id}`, 'missing field `command` or `cwd`');
  const request: TerminalRequest =
    kind === 'exec_command'
      ? { type: 'exec_command', command: begin.command, display_command: begin.command.join(' '), cwd: begin.cwd, yield_time_ms: null, max_output_tokens: null }
      : { type: 'write_stdin', stdin: begin.interaction_input ?? '', yield_time_ms: null, max_output_tokens: null };
  const op = newOperation(r, ev, tool.tool_call_id, kind, request, ref);
  if (begin.process_id !== null) r.operationProcess.set(op.operation_id, begin.process_id);
  if (kind === 'exec_command') {
    // Without a process id nothing can write to it later; whether it still gets a session is the generation's rule.
    if (begin.process_id !== null) r.sessionsByProcess.set(begin.process_id, joinSession(r, tool.thread_id, op, null));
    else if (r.rules.execSessionWithoutProcess) joinSession(r, tool.thread_id, op, null);
  } else if (begin.process_id !== null) {
    joinSession(r, tool.thread_id, op, r.sessionsByProcess.get(begin.process_id) ?? null);
  }
  return op.operation_id;
}

function execBegin(v: JsonValue) {
  if (!isJsonObject(v)) return null;
  const { command, cwd, process_id, interaction_input } = v;
  if (!Array.isArray(command) || !command.every((c) => typeof c === 'string')) return null;
  if (typeof cwd !== 'string') return null;
  if (process_id !== undefined && process_id !== null && typeof process_id !== 'string') return null;
  if (interaction_input !== undefined && interaction_input !== null && typeof interaction_input !== 'string') return null;
  return {
    command: command as string[],
    cwd,
    process_id: (process_id ?? null) as string | null,
    interaction_input: (interaction_input ?? null) as string | null,
  };
}

/**
 * `stdin_target_resolved`: the write belongs to the named exec's session, even
 * when this arrives late; the session it joined before loses it, and goes
 * away if that leaves it empty.
 */
export function resolveStdinTarget(r: Reducer, _ev: TraceEvent, toolId: string, execToolId: string): void {
  const tool = r.s.tool_calls.get(toolId)!;
  const exec = r.s.tool_calls.get(execToolId);
  if (!exec) fail(`stdin target referenced unknown exec ${execToolId}`);
  if (tool.terminal_operation_id === null) return;
  const op = r.s.terminal_operations.get(tool.terminal_operation_id)!;
  const execOp = exec?.terminal_operation_id ? r.s.terminal_operations.get(exec.terminal_operation_id) : undefined;
  const execHasProcess = execOp !== undefined && r.operationProcess.has(execOp.operation_id);
  const target = r.rules.stdinTargetNeedsProcess && !execHasProcess ? undefined : execOp?.terminal_id;
  if (!target || op.terminal_id === target) return;
  if (op.terminal_id !== null) {
    const old = r.s.terminal_sessions.get(op.terminal_id);
    if (old) {
      old.operation_ids = old.operation_ids.filter((id) => id !== op.operation_id);
      if (old.operation_ids.length === 0) r.s.terminal_sessions.delete(old.terminal_id);
    }
  }
  joinSession(r, tool.thread_id, op, target);
}

export function endTerminalOperation(
  r: Reducer,
  ev: TraceEvent,
  threadId: string,
  operationId: string,
  status: ExecutionStatus,
  ref: RawPayloadRef | null,
): void {
  const op = r.s.terminal_operations.get(operationId);
  if (!op) fail(`terminal end referenced unknown operation ${operationId}`);
  const parsed = ref ? terminalResponse(r.exactPayload(ref), op.kind, ref.raw_payload_id) : null;
  op.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
  op.execution.ended_seq = ev.seq;
  op.execution.status = status;
  if (parsed && ref) {
    pushUnique(op.raw_payload_ids, ref.raw_payload_id);
    const before = r.operationProcess.get(op.operation_id);
    if (before !== undefined && parsed.processId !== null && before !== parsed.processId)
      fail(`terminal operation ${op.operation_id} changed process id from ${before} to ${parsed.processId}`);
    op.result = parsed.result;
    if (before === undefined && parsed.processId !== null) {
      // The process id first seen at the end still names the operation's session.
      r.operationProcess.set(op.operation_id, parsed.processId);
      if (op.terminal_id === null) {
        const session = joinSession(r, threadId, op, r.sessionsByProcess.get(parsed.processId) ?? null);
        if (!r.sessionsByProcess.has(parsed.processId)) r.sessionsByProcess.set(parsed.processId, session);
      }
    }
  }
}

function terminalResponse(v: JsonValue, kind: TerminalOperation['kind'], payloadId: string): { processId: string | null; result: TerminalResult } {
  const exec = execEnd(v);
  if (exec) return exec;
  if (kind === 'exec_command') fail(`parse exec terminal response ${payloadId}`, 'missing field `exit_code` or output');
  const dispatch = dispatchResult(v);
  if (dispatch) return { processId: null, result: dispatch };
  return fail(`parse write_stdin terminal response ${payloadId} as protocol payload or dispatch payload`);
}

/** Exec end: schema 2 carries `aggregated_output`; the older shape carries stdout/stderr/formatted_output. */
function execEnd(v: JsonValue): { processId: string | null; result: TerminalResult } | null {
  if (!isJsonObject(v)) return null;
  const exit = asI64(v.exit_code);
  if (exit === null || exit < -2147483648 || exit > 2147483647) return null;
  const pid = v.process_id;
  if (pid !== undefined && pid !== null && typeof pid !== 'string') return null;
  const processId = (pid ?? null) as string | null;
  // Schema 2 keeps only the aggregated output; the older stdout/stderr fields are ignored.
  const out = v.aggregated_output;
  if (out !== undefined && out !== null && typeof out !== 'string') return null;
  return {
    processId,
    result: { exit_code: exit, stdout: out ?? '', stderr: '', formatted_output: null, original_token_count: null, chunk_id: null },
  };
}

function textContent(v: JsonValue): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const text = v
      .map((x) => (isJsonObject(x) && typeof x.text === 'string' ? x.text : null))
      .filter((x): x is string => x !== null)
      .join('\n');
    return text.length > 0 ? text : null;
  }
  if (v === null) return null;
  return serdeStringify(v);
}

function dispatchResult(v: JsonValue): TerminalResult | null {
  if (!isJsonObject(v)) return null;
  const plain = (out: string): TerminalResult => ({
    exit_code: null,
    stdout: out,
    stderr: '',
    formatted_output: out,
    original_token_count: null,
    chunk_id: null,
  });
  switch (v.type) {
    case 'direct_response': {
      if (!('response_item' in v)) return null;
      const item = v.response_item;
      const output = isJsonObject(item) && item.output !== undefined ? textContent(item.output) : null;
      return plain(output ?? serdeStringify(item));
    }
    case 'code_mode_response': {
      if (!('value' in v)) return null;
      const value = v.value;
      if (isJsonObject(value) && typeof value.output === 'string') {
        const o = value as Obj;
        const optStr = (x: JsonValue | undefined) => (x === undefined || x === null ? null : typeof x === 'string' ? x : undefined);
        const chunk = optStr(o.chunk_id);
        const exit = o.exit_code === undefined || o.exit_code === null ? null : asI64(o.exit_code);
        const tokens = o.original_token_count === undefined || o.original_token_count === null ? null : asU64(o.original_token_count);
        const exitOk = o.exit_code === undefined || o.exit_code === null || (exit !== null && exit >= -2147483648 && exit <= 2147483647);
        const tokensOk = o.original_token_count === undefined || o.original_token_count === null || tokens !== null;
        if (chunk !== undefined && exitOk && tokensOk) {
          return {
            exit_code: exit,
            stdout: o.output as string,
            stderr: '',
            formatted_output: o.output as string,
            original_token_count: tokens,
            chunk_id: chunk,
          };
        }
      }
      return plain(textContent(value) ?? serdeStringify(value));
    }
    case 'error':
      if (typeof v.error !== 'string') return null;
      return { exit_code: null, stdout: '', stderr: v.error, formatted_output: v.error, original_token_count: null, chunk_id: null };
    default:
      return null;
  }
}

/** One direct-tool-call observation per operation, mirroring the tool's call and output items. */
export function syncTerminalObservation(r: Reducer, toolId: string): void {
  const tool = r.s.tool_calls.get(toolId);
  if (!tool || tool.terminal_operation_id === null) return;
  const calls = tool.model_visible_call_item_ids.slice();
  const outputs = tool.model_visible_output_item_ids.slice();
  if (calls.length === 0 && outputs.length === 0) return;
  const op = r.s.terminal_operations.get(tool.terminal_operation_id);
  if (!op) fail(`terminal operation ${tool.terminal_operation_id} disappeared during observation linking`);
  const existing = op.model_observations.find((o) => o.source === 'direct_tool_call');
  if (existing) {
    existing.call_item_ids = calls;
    existing.output_item_ids = outputs;
  } else op.model_observations.push({ call_item_ids: calls, output_item_ids: outputs, source: 'direct_tool_call' });
}
