/**
 * What the trace worker answers (protocol.ts), and the check the page makes
 * of each message: only the page builds these schemas (requests.ts).
 */
import { z } from 'zod';
import { ManifestSchema } from '../trace/schema/manifest';
import { TraceErrorInfoSchema } from '../trace/errors';
import { DiagnosticGroupsSchema } from '../trace/diagnostics';
import { SessionSummarySchema } from '../trace/sessions/summary';
import { SearchResultSchema } from '../trace/sessions/list';
import { StateChangeSchema } from './state-change';
import { BytesSchema, Id } from './message-fields';

export const ProgressSchema = z.object({
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  eventsDone: z.number().int().nonnegative(),
  /**
   * 'walking': the page is walking a dropped folder (files found and their bytes; no total yet);
   * 'reading': dropped files are being read into the worker (bytes only); 'reducing' (the default): events are being replayed;
   * 'server': `serve` is reducing the bundle (too large for the tab, or finished and opened sooner there); 'receiving': its state is arriving (bytes of state.json).
   */
  phase: z.enum(['walking', 'reading', 'reducing', 'server', 'receiving']).optional(),
  /** Files walked so far ('walking'). */
  filesDone: z.number().int().nonnegative().optional(),
});

export type ProgressMsg = z.infer<typeof ProgressSchema>;

export const BundleInfoSchema = z.object({
  key: z.string(),
  name: z.string(),
  rolloutId: z.string().nullable(),
  traceId: z.string().nullable(),
  startedAtUnixMs: z.number().nullable(),
  schemaVersion: z.number().int().nullable(),
  sizeBytes: z.number().nonnegative().nullable(),
  problem: TraceErrorInfoSchema.nullable(),
});
export type BundleInfo = z.infer<typeof BundleInfoSchema>;

export const SearchHitSchema = z.object({
  kind: z.enum(['conversation_item', 'tool_call']),
  id: z.string(),
  threadId: z.string(),
  /** Text around the match; U+0001 and U+0002 mark where each occurrence of the query starts and ends. */
  snippet: z.string(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const RecentMetaSchema = z.object({
  hash: z.string(),
  name: z.string(),
  sizeBytes: z.number().nonnegative(),
  savedAtMs: z.number(),
  traceId: z.string().nullable(),
});
export type RecentBundle = z.infer<typeof RecentMetaSchema>;

export const ResponseSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), id: Id, ...ProgressSchema.shape }),
  /** The input holds several bundles: the user must pick one (then a `select` request follows). */
  z.object({
    type: z.literal('bundles'),
    id: Id,
    label: z.string(),
    groups: z.array(z.object({ rolloutId: z.string().nullable(), bundles: z.array(BundleInfoSchema) })),
  }),
  /**
   * Reduction finished; `error` set means the state is partial (stopped at the error). `stateParts`: the
   * state's top-level fields in order, each as [key, JSON text], so that the page can parse them a task apart.
   * `stateText` instead, when the state came as text (a server's reduction): its UTF-8 bytes, handed over
   * rather than copied, with each field's byte range.
   */
  z.object({
    type: z.literal('result'),
    id: Id,
    label: z.string(),
    bundleKey: z.string(),
    manifest: ManifestSchema.nullable(),
    stateParts: z.array(z.tuple([z.string(), z.string()])).nullable(),
    stateText: z
      .object({ bytes: BytesSchema, parts: z.array(z.tuple([z.string(), z.number().int().nonnegative(), z.number().int().nonnegative()])) })
      .optional(),
    error: TraceErrorInfoSchema.nullable(),
    diagnostics: DiagnosticGroupsSchema,
    eventsApplied: z.number().int().nonnegative(),
    /** A `hash` message with the content hash (SHA-256 of manifest, trace and payloads, src/trace/bundle/hash.ts) follows this result. */
    hashFollows: z.boolean().optional(),
    /** Milliseconds the worker spent in each phase of this load (for benchmarks and the load details). */
    timings: z.record(z.string(), z.number()).optional(),
  }),
  /**
   * Load `id` follows its bundle while Codex records it: how the state
   * changed since the last one sent, the first time since the `result`
   * (./state-change.ts; null when only the status changed or updates are
   * paused), at most a few times a second. `ended`: following stopped (the
   * recording completed, or the bundle could not be read).
   */
  z.object({
    type: z.literal('live'),
    id: Id,
    status: z.enum(['following', 'paused', 'ended']),
    eventsApplied: z.number().int().nonnegative(),
    state: StateChangeSchema.nullable(),
    error: TraceErrorInfoSchema.nullable(),
    diagnostics: DiagnosticGroupsSchema,
    /** Why following ended, when it did not end with the recording. */
    note: z.string().nullable(),
    /** Wall-clock milliseconds at which the bundle was last written, as the server reports it. */
    writtenAt: z.number().nullable(),
  }),
  /** Scan `id` (a load whose input named `unread` files) wants these files, and every file under `folders`, as `unreadFiles` requests. */
  z.object({ type: z.literal('needFiles'), id: Id, paths: z.array(z.string()), folders: z.array(z.string()) }),
  /** Load `id`'s content hash, after its result (null when the bundle could not be hashed). */
  z.object({ type: z.literal('hash'), id: Id, contentHash: z.string().nullable() }),
  /** The request failed as a whole (for a load: nothing was reduced). */
  z.object({ type: z.literal('error'), id: Id, error: TraceErrorInfoSchema }),
  z.object({ type: z.literal('cancelled'), id: Id }),
  z.object({ type: z.literal('payload'), id: Id, path: z.string(), data: z.unknown() }),
  z.object({ type: z.literal('searchResult'), id: Id, hits: z.array(SearchHitSchema) }),
  z.object({ type: z.literal('recent'), id: Id, bundles: z.array(RecentMetaSchema) }),
  /** The hits of a `searchSessions`, in the shape `serve`'s search answers. */
  z.object({ type: z.literal('sessionSearch'), id: Id, result: SearchResultSchema }),
  /** One bundle of a scan summarised (`key` as in `bundles`); `done`: the last message of the request. */
  z.object({
    type: z.literal('scanSummary'),
    id: Id,
    key: z.string(),
    summary: SessionSummarySchema.nullable(),
    /** The bundle's bytes, once known (a dropped root's bundle is measured when it is read to be summarised). */
    sizeBytes: z.number().nonnegative().nullable().optional(),
    done: z.boolean(),
  }),
  z.object({
    type: z.literal('exported'),
    id: Id,
    name: z.string(),
    zip: BytesSchema,
  }),
]);
export type WorkerResponse = z.infer<typeof ResponseSchema>;

export function parseResponse(data: unknown): { ok: true; msg: WorkerResponse } | { ok: false; reason: string } {
  const r = ResponseSchema.safeParse(data);
  return r.success ? { ok: true, msg: r.data } : { ok: false, reason: z.prettifyError(r.error) };
}
