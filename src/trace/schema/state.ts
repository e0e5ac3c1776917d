import { z } from 'zod';
import {
  CodeCellRuntimeStatusSchema,
  ExecutionStatusSchema,
  RawPayloadRefSchema,
  RolloutStatusSchema,
  ToolCallKindSchema,
  ToolCallSummarySchema,
} from './common';

/**
 * The reduced state (`state.json`) of any generation; fields a generation
 * lacks are optional. Key order in every object
 * schema below is the order in which the official reducer writes the keys, and
 * the reducer builds its objects in the same order so that serialization is exact.
 */

export const ExecutionWindowSchema = z.object({
  started_at_unix_ms: z.number(),
  started_seq: z.number(),
  ended_at_unix_ms: z.number().nullable(),
  ended_seq: z.number().nullable(),
  status: ExecutionStatusSchema,
});
export type ExecutionWindow = z.infer<typeof ExecutionWindowSchema>;

export const AgentOriginSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('root') }),
  z.object({
    type: z.literal('spawned'),
    parent_thread_id: z.string(),
    spawn_edge_id: z.string(),
    task_name: z.string(),
    agent_role: z.string(),
  }),
]);
export type AgentOrigin = z.infer<typeof AgentOriginSchema>;

export const AgentThreadSchema = z.object({
  thread_id: z.string(),
  agent_path: z.string(),
  nickname: z.string().nullable(),
  origin: AgentOriginSchema,
  execution: ExecutionWindowSchema,
  default_model: z.string().nullable(),
  conversation_item_ids: z.array(z.string()),
});
export type AgentThread = z.infer<typeof AgentThreadSchema>;

export const CodexTurnSchema = z.object({
  codex_turn_id: z.string(),
  thread_id: z.string(),
  execution: ExecutionWindowSchema,
  input_item_ids: z.array(z.string()),
});
export type CodexTurn = z.infer<typeof CodexTurnSchema>;

export const ConversationRoleSchema = z.enum(['system', 'developer', 'user', 'assistant', 'tool']);
export type ConversationRole = z.infer<typeof ConversationRoleSchema>;
export const ConversationChannelSchema = z.enum(['analysis', 'commentary', 'final', 'summary']);
export type ConversationChannel = z.infer<typeof ConversationChannelSchema>;
export const ConversationItemKindSchema = z.enum([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'compaction_marker',
]);
export type ConversationItemKind = z.infer<typeof ConversationItemKindSchema>;

export const ConversationPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('summary'), text: z.string() }),
  z.object({ type: z.literal('encoded'), label: z.string(), value: z.string() }),
  z.object({ type: z.literal('json'), summary: z.string(), raw_payload_id: z.string() }),
  z.object({ type: z.literal('code'), language: z.string(), source: z.string() }),
  z.object({
    type: z.literal('payload_ref'),
    label: z.string(),
    raw_payload_id: z.string(),
    /** Schema 2: SHA-256 of the content entry's canonical JSON; the identity of images and files. */
    content_sha256: z.string().optional(),
  }),
]);
export type ConversationPart = z.infer<typeof ConversationPartSchema>;

export const ProducerRefSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user_input') }),
  z.object({ type: z.literal('inference'), inference_call_id: z.string() }),
  z.object({ type: z.literal('tool'), tool_call_id: z.string() }),
  z.object({ type: z.literal('code_cell'), code_cell_id: z.string() }),
  z.object({ type: z.literal('interaction_edge'), edge_id: z.string() }),
  z.object({ type: z.literal('compaction'), compaction_id: z.string() }),
  z.object({ type: z.literal('harness') }),
]);
export type ProducerRef = z.infer<typeof ProducerRefSchema>;

export const AgentMessageHeaderSchema = z.object({ author: z.string(), recipient: z.string() });

export const ConversationItemSchema = z.object({
  item_id: z.string(),
  responses_item_id: z.string().optional(),
  accepted_at_unix_ms: z.number().optional(),
  accepted_seq: z.number().optional(),
  thread_id: z.string(),
  codex_turn_id: z.string().nullable(),
  first_seen_at_unix_ms: z.number(),
  role: ConversationRoleSchema,
  channel: ConversationChannelSchema.nullable(),
  kind: ConversationItemKindSchema,
  agent_message: AgentMessageHeaderSchema.optional(),
  body: z.object({ parts: z.array(ConversationPartSchema) }),
  call_id: z.string().nullable(),
  produced_by: z.array(ProducerRefSchema),
});
export type ConversationItem = z.infer<typeof ConversationItemSchema>;

export const TokenUsageSchema = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  cache_write_input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const InferenceCallSchema = z.object({
  inference_call_id: z.string(),
  thread_id: z.string(),
  codex_turn_id: z.string(),
  execution: ExecutionWindowSchema,
  model: z.string(),
  provider_name: z.string(),
  response_id: z.string().nullable(),
  upstream_request_id: z.string().nullable(),
  request_item_ids: z.array(z.string()),
  response_item_ids: z.array(z.string()),
  tool_call_ids_started_by_response: z.array(z.string()),
  usage: TokenUsageSchema.nullable(),
  raw_request_payload_id: z.string(),
  /** Schema 3: the prompt as Codex prepared it, before it became the request. */
  prepared_prompt_payload_id: z.string().optional(),
  raw_response_payload_id: z.string().nullable(),
});
export type InferenceCall = z.infer<typeof InferenceCallSchema>;

export const CodeCellSchema = z.object({
  code_cell_id: z.string(),
  model_visible_call_id: z.string(),
  thread_id: z.string(),
  codex_turn_id: z.string(),
  source_item_id: z.string(),
  output_item_ids: z.array(z.string()),
  runtime_cell_id: z.string().nullable(),
  execution: ExecutionWindowSchema,
  runtime_status: CodeCellRuntimeStatusSchema,
  initial_response_at_unix_ms: z.number().nullable(),
  initial_response_seq: z.number().nullable(),
  initial_response_status: CodeCellRuntimeStatusSchema.nullable(),
  raw_initial_response_payload_id: z.string().nullable(),
  raw_result_payload_id: z.string().nullable(),
  yielded_at_unix_ms: z.number().nullable(),
  yielded_seq: z.number().nullable(),
  source_js: z.string(),
  nested_tool_call_ids: z.array(z.string()),
  wait_tool_call_ids: z.array(z.string()),
});
export type CodeCell = z.infer<typeof CodeCellSchema>;

export const ToolCallRequesterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('model') }),
  z.object({ type: z.literal('code_cell'), code_cell_id: z.string() }),
]);
export type ToolCallRequester = z.infer<typeof ToolCallRequesterSchema>;

export const ToolCallSchema = z.object({
  tool_call_id: z.string(),
  mcp_call_id: z.string().nullable(),
  model_visible_call_id: z.string().nullable(),
  code_mode_runtime_tool_id: z.string().nullable(),
  /** Schema 3: the code cell a `wait` tool waited for. */
  resolved_wait_runtime_cell_id: z.string().optional(),
  started_code_cell_id: z.string().optional(),
  thread_id: z.string(),
  started_by_codex_turn_id: z.string().nullable(),
  execution: ExecutionWindowSchema,
  requester: ToolCallRequesterSchema,
  kind: ToolCallKindSchema,
  model_visible_call_item_ids: z.array(z.string()),
  model_visible_output_item_ids: z.array(z.string()),
  terminal_operation_id: z.string().nullable(),
  summary: ToolCallSummarySchema,
  raw_invocation_payload_id: z.string().nullable(),
  raw_result_payload_id: z.string().nullable(),
  raw_runtime_payload_ids: z.array(z.string()),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const TerminalSessionSchema = z.object({
  terminal_id: z.string(),
  thread_id: z.string(),
  created_by_operation_id: z.string(),
  operation_ids: z.array(z.string()),
  execution: ExecutionWindowSchema,
});
export type TerminalSession = z.infer<typeof TerminalSessionSchema>;

export const TerminalRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('exec_command'),
    command: z.array(z.string()),
    display_command: z.string(),
    cwd: z.string(),
    yield_time_ms: z.number().nullable(),
    max_output_tokens: z.number().nullable(),
  }),
  z.object({
    type: z.literal('write_stdin'),
    stdin: z.string(),
    yield_time_ms: z.number().nullable(),
    max_output_tokens: z.number().nullable(),
  }),
]);
export type TerminalRequest = z.infer<typeof TerminalRequestSchema>;

export const TerminalResultSchema = z.object({
  exit_code: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  formatted_output: z.string().nullable(),
  original_token_count: z.number().nullable(),
  chunk_id: z.string().nullable(),
});
export type TerminalResult = z.infer<typeof TerminalResultSchema>;

export const TerminalModelObservationSchema = z.object({
  call_item_ids: z.array(z.string()),
  output_item_ids: z.array(z.string()),
  source: z.enum(['direct_tool_call', 'code_cell_output']),
});
export type TerminalModelObservation = z.infer<typeof TerminalModelObservationSchema>;

export const TerminalOperationSchema = z.object({
  operation_id: z.string(),
  terminal_id: z.string().nullable(),
  tool_call_id: z.string(),
  kind: z.enum(['exec_command', 'write_stdin']),
  execution: ExecutionWindowSchema,
  request: TerminalRequestSchema,
  result: TerminalResultSchema.nullable(),
  model_observations: z.array(TerminalModelObservationSchema),
  raw_payload_ids: z.array(z.string()),
});
export type TerminalOperation = z.infer<typeof TerminalOperationSchema>;

export const CompactionSchema = z.object({
  compaction_id: z.string(),
  thread_id: z.string(),
  codex_turn_id: z.string(),
  installed_at_unix_ms: z.number(),
  marker_item_id: z.string(),
  request_ids: z.array(z.string()),
  input_item_ids: z.array(z.string()),
  replacement_item_ids: z.array(z.string()),
});
export type Compaction = z.infer<typeof CompactionSchema>;

export const CompactionRequestSchema = z.object({
  compaction_request_id: z.string(),
  compaction_id: z.string(),
  thread_id: z.string(),
  codex_turn_id: z.string(),
  execution: ExecutionWindowSchema,
  model: z.string(),
  provider_name: z.string(),
  raw_request_payload_id: z.string(),
  raw_response_payload_id: z.string().nullable(),
});
export type CompactionRequest = z.infer<typeof CompactionRequestSchema>;

export const TraceAnchorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation_item'), item_id: z.string() }),
  z.object({ type: z.literal('tool_call'), tool_call_id: z.string() }),
  z.object({ type: z.literal('thread'), thread_id: z.string() }),
]);
export type TraceAnchor = z.infer<typeof TraceAnchorSchema>;

export const InteractionEdgeKindSchema = z.enum(['spawn_agent', 'assign_agent_task', 'send_message', 'agent_result', 'close_agent']);
export type InteractionEdgeKind = z.infer<typeof InteractionEdgeKindSchema>;

export const InteractionEdgeSchema = z.object({
  edge_id: z.string(),
  kind: InteractionEdgeKindSchema,
  source: TraceAnchorSchema,
  target: TraceAnchorSchema,
  started_at_unix_ms: z.number(),
  ended_at_unix_ms: z.number().nullable(),
  carried_item_ids: z.array(z.string()),
  carried_raw_payload_ids: z.array(z.string()),
});
export type InteractionEdge = z.infer<typeof InteractionEdgeSchema>;

export const RolloutTraceSchema = z.object({
  schema_version: z.number(),
  trace_id: z.string(),
  rollout_id: z.string(),
  started_at_unix_ms: z.number(),
  ended_at_unix_ms: z.number().nullable(),
  status: RolloutStatusSchema,
  /** Schema 2: whether the recording was closed. */
  recording_complete: z.boolean().optional(),
  /** Schema 3: the same as a word. Schema 1 has neither. */
  recording_status: z.enum(['complete', 'unclosed']).optional(),
  root_thread_id: z.string(),
  threads: z.record(z.string(), AgentThreadSchema),
  codex_turns: z.record(z.string(), CodexTurnSchema),
  conversation_items: z.record(z.string(), ConversationItemSchema),
  inference_calls: z.record(z.string(), InferenceCallSchema),
  code_cells: z.record(z.string(), CodeCellSchema),
  tool_calls: z.record(z.string(), ToolCallSchema),
  terminal_sessions: z.record(z.string(), TerminalSessionSchema),
  terminal_operations: z.record(z.string(), TerminalOperationSchema),
  compactions: z.record(z.string(), CompactionSchema),
  compaction_requests: z.record(z.string(), CompactionRequestSchema),
  interaction_edges: z.record(z.string(), InteractionEdgeSchema),
  raw_payloads: z.record(z.string(), RawPayloadRefSchema),
});
/** The reduced state exactly as `state.json` holds it. */
export type RolloutTrace = z.infer<typeof RolloutTraceSchema>;

export * from './common';
