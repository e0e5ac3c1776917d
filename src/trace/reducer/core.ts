import type { TraceErrorInfo } from '../errors';
import { needsExactParse, parseJson, type JsonValue } from '../json/lossless';
import type { FileText } from '../bundle/source';
import type { RawPayloadRef } from '../schema/common';
import { WindowParser, type WindowParse } from '../json/window';
import type { ReductionRules } from './rules';
import type {
  AgentThread,
  CodeCell,
  CodeCellRuntimeStatus,
  CodexTurn,
  Compaction,
  CompactionRequest,
  ConversationItem,
  InferenceCall,
  InteractionEdge,
  InteractionEdgeKind,
  RolloutTrace,
  TerminalOperation,
  TerminalSession,
  ToolCall,
  TraceAnchor,
} from '../schema/state';

/** A reduction rule was violated. The driver adds file, line and seq. */
export class ReduceFailure extends Error {
  constructor(
    message: string,
    readonly causes: string[] = [],
  ) {
    super(message);
  }
}

/** A payload this event needs is missing or not JSON; carries where it was referenced. */
export class PayloadFailure extends Error {
  constructor(readonly info: TraceErrorInfo) {
    super(info.message);
  }
}

export function fail(message: string, ...causes: string[]): never {
  throw new ReduceFailure(message, causes);
}

/** The state under construction: maps keep insertion order; serialization sorts keys. */
export interface WorkingState {
  schema_version: number;
  trace_id: string;
  rollout_id: string;
  started_at_unix_ms: number;
  ended_at_unix_ms: number | null;
  status: RolloutTrace['status'];
  recording_complete: boolean;
  root_thread_id: string;
  threads: Map<string, AgentThread>;
  codex_turns: Map<string, CodexTurn>;
  conversation_items: Map<string, ConversationItem>;
  inference_calls: Map<string, InferenceCall>;
  code_cells: Map<string, CodeCell>;
  tool_calls: Map<string, ToolCall>;
  terminal_sessions: Map<string, TerminalSession>;
  terminal_operations: Map<string, TerminalOperation>;
  compactions: Map<string, Compaction>;
  compaction_requests: Map<string, CompactionRequest>;
  interaction_edges: Map<string, InteractionEdge>;
  raw_payloads: Map<string, RawPayloadRef>;
}

/** An agent interaction edge waiting for the conversation item it starts from. */
export interface PendingAgentEdge {
  edgeId: string;
  kind: InteractionEdgeKind;
  source: TraceAnchor;
  targetThreadId: string;
  author: string;
  content: string;
  spawnFallbackThreadId: string | null;
  startedAt: number;
  endedAt: number | null;
  payloadIds: string[];
}

/** A code cell start waiting for its `exec` call item. */
export interface PendingCodeCellStart {
  seq: number;
  wall: number;
  threadId: string;
  turnId: string | null;
  cellId: string;
  runtimeCellId: string;
  callId: string;
  sourceJs: string;
}

/** A lifecycle event of a code cell that has not started yet. */
export interface PendingCodeCellEvent {
  seq: number;
  wall: number;
  kind: 'initial' | 'ended';
  runtimeCellId: string;
  status: CodeCellRuntimeStatus;
  payloadId: string | null;
}

/** Everything the per-concern reducers share while replaying one bundle. */
export class Reducer {
  readonly s: WorkingState;
  nextItemOrdinal = 1;
  nextOperationOrdinal = 1;
  /** Last model-visible sequence of item ids per thread (request window + response items). */
  readonly snapshots = new Map<string, string[]>();
  /** Replacement ids of the latest compaction that no full request has used yet. */
  readonly pendingReplacement = new Map<string, string[]>();
  /** (thread, runtime cell id) → code cell id. */
  readonly cellIdsByRuntime = new Map<string, string>();
  readonly pendingCellStarts = new Map<string, PendingCodeCellStart>();
  readonly pendingCellEvents = new Map<string, PendingCodeCellEvent[]>();
  pendingEdges: PendingAgentEdge[] = [];
  /** Responses item id → its first `history_item_accepted`. */
  readonly acceptedResponses = new Map<string, { seq: number; wall: number }>();

  // Indexes that replace full scans of the maps.
  readonly itemsByCallId = new Map<string, string[]>();
  readonly itemsByResponsesId = new Map<string, string[]>();
  readonly toolsByVisibleCallId = new Map<string, string[]>();
  readonly inferencesByResponseItem = new Map<string, Set<string>>();
  readonly inferencesByResponseId = new Map<string, Set<string>>();
  readonly inferencesByTurn = new Map<string, string[]>();
  readonly edgeTargetItems = new Set<string>();
  /**
   * Per thread, every item in the order it first entered the transcript, and
   * which of them count. Schema 2 lists a response item only once Codex
   * accepted it into history (or a later request carried it), but keeps the
   * position it took when the response was reduced.
   */
  readonly transcripts = new Map<string, { order: string[]; seen: Set<string>; members: Set<string> }>();

  /**
   * Items created from a schema-3 tool-output acceptance: the first model
   * payload that carries one again gives it its body (and so the payload its
   * parts point to), as 0.171.0 does.
   */
  readonly provisionalBodies = new Set<string>();

  /** Payloads of the event being replayed, by payload key: the fast parse, the text, and the exact parse once asked for. */
  eventPayloads = new Map<string, { value: JsonValue; body: FileText; exact?: JsonValue; window?: WindowParse }>();
  /** Request windows of each thread's previous request, so that the next one parses only what it adds. */
  readonly windows = new WindowParser();
  /** Payloads that were missing or not JSON when their event was replayed, by payload key. */
  readonly payloadProblems = new Map<string, TraceErrorInfo>();
  /** exec process id → terminal session id (schema 2 names sessions after operations). */
  readonly sessionsByProcess = new Map<string, string>();
  /** Terminal operation → the process id its exec begin payload named. */
  readonly operationProcess = new Map<string, string>();
  /** Parsed tool invocation payloads, kept for later reads (agent message contents). */
  readonly invocationPayloads = new Map<string, JsonValue>();

  constructor(
    manifest: { trace_id: string; rollout_id: string; root_thread_id: string; started_at_unix_ms: number },
    readonly rules: ReductionRules,
    /** Two refs with the same key read the same payload (a file path, or a schema-3 payload id). */
    readonly payloadKey: (ref: RawPayloadRef) => string,
  ) {
    this.s = {
      schema_version: rules.generation.version,
      trace_id: manifest.trace_id,
      rollout_id: manifest.rollout_id,
      started_at_unix_ms: manifest.started_at_unix_ms,
      ended_at_unix_ms: null,
      status: 'running',
      recording_complete: false,
      root_thread_id: manifest.root_thread_id,
      threads: new Map(),
      codex_turns: new Map(),
      conversation_items: new Map(),
      inference_calls: new Map(),
      code_cells: new Map(),
      tool_calls: new Map(),
      terminal_sessions: new Map(),
      terminal_operations: new Map(),
      compactions: new Map(),
      compaction_requests: new Map(),
      interaction_edges: new Map(),
      raw_payloads: new Map(),
    };
  }

  /** A payload's parsed body; the driver has read every ref of the current event. */
  payload(ref: RawPayloadRef): JsonValue {
    const key = this.payloadKey(ref);
    const v = this.eventPayloads.get(key);
    if (v !== undefined) return v.value;
    const problem = this.payloadProblems.get(key);
    if (problem) throw new PayloadFailure(problem);
    const inv = this.invocationPayloads.get(key);
    if (inv !== undefined) return inv;
    return fail(`open payload ${ref.raw_payload_id}`, 'No such file or directory (payload was not loaded)');
  }

  /** The payload with serde-exact numbers (`1.0` stays a float); parsed again only when the text needs it. */
  exactPayload(ref: RawPayloadRef): JsonValue {
    const e = this.eventPayloads.get(this.payloadKey(ref));
    if (e === undefined) return this.payload(ref);
    if (e.exact === undefined) {
      // A window parsed from its new tail says where its tail's exact items are; only other payloads need their whole text here.
      const text = e.body.text();
      e.exact = needsExactParse(text) ? parseJson(text) : e.value;
    }
    return e.exact;
  }

  thread(id: string): AgentThread {
    const t = this.s.threads.get(id);
    if (!t) fail(`trace event referenced unknown thread ${id}`);
    return t;
  }

  /** Push-unique ids into a thread's transcript; `member` false holds a place until acceptance. */
  appendThreadItems(threadId: string, ids: readonly string[], member = true): void {
    this.thread(threadId);
    let t = this.transcripts.get(threadId);
    if (!t) this.transcripts.set(threadId, (t = { order: [], seen: new Set(), members: new Set() }));
    for (const id of ids) {
      if (!t.seen.has(id)) {
        t.seen.add(id);
        t.order.push(id);
      }
      if (member) t.members.add(id);
    }
  }

  /** The thread's `conversation_item_ids` as they stand now. */
  transcript(threadId: string): string[] {
    const t = this.transcripts.get(threadId);
    return t ? t.order.filter((id) => t.members.has(id)) : [];
  }

  /** Write every thread's current transcript into the state. */
  materializeTranscripts(): void {
    for (const [threadId, thread] of this.s.threads) thread.conversation_item_ids = this.transcript(threadId);
  }
}

export function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Byte-wise (code unit) order, which is how the official reducer's maps iterate. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedKeys<V>(m: Map<string, V>): string[] {
  return [...m.keys()].sort(compareKeys);
}

export function runningWindow(wall: number, seq: number) {
  return { started_at_unix_ms: wall, started_seq: seq, ended_at_unix_ms: null, ended_seq: null, status: 'running' as const };
}
