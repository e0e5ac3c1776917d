import { z } from 'zod';

/**
 * A reference from an event to a payload. Schemas 1 and 2 name a file under
 * payloads/ (`path`); schema 3 names a zstd shard (`shard`) and may build the
 * payload from other payloads (`parts`). The generation's rules decide which
 * fields are required (./generations.ts).
 */
export const RawPayloadKindSchema = z.object({
  type: z.enum([
    'inference_request',
    'inference_response',
    'compaction_request',
    'compaction_checkpoint',
    'compaction_response',
    'tool_invocation',
    'tool_result',
    'tool_runtime_event',
    'terminal_runtime_event',
    'protocol_event',
    'session_metadata',
    'agent_result',
    // Schema 3: pieces of composite payloads and the prompt as Codex prepared it.
    'prepared_prompt',
    'model_item',
    'content_value',
  ]),
});
export interface RawPayloadRef {
  raw_payload_id: string;
  kind: { type: z.infer<typeof RawPayloadKindSchema>['type'] };
  /** Schemas 1 and 2: the payload file, relative to the bundle. */
  path?: string;
  /** Schema 3: the shard number (`payloads/<6 digits>.zst`). */
  shard?: number;
  /** Schema 3: the payloads spliced between this payload's text fragments. */
  parts?: RawPayloadRef[];
}
export const RawPayloadRefSchema: z.ZodType<RawPayloadRef> = z.object({
  raw_payload_id: z.string(),
  kind: RawPayloadKindSchema,
  path: z.string().optional(),
  shard: z.number().int().nonnegative().optional(),
  get parts() {
    return z.array(RawPayloadRefSchema).optional();
  },
});

export const RolloutStatusSchema = z.enum(['running', 'completed', 'failed', 'aborted']);
export type RolloutStatus = z.infer<typeof RolloutStatusSchema>;
export const ExecutionStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled', 'aborted']);
export type ExecutionStatus = z.infer<typeof ExecutionStatusSchema>;
export const CodeCellRuntimeStatusSchema = z.enum(['starting', 'running', 'yielded', 'completed', 'failed', 'terminated']);
export type CodeCellRuntimeStatus = z.infer<typeof CodeCellRuntimeStatusSchema>;

export const ToolCallKindSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('exec_command') }),
  z.object({ type: z.literal('write_stdin') }),
  z.object({ type: z.literal('apply_patch') }),
  z.object({ type: z.literal('mcp'), server: z.string(), tool: z.string() }),
  z.object({ type: z.literal('web') }),
  z.object({ type: z.literal('image_generation') }),
  z.object({ type: z.literal('spawn_agent') }),
  z.object({ type: z.literal('assign_agent_task') }),
  z.object({ type: z.literal('send_message') }),
  z.object({ type: z.literal('wait_agent') }),
  z.object({ type: z.literal('close_agent') }),
  z.object({ type: z.literal('other'), name: z.string() }),
]);
export type ToolCallKind = z.infer<typeof ToolCallKindSchema>;

export const ToolCallSummarySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('terminal'), operation_id: z.string() }),
  z.object({
    type: z.literal('agent'),
    target_agent_path: z.string(),
    task_name: z.string().nullable().default(null),
    message_preview: z.string(),
  }),
  z.object({
    type: z.literal('wait_agent'),
    target_agent_path: z.string().nullable().default(null),
    timeout_ms: z.number().int().nonnegative().nullable().default(null),
  }),
  z.object({
    type: z.literal('generic'),
    label: z.string(),
    input_preview: z.string().nullable().default(null),
    output_preview: z.string().nullable().default(null),
  }),
]);
export type ToolCallSummary = z.infer<typeof ToolCallSummarySchema>;
