import { z } from 'zod';

export const ManifestSchema = z.object({
  schema_version: z.number().int(),
  trace_id: z.string(),
  rollout_id: z.string(),
  root_thread_id: z.string(),
  started_at_unix_ms: z.number().int(),
  raw_event_log: z.string().optional(),
  payloads_dir: z.string().optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
