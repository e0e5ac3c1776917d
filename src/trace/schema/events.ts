import { z } from 'zod';
import { JsonNumber, asI64Exact } from '../json/lossless';
import { fastSafeParse } from './fast-parse';
import {
  CodeCellRuntimeStatusSchema,
  ExecutionStatusSchema,
  RawPayloadRefSchema,
  type RawPayloadRef,
  RolloutStatusSchema,
  ToolCallKindSchema,
  ToolCallSummarySchema,
} from './common';

/**
 * One line of trace.jsonl, in any generation. These schemas accept what the
 * newest reducer's serde types accept (unknown extra fields are ignored, an
 * optional field may be missing or null, integers must be integers); what an
 * older generation lacks or requires is checked by its rules
 * (../reducer/rules.ts, ../reducer/admission.ts).
 */

/** Integers of any size JSON.parse keeps exactly (zod's .int() stops at 2^53 - 1). */
const integer = () => z.number().refine(Number.isInteger, 'expected an integer');
const u64 = integer().refine((n) => n >= 0, 'expected a non-negative integer');
/** The envelope's schema_version is a u32 in every generation (schema 1 reads any value that fits). */
const u32 = integer().refine((n) => n >= 0 && n <= 0xffffffff, 'expected u32');
/** An i64: JSON.parse numbers, or exact text for magnitudes beyond 2^53 (kept and written back as is). */
const i64 = z.union([integer(), z.instanceof(JsonNumber).refine((n) => asI64Exact(n) !== null, 'expected i64')]) as unknown as z.ZodNumber;
/** serde `Option<T>`: missing and null both mean "absent". */
const opt = <T extends z.ZodType>(t: T) => t.nullable().default(null);
const Ref = RawPayloadRefSchema;

export const RawToolCallRequesterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('model') }),
  z.object({ type: z.literal('code_cell'), runtime_cell_id: z.string() }),
]);

export const EVENT_TYPES = [
  'recording_completed',
  'rollout_started',
  'rollout_ended',
  'thread_started',
  'thread_ended',
  'thread_resumed',
  'codex_turn_started',
  'codex_turn_ended',
  'history_item_accepted',
  'inference_started',
  'inference_completed',
  'inference_failed',
  'inference_cancelled',
  'tool_call_started',
  'mcp_tool_call_correlation_assigned',
  'stdin_target_resolved',
  'code_cell_wait_target_resolved',
  'tool_call_runtime_started',
  'tool_call_runtime_ended',
  'tool_call_ended',
  'code_cell_started',
  'code_cell_initial_response',
  'code_cell_ended',
  'compaction_request_started',
  'compaction_request_completed',
  'compaction_request_failed',
  'compaction_installed',
  'agent_result_observed',
  'protocol_event_observed',
  'other',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EventPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('recording_completed') }),
  z.object({ type: z.literal('rollout_started'), trace_id: z.string(), root_thread_id: z.string() }),
  z.object({ type: z.literal('rollout_ended'), status: RolloutStatusSchema }),
  z.object({
    type: z.literal('thread_started'),
    thread_id: z.string(),
    agent_path: z.string(),
    metadata_payload: opt(Ref),
  }),
  z.object({ type: z.literal('thread_ended'), thread_id: z.string(), status: RolloutStatusSchema }),
  z.object({ type: z.literal('thread_resumed'), thread_id: z.string() }),
  z.object({ type: z.literal('codex_turn_started'), codex_turn_id: z.string(), thread_id: z.string() }),
  z.object({ type: z.literal('codex_turn_ended'), codex_turn_id: z.string(), status: ExecutionStatusSchema }),
  z.object({
    type: z.literal('history_item_accepted'),
    item_id: z.string(),
    agent_message_payload: opt(Ref),
    tool_output_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('inference_started'),
    inference_call_id: z.string(),
    thread_id: z.string(),
    codex_turn_id: z.string(),
    model: z.string(),
    provider_name: z.string(),
    request_payload: Ref,
    prepared_prompt_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('inference_completed'),
    inference_call_id: z.string(),
    response_id: opt(z.string()),
    upstream_request_id: opt(z.string()),
    response_payload: Ref,
  }),
  z.object({
    type: z.literal('inference_failed'),
    inference_call_id: z.string(),
    upstream_request_id: opt(z.string()),
    error: z.string(),
    partial_response_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('inference_cancelled'),
    inference_call_id: z.string(),
    upstream_request_id: opt(z.string()),
    reason: z.string(),
    partial_response_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('tool_call_started'),
    tool_call_id: z.string(),
    model_visible_call_id: opt(z.string()),
    code_mode_runtime_tool_id: opt(z.string()),
    requester: RawToolCallRequesterSchema,
    kind: ToolCallKindSchema,
    summary: ToolCallSummarySchema,
    invocation_payload: opt(Ref),
  }),
  z.object({ type: z.literal('mcp_tool_call_correlation_assigned'), tool_call_id: z.string(), mcp_call_id: z.string() }),
  z.object({ type: z.literal('stdin_target_resolved'), tool_call_id: z.string(), exec_tool_call_id: z.string() }),
  z.object({ type: z.literal('code_cell_wait_target_resolved'), tool_call_id: z.string(), runtime_cell_id: z.string() }),
  z.object({
    type: z.literal('tool_call_runtime_started'),
    tool_call_id: z.string(),
    kind: opt(ToolCallKindSchema),
    runtime_payload: Ref,
  }),
  z.object({
    type: z.literal('tool_call_runtime_ended'),
    tool_call_id: z.string(),
    status: ExecutionStatusSchema,
    runtime_payload: Ref,
  }),
  z.object({
    type: z.literal('tool_call_ended'),
    tool_call_id: z.string(),
    status: ExecutionStatusSchema,
    result_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('code_cell_started'),
    runtime_cell_id: z.string(),
    model_visible_call_id: z.string(),
    source_js: z.string(),
  }),
  z.object({
    type: z.literal('code_cell_initial_response'),
    runtime_cell_id: z.string(),
    status: CodeCellRuntimeStatusSchema,
    response_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('code_cell_ended'),
    runtime_cell_id: z.string(),
    status: CodeCellRuntimeStatusSchema,
    response_payload: opt(Ref),
  }),
  z.object({
    type: z.literal('compaction_request_started'),
    compaction_id: z.string(),
    compaction_request_id: z.string(),
    thread_id: z.string(),
    codex_turn_id: z.string(),
    model: z.string(),
    provider_name: z.string(),
    request_payload: Ref,
  }),
  z.object({
    type: z.literal('compaction_request_completed'),
    compaction_id: z.string(),
    compaction_request_id: z.string(),
    response_payload: Ref,
  }),
  z.object({
    type: z.literal('compaction_request_failed'),
    compaction_id: z.string(),
    compaction_request_id: z.string(),
    error: z.string(),
  }),
  z.object({ type: z.literal('compaction_installed'), compaction_id: z.string(), checkpoint_payload: Ref }),
  z.object({
    type: z.literal('agent_result_observed'),
    edge_id: z.string(),
    child_thread_id: z.string(),
    child_codex_turn_id: z.string(),
    parent_thread_id: z.string(),
    message: z.string(),
    carried_payload: opt(Ref),
  }),
  z.object({ type: z.literal('protocol_event_observed'), event_type: z.string(), event_payload: Ref }),
  z.object({
    type: z.literal('other'),
    kind: z.string(),
    summary: z.string(),
    payloads: z.array(Ref),
    metadata: z.unknown().refine((v) => v !== undefined, 'missing field `metadata`'),
  }),
]);
export type EventPayload = z.infer<typeof EventPayloadSchema>;
export type EventOf<T extends EventType> = Extract<EventPayload, { type: T }>;

export const EnvelopeSchema = z.object({
  schema_version: u32,
  seq: u64,
  wall_time_unix_ms: i64,
  rollout_id: z.string(),
  thread_id: opt(z.string()),
  codex_turn_id: opt(z.string()),
  payload: z.unknown(),
});

/** `EnvelopeSchema.safeParse` and `EventPayloadSchema.safeParse`, without zod's cost on what they accept (./fast-parse.ts). */
export const parseEnvelope = fastSafeParse(EnvelopeSchema);
export const parseEventPayload = fastSafeParse(EventPayloadSchema);

/** A parsed trace.jsonl line with its position in the file. */
export interface TraceEvent {
  schema_version: number;
  seq: number;
  wall_time_unix_ms: number;
  rollout_id: string;
  thread_id: string | null;
  codex_turn_id: string | null;
  payload: EventPayload;
  /** 1-based line number in trace.jsonl. */
  line: number;
}

/** Every payload reference an event carries, in field order. */
export function payloadRefsOf(p: EventPayload): RawPayloadRef[] {
  switch (p.type) {
    case 'thread_started':
      return p.metadata_payload ? [p.metadata_payload] : [];
    case 'history_item_accepted':
      return [p.agent_message_payload, p.tool_output_payload].filter((r) => r !== null);
    case 'inference_started':
      return p.prepared_prompt_payload ? [p.request_payload, p.prepared_prompt_payload] : [p.request_payload];
    case 'compaction_request_started':
      return [p.request_payload];
    case 'inference_completed':
    case 'compaction_request_completed':
      return [p.response_payload];
    case 'inference_failed':
    case 'inference_cancelled':
      return p.partial_response_payload ? [p.partial_response_payload] : [];
    case 'tool_call_started':
      return p.invocation_payload ? [p.invocation_payload] : [];
    case 'tool_call_runtime_started':
    case 'tool_call_runtime_ended':
      return [p.runtime_payload];
    case 'tool_call_ended':
      return p.result_payload ? [p.result_payload] : [];
    case 'code_cell_initial_response':
    case 'code_cell_ended':
      return p.response_payload ? [p.response_payload] : [];
    case 'compaction_installed':
      return [p.checkpoint_payload];
    case 'agent_result_observed':
      return p.carried_payload ? [p.carried_payload] : [];
    case 'protocol_event_observed':
      return [p.event_payload];
    case 'other':
      return p.payloads;
    default:
      return [];
  }
}
