import { z } from 'zod';

/**
 * Payload bodies the reducer reads with a typed deserializer in Codex, so
 * their shape decides the verdict. Unknown fields are ignored; an optional
 * field may be missing or null.
 */

/** Codex thread ids in protocol payloads are UUIDs (hyphenated, simple, braced or `urn:uuid:`). */
export const ThreadIdSchema = z
  .string()
  .regex(
    /^(?:urn:uuid:)?(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[0-9a-fA-F]{32})$/,
    'invalid character: expected a UUID',
  );

const i64Default = z.number().int().optional();
const optString = z.string().nullable().optional();

/** Agent lifecycle status: a unit variant name, or `{completed: text|null}` / `{errored: text}`. */
export const AgentStatusSchema = z.union([
  z.enum(['pending_init', 'running', 'interrupted', 'shutdown', 'not_found']),
  z.strictObject({ completed: z.string().nullable() }),
  z.strictObject({ errored: z.string() }),
]);

export const CollabSpawnEndSchema = z.object({
  call_id: z.string(),
  completed_at_ms: i64Default,
  sender_thread_id: ThreadIdSchema,
  new_thread_id: ThreadIdSchema.nullable().optional(),
  new_agent_nickname: optString,
  new_agent_role: optString,
  prompt: z.string(),
  model: z.string(),
  reasoning_effort: z.string(),
  status: AgentStatusSchema,
});

export const CollabInteractionBeginSchema = z.object({
  call_id: z.string(),
  started_at_ms: i64Default,
  sender_thread_id: ThreadIdSchema,
  receiver_thread_id: ThreadIdSchema,
  prompt: z.string(),
});

export const CollabInteractionEndSchema = z.object({
  call_id: z.string(),
  completed_at_ms: i64Default,
  sender_thread_id: ThreadIdSchema,
  receiver_thread_id: ThreadIdSchema,
  receiver_agent_nickname: optString,
  receiver_agent_role: optString,
  prompt: z.string(),
  status: AgentStatusSchema,
});

export const CollabCloseBeginSchema = z.object({
  call_id: z.string(),
  started_at_ms: i64Default,
  sender_thread_id: ThreadIdSchema,
  receiver_thread_id: ThreadIdSchema,
});

export const CollabCloseEndSchema = z.object({
  call_id: z.string(),
  completed_at_ms: i64Default,
  sender_thread_id: ThreadIdSchema,
  receiver_thread_id: ThreadIdSchema,
  receiver_agent_nickname: optString,
  receiver_agent_role: optString,
  status: AgentStatusSchema,
});

export const SubAgentActivitySchema = z.object({
  event_id: z.string(),
  occurred_at_ms: i64Default,
  agent_thread_id: ThreadIdSchema,
  agent_path: z.string(),
  kind: z.enum(['started', 'interacted', 'interrupted']),
});
