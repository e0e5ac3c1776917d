/**
 * Builds small schema-2 trace bundles by hand (manifest, trace.jsonl, payloads)
 * for the synthetic fixtures. The envelope key order, payload-ref shape and
 * pretty-printed payload files follow what Codex 0.169.0 writes.
 */
import type { BundleFiles } from './bundle-files';

export interface Ref {
  raw_payload_id: string;
  kind: { type: string };
  path: string;
}

export interface Ctx {
  thread?: string | null;
  turn?: string | null;
}

/** A payload body written verbatim (to control number formatting, invalid JSON, ...). */
export class RawText {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new RawText(text);
/** A payload that is referenced but whose file is never written. */
export const MISSING = Symbol('missing payload file');

export interface EventOpts {
  /** Milliseconds since the previous event (default 1). */
  dt?: number;
  /** Override the envelope fields. */
  seq?: number;
  schemaVersion?: number;
  rolloutId?: string;
}

type EventEntry = { kind: 'event'; payload: Record<string, unknown>; ctx: Ctx; wall: number; opts: EventOpts } | { kind: 'raw'; text: string };

export interface BuilderOptions {
  traceId?: string;
  rolloutId?: string;
  rootThreadId?: string;
  startedAt?: number;
  schemaVersion?: number;
}

export class TraceBuilder {
  readonly traceId: string;
  readonly rolloutId: string;
  readonly rootThreadId: string;
  readonly startedAt: number;
  manifestSchemaVersion: number;
  /** Replaces the generated manifest text (null = no manifest file). */
  manifestOverride: string | null | undefined = undefined;
  private entries: EventEntry[] = [];
  private payloadCount = 0;
  private files = new Map<string, string>();
  private clock: number;

  constructor(o: BuilderOptions = {}) {
    this.traceId = o.traceId ?? 'trace-0001';
    this.rootThreadId = o.rootThreadId ?? 'thr-root';
    this.rolloutId = o.rolloutId ?? this.rootThreadId;
    this.startedAt = o.startedAt ?? 1_800_000_000_000;
    this.manifestSchemaVersion = o.schemaVersion ?? 2;
    this.clock = this.startedAt;
  }

  /** Allocates the next payload id and writes its file (pretty JSON unless RawText / MISSING). */
  payload(kind: string, body: unknown | RawText | typeof MISSING): Ref {
    const n = ++this.payloadCount;
    const ref: Ref = { raw_payload_id: `raw_payload:${n}`, kind: { type: kind }, path: `payloads/${n}.json` };
    if (body !== MISSING) {
      this.files.set(ref.path, body instanceof RawText ? body.text : JSON.stringify(body, null, 2));
    }
    return ref;
  }

  /** Overwrites (or deletes, with null) a file of the bundle. */
  setFile(rel: string, text: string | null): void {
    if (text === null) this.files.delete(rel);
    else this.files.set(rel, text);
  }

  /** Appends one event. `payload` is the event object with its `type` first. */
  event(payload: Record<string, unknown>, ctx: Ctx = {}, opts: EventOpts = {}): void {
    this.clock += opts.dt ?? 1;
    this.entries.push({ kind: 'event', payload, ctx, wall: this.clock, opts });
  }

  /** Appends a line of trace.jsonl verbatim. */
  rawLine(text: string): void {
    this.entries.push({ kind: 'raw', text });
  }

  /** Number of lines so far (the next event's line/seq is this + 1). */
  get length(): number {
    return this.entries.length;
  }

  now(): number {
    return this.clock;
  }

  manifestObject(): Record<string, unknown> {
    return {
      schema_version: this.manifestSchemaVersion,
      trace_id: this.traceId,
      rollout_id: this.rolloutId,
      root_thread_id: this.rootThreadId,
      started_at_unix_ms: this.startedAt,
      raw_event_log: 'trace.jsonl',
      payloads_dir: 'payloads',
    };
  }

  build(): BundleFiles {
    const lines: string[] = [];
    let seq = 0;
    for (const e of this.entries) {
      seq++;
      if (e.kind === 'raw') {
        lines.push(e.text);
        continue;
      }
      const env = {
        schema_version: e.opts.schemaVersion ?? 2,
        seq: e.opts.seq ?? seq,
        wall_time_unix_ms: e.wall,
        rollout_id: e.opts.rolloutId ?? this.rolloutId,
        thread_id: e.ctx.thread ?? null,
        codex_turn_id: e.ctx.turn ?? null,
        payload: e.payload,
      };
      lines.push(JSON.stringify(env));
    }
    const manifest = this.manifestOverride === undefined ? JSON.stringify(this.manifestObject(), null, 2) : this.manifestOverride;
    return {
      manifest,
      trace: lines.map((l) => l + '\n').join(''),
      files: new Map(this.files),
    };
  }
}

// ---------------------------------------------------------------------------
// Responses items (model-facing payload items)

export type Item = Record<string, unknown>;

export function msg(role: string, text: string, id?: string): Item {
  const partType = role === 'assistant' ? 'output_text' : 'input_text';
  return { type: 'message', ...(id ? { id } : {}), role, content: [{ type: partType, text }] };
}

export function reasoning(id: string | undefined, o: { summary?: string[]; content?: string[] | null; enc?: string | null }): Item {
  return {
    type: 'reasoning',
    ...(id ? { id } : {}),
    summary: (o.summary ?? []).map((text) => ({ type: 'summary_text', text })),
    content: o.content === undefined || o.content === null ? null : o.content.map((text) => ({ type: 'reasoning_text', text })),
    encrypted_content: o.enc ?? null,
  };
}

export function fc(id: string | undefined, callId: string, name: string, args: string): Item {
  return { type: 'function_call', ...(id ? { id } : {}), name, arguments: args, call_id: callId };
}

export function fco(id: string | undefined, callId: string, output: unknown): Item {
  return { type: 'function_call_output', ...(id ? { id } : {}), call_id: callId, output };
}

export function ctc(id: string | undefined, callId: string, name: string, input: string): Item {
  return { type: 'custom_tool_call', ...(id ? { id } : {}), call_id: callId, name, input };
}

export function ctco(id: string | undefined, callId: string, output: unknown): Item {
  return { type: 'custom_tool_call_output', ...(id ? { id } : {}), call_id: callId, output };
}

export function agentMsg(id: string, author: string, recipient: string, text: string, enc?: string): Item {
  const content: Item[] = [{ type: 'input_text', text }];
  if (enc !== undefined) content.push({ type: 'encrypted_content', encrypted_content: enc });
  return { type: 'agent_message', id, author, recipient, content };
}

// ---------------------------------------------------------------------------
// A scenario: the builder plus helpers for the common event sequences.

export interface ThreadMeta {
  agent_path?: string;
  task_name?: string | null;
  nickname?: string | null;
  agent_role?: string | null;
  model?: string;
  /** `"exec"` for a root thread, or a `{subagent:{thread_spawn:{...}}}` object. */
  session_source?: unknown;
}

export interface ExchangeOpts {
  thread?: string;
  turn: string;
  id: string;
  /** The request payload body, or just its input items. */
  input?: Item[];
  request?: unknown | RawText | typeof MISSING;
  previousResponseId?: string;
  /** Output items; null = the completion carries no payload. */
  output?: Item[] | null;
  response?: unknown | RawText | typeof MISSING;
  responseId?: string | null;
  /** Responses item ids accepted before inference_started (new request items). */
  acceptBefore?: string[];
  /** Accept every output item that has an id, right after the completion (default true). */
  acceptOutput?: boolean;
  usage?: Record<string, unknown> | null;
  /** 'completed' (default), or leave the call running. */
  end?: 'completed' | 'none';
}

export const DEFAULT_USAGE = {
  input_tokens: 100,
  cached_input_tokens: 0,
  cache_write_input_tokens: 0,
  output_tokens: 10,
  reasoning_output_tokens: 0,
  total_tokens: 110,
};

export class Scenario extends TraceBuilder {
  readonly root: string;
  constructor(o: BuilderOptions = {}) {
    super(o);
    this.root = this.rootThreadId;
  }

  rolloutStarted(): void {
    this.event({ type: 'rollout_started', trace_id: this.traceId, root_thread_id: this.rootThreadId });
  }

  metadata(threadId: string, m: ThreadMeta = {}): Record<string, unknown> {
    return {
      thread_id: threadId,
      agent_path: m.agent_path ?? '/root',
      task_name: m.task_name ?? null,
      nickname: m.nickname ?? null,
      agent_role: m.agent_role ?? null,
      session_source: m.session_source ?? 'exec',
      cwd: '/work',
      rollout_path: `/codex-home/sessions/rollout-${threadId}.jsonl`,
      model: m.model ?? 'mock-model',
      provider_name: 'mock',
      approval_policy: 'never',
      sandbox_policy: 'DangerFullAccess',
    };
  }

  threadStarted(threadId: string, agentPath: string, m: ThreadMeta | null = {}): void {
    const ref = m === null ? null : this.payload('session_metadata', this.metadata(threadId, { agent_path: agentPath, ...m }));
    this.event({ type: 'thread_started', thread_id: threadId, agent_path: agentPath, metadata_payload: ref });
  }

  /** A spawned child's metadata: session_source.subagent.thread_spawn. */
  childMeta(parent: string, agentPath: string, extra: ThreadMeta = {}): ThreadMeta {
    return {
      nickname: 'Helper',
      ...extra,
      session_source: {
        subagent: {
          thread_spawn: { parent_thread_id: parent, depth: 1, agent_path: agentPath, agent_nickname: 'Helper', agent_role: null },
        },
      },
    };
  }

  threadEnded(threadId: string, status = 'completed'): void {
    this.event({ type: 'thread_ended', thread_id: threadId, status });
  }

  turnStarted(turn: string, thread = this.root): void {
    this.event({ type: 'codex_turn_started', codex_turn_id: turn, thread_id: thread }, { thread, turn });
  }

  turnEnded(turn: string, status = 'completed', thread: string | null = this.root): void {
    this.event({ type: 'codex_turn_ended', codex_turn_id: turn, status }, { thread, turn });
  }

  /** rollout_started, root thread_started (with metadata), first turn started. */
  begin(turn = 'turn-1'): this {
    this.rolloutStarted();
    this.threadStarted(this.root, '/root');
    this.turnStarted(turn);
    return this;
  }

  /** thread_ended for each thread, rollout_ended, recording_completed. */
  finish(o: { threads?: string[]; rolloutStatus?: string; recordingCompleted?: boolean } = {}): this {
    for (const t of o.threads ?? [this.root]) this.threadEnded(t);
    this.event({ type: 'rollout_ended', status: o.rolloutStatus ?? 'completed' });
    if (o.recordingCompleted !== false) this.event({ type: 'recording_completed' });
    return this;
  }

  accept(itemId: string, turn: string, thread = this.root, agentMessagePayload?: Ref | null): void {
    const p: Record<string, unknown> = { type: 'history_item_accepted', item_id: itemId };
    if (agentMessagePayload !== undefined) p.agent_message_payload = agentMessagePayload;
    this.event(p, { thread, turn });
  }

  request(input: Item[], previousResponseId?: string): Record<string, unknown> {
    return {
      model: 'mock-model',
      ...(previousResponseId ? { previous_response_id: previousResponseId } : {}),
      input,
      stream: true,
    };
  }

  response(responseId: string | null, output: Item[], usage: unknown = DEFAULT_USAGE): Record<string, unknown> {
    return { response_id: responseId, upstream_request_id: null, token_usage: usage, output_items: output };
  }

  inferenceStarted(id: string, turn: string, body: unknown, thread = this.root): Ref {
    const ref = this.payload('inference_request', body);
    this.event(
      {
        type: 'inference_started',
        inference_call_id: id,
        thread_id: thread,
        codex_turn_id: turn,
        model: 'mock-model',
        provider_name: 'mock',
        request_payload: ref,
      },
      { thread, turn },
    );
    return ref;
  }

  inferenceCompleted(id: string, turn: string, responseId: string | null, body: unknown, thread = this.root): void {
    const ref = this.payload('inference_response', body);
    this.event(
      { type: 'inference_completed', inference_call_id: id, response_id: responseId, upstream_request_id: null, response_payload: ref },
      { thread, turn },
    );
  }

  inferenceCancelled(id: string, turn: string, partial: unknown | null, o: { upstream?: string | null; reason?: string; thread?: string } = {}): void {
    const ref = partial === null ? null : this.payload('inference_response', partial);
    const thread = o.thread ?? this.root;
    this.event(
      {
        type: 'inference_cancelled',
        inference_call_id: id,
        upstream_request_id: o.upstream ?? null,
        reason: o.reason ?? 'interrupted',
        partial_response_payload: ref,
      },
      { thread, turn },
    );
  }

  inferenceFailed(id: string, turn: string, partial: unknown | null, o: { upstream?: string | null; error?: string; thread?: string } = {}): void {
    const ref = partial === null ? null : this.payload('inference_response', partial);
    const thread = o.thread ?? this.root;
    this.event(
      {
        type: 'inference_failed',
        inference_call_id: id,
        upstream_request_id: o.upstream ?? null,
        error: o.error ?? 'stream error',
        partial_response_payload: ref,
      },
      { thread, turn },
    );
  }

  /** history accepts of new input items, inference_started, inference_completed, accepts of output items. */
  exchange(o: ExchangeOpts): void {
    const thread = o.thread ?? this.root;
    for (const id of o.acceptBefore ?? []) this.accept(id, o.turn, thread);
    const body = o.request !== undefined ? o.request : this.request(o.input ?? [], o.previousResponseId);
    this.inferenceStarted(o.id, o.turn, body, thread);
    if (o.end === 'none') return;
    const output = o.output ?? [];
    const responseId = o.responseId === undefined ? `resp-${o.id}` : o.responseId;
    const rbody = o.response !== undefined ? o.response : this.response(responseId, output, o.usage === undefined ? DEFAULT_USAGE : o.usage);
    this.inferenceCompleted(o.id, o.turn, responseId, rbody, thread);
    if (o.acceptOutput !== false) {
      for (const it of output) if (typeof it.id === 'string') this.accept(it.id, o.turn, thread);
    }
  }

  // -- tools ---------------------------------------------------------------

  invocation(toolName: string, payload: unknown, namespace: string | null = null): Record<string, unknown> {
    return { tool_name: toolName, tool_namespace: namespace, payload };
  }

  functionInvocation(toolName: string, args: unknown, namespace: string | null = null): Record<string, unknown> {
    return this.invocation(toolName, { type: 'function', arguments: typeof args === 'string' ? args : JSON.stringify(args) }, namespace);
  }

  toolStarted(o: {
    id: string;
    turn: string;
    thread?: string | null;
    modelVisibleCallId?: string | null;
    runtimeToolId?: string | null;
    requester?: Record<string, unknown>;
    kind: Record<string, unknown>;
    label?: string;
    invocation?: unknown | RawText | typeof MISSING | null;
    ctxThread?: string | null;
  }): Ref | null {
    const ref = o.invocation === null || o.invocation === undefined ? null : this.payload('tool_invocation', o.invocation);
    const thread = o.thread === undefined ? this.root : o.thread;
    this.event(
      {
        type: 'tool_call_started',
        tool_call_id: o.id,
        model_visible_call_id: o.modelVisibleCallId === undefined ? o.id : o.modelVisibleCallId,
        code_mode_runtime_tool_id: o.runtimeToolId ?? null,
        requester: o.requester ?? { type: 'model' },
        kind: o.kind,
        summary: { type: 'generic', label: o.label ?? String(o.kind.name ?? o.kind.type), input_preview: '', output_preview: null },
        invocation_payload: ref,
      },
      { thread, turn: o.turn },
    );
    return ref;
  }

  toolRuntimeStarted(id: string, turn: string, kind: Record<string, unknown>, body: unknown, thread: string | null = this.root): Ref {
    const ref = this.payload('tool_runtime_event', body);
    this.event({ type: 'tool_call_runtime_started', tool_call_id: id, kind, runtime_payload: ref }, { thread, turn });
    return ref;
  }

  toolRuntimeEnded(id: string, turn: string, status: string, body: unknown, thread: string | null = this.root): Ref {
    const ref = this.payload('tool_runtime_event', body);
    this.event({ type: 'tool_call_runtime_ended', tool_call_id: id, status, runtime_payload: ref }, { thread, turn });
    return ref;
  }

  toolEnded(id: string, turn: string, status: string, result: unknown | RawText | typeof MISSING | null, thread: string | null = this.root): Ref | null {
    const ref = result === null ? null : this.payload('tool_result', result);
    this.event({ type: 'tool_call_ended', tool_call_id: id, status, result_payload: ref }, { thread, turn });
    return ref;
  }

  execBegin(callId: string, turn: string, cmd: string, processId: string | null = '4242'): Record<string, unknown> {
    return {
      call_id: callId,
      ...(processId === null ? {} : { process_id: processId }),
      turn_id: turn,
      started_at_ms: this.now(),
      command: ['/bin/bash', '-lc', cmd],
      cwd: '/work',
      parsed_cmd: [{ type: 'unknown', cmd }],
      source: 'unified_exec_startup',
    };
  }

  execEnd(callId: string, turn: string, cmd: string, output: string, exitCode = 0, processId: string | null = '4242'): Record<string, unknown> {
    return {
      call_id: callId,
      ...(processId === null ? {} : { process_id: processId }),
      turn_id: turn,
      completed_at_ms: this.now(),
      command: ['/bin/bash', '-lc', cmd],
      cwd: '/work',
      parsed_cmd: [{ type: 'unknown', cmd }],
      source: 'unified_exec_startup',
      aggregated_output: output,
      exit_code: exitCode,
      duration: { secs: 0, nanos: 1000 },
      status: exitCode === 0 ? 'completed' : 'failed',
    };
  }

  directResponse(item: Item): Record<string, unknown> {
    return { type: 'direct_response', response_item: item };
  }

  /** A complete exec_command tool: started, runtime begin/end, ended with a direct response. */
  execTool(o: { id: string; turn: string; cmd: string; output: string; processId?: string | null; exitCode?: number; keepRunning?: boolean }): void {
    const pid = o.processId === undefined ? '4242' : o.processId;
    this.toolStarted({ id: o.id, turn: o.turn, kind: { type: 'exec_command' }, invocation: this.functionInvocation('exec_command', { cmd: o.cmd }) });
    this.toolRuntimeStarted(o.id, o.turn, { type: 'exec_command' }, this.execBegin(o.id, o.turn, o.cmd, pid));
    if (o.keepRunning) {
      this.toolEnded(o.id, o.turn, 'completed', this.directResponse(fco(undefined, o.id, `Process running with session ID ${pid}`)));
      return;
    }
    this.toolRuntimeEnded(o.id, o.turn, o.exitCode ? 'failed' : 'completed', this.execEnd(o.id, o.turn, o.cmd, o.output, o.exitCode ?? 0, pid));
    this.toolEnded(o.id, o.turn, 'completed', this.directResponse(fco(undefined, o.id, o.output)));
  }

  // -- code cells ------------------------------------------------------------

  cellStarted(runtimeCellId: string, callId: string, source: string, turn: string, thread: string | null = this.root): void {
    this.event({ type: 'code_cell_started', runtime_cell_id: runtimeCellId, model_visible_call_id: callId, source_js: source }, { thread, turn });
  }

  cellInitial(
    runtimeCellId: string,
    status: string,
    turn: string,
    thread: string | null = this.root,
    body: unknown | null = { response: { Yielded: { cell_id: runtimeCellId, content_items: [] } } },
  ): void {
    const ref = body === null ? null : this.payload('tool_result', body);
    this.event({ type: 'code_cell_initial_response', runtime_cell_id: runtimeCellId, status, response_payload: ref }, { thread, turn });
  }

  cellEnded(
    runtimeCellId: string,
    status: string,
    turn: string,
    thread: string | null = this.root,
    body: unknown | null = { response: { Result: { cell_id: runtimeCellId, content_items: [], error_text: null } } },
  ): void {
    const ref = body === null ? null : this.payload('tool_result', body);
    this.event({ type: 'code_cell_ended', runtime_cell_id: runtimeCellId, status, response_payload: ref }, { thread, turn });
  }

  protocolEvent(eventType: string, body: unknown | RawText | typeof MISSING): Ref {
    const ref = this.payload('protocol_event', body);
    this.event({ type: 'protocol_event_observed', event_type: eventType, event_payload: ref });
    return ref;
  }
}
