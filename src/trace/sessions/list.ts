/**
 * What `serve` answers at /bundles/sessions.json (src/cli/sessions/catalog.ts)
 * and the session list page reads: one row per bundle under the served roots.
 */
import { z } from 'zod';
import { SessionSummarySchema } from './summary';

export const SessionRowSchema = z.object({
  /** URL name under /bundles/ (what `?trace=` takes). */
  name: z.string(),
  /** Bytes of manifest, trace.jsonl and payloads; null until measured (a dropped root's bundle, before it is read). */
  sizeBytes: z.number().nullable(),
  /** Last change to any of its files. */
  modifiedMs: z.number(),
  /** Not closed, and written to within the last `recentMs`: Codex is recording it now. */
  recording: z.boolean(),
  /** Waiting for (or being given) a fresh summary. */
  pending: z.boolean(),
  summary: SessionSummarySchema.nullable(),
});
export type SessionRow = z.infer<typeof SessionRowSchema>;

/** The data of each /bundles/sessions/events event: the list's counts as they are now. */
export const SessionCountsSchema = z.object({ total: z.number(), summarised: z.number() });

export const SessionListSchema = z.object({
  /** Bundles found, and how many of them have a current summary. */
  total: z.number(),
  summarised: z.number(),
  sessions: z.array(SessionRowSchema),
});
export type SessionList = z.infer<typeof SessionListSchema>;

/**
 * What `serve` answers at /bundles/sessions.json?since=V&epoch=E: the rows
 * changed since version V of the list, and the names gone since, so that an
 * open list does not fetch and parse a thousand rows for each one summarised.
 * `full`: every row is here (the first fetch, or the server restarted and
 * its versions began again: `epoch` changed).
 */
export const SessionListChangesSchema = z.object({
  epoch: z.string(),
  version: z.number().int().nonnegative(),
  full: z.boolean(),
  total: z.number(),
  summarised: z.number(),
  sessions: z.array(SessionRowSchema),
  removed: z.array(z.string()),
});
export type SessionListChanges = z.infer<typeof SessionListChangesSchema>;

export const SearchHitSchema = z.object({
  kind: z.enum(['conversation_item', 'tool_call', 'terminal_operation', 'inference_call', 'raw_payload']),
  ref: z.string(),
  threadId: z.string().nullable(),
  title: z.string(),
  /** Text around the hit; U+0001 and U+0002 mark where the matched words start and end. */
  snippet: z.string(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/**
 * What `serve` answers at /bundles/search?q=, and the worker for a dropped
 * root (src/trace/sessions/match.ts): hits grouped by session, the best first.
 */
export const SearchResultSchema = z.object({
  available: z.boolean(),
  /** Why search is not available, when it is not. */
  message: z.string().nullable(),
  /** Bundles indexed so far, of `total`. */
  indexed: z.number(),
  total: z.number(),
  /** Of the bundles indexed, those whose text was left out: a dropped root's documents beyond the memory kept for them (./kept.ts). */
  unsearchable: z.number().optional(),
  groups: z.array(z.object({ name: z.string(), hits: z.array(SearchHitSchema), more: z.number() })),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;
