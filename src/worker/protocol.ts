/**
 * Messages between the main thread (client.ts) and the trace worker
 * (trace.worker.ts). Every message carries the `id` of the request it belongs
 * to; both sides validate what they receive with these schemas.
 *
 * The reduced state in `result` travels as JSON text, one piece per
 * top-level field: for a large trace, JSON.parse on the main thread costs a
 * fraction of deserializing the same object graph from a structured clone,
 * and pieces let the page parse it in several short tasks. It was produced by our own reducer in
 * the worker and is not schema-checked again (that would cost the main thread
 * a long task); everything else is checked fully.
 *
 * Many dropped files are sent in chunks (a `load` with the first chunk and
 * `more` announced, then `files` messages) because cloning a File costs the
 * main thread about half a millisecond: thousands at once would freeze the page.
 */
import { z } from 'zod';
import { ManifestSchema } from '../trace/schema/manifest';
import { TraceErrorInfoSchema } from '../trace/errors';
import { DiagnosticGroupsSchema } from '../trace/diagnostics';
import { SessionSummarySchema } from '../trace/sessions/summary';
import { SearchResultSchema } from '../trace/sessions/list';
import { isDroppedHandle, type DroppedHandle } from './handles';
import { StateChangeSchema } from './state-change';

const Id = z.number().int().nonnegative();

export { TraceErrorInfoSchema };

/** Skipped events travel grouped, with a bounded sample each (src/trace/diagnostics.ts). */
export { DiagnosticGroupSchema } from '../trace/diagnostics';

const BlobSchema = z.custom<Blob>((v) => typeof Blob !== 'undefined' && v instanceof Blob, 'expected a Blob or File');

const BytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

/** One streamed file: its bytes, or why the page could not read it. */
const BytesEntrySchema = z.union([z.object({ path: z.string(), data: BytesSchema }), z.object({ path: z.string(), error: z.string() })]);
export type BytesEntry = z.infer<typeof BytesEntrySchema>;

const InputFileSchema = z.object({ path: z.string().min(1), file: BlobSchema });

/** One file a scan asked for: the File, or why the page could not get it. */
const UnreadEntrySchema = z.union([z.object({ path: z.string(), file: BlobSchema }), z.object({ path: z.string(), error: z.string() })]);
export type UnreadEntry = z.infer<typeof UnreadEntrySchema>;

export const LoadInputMsgSchema = z.discriminatedUnion('kind', [
  /** Dropped or picked files (archives among them are unpacked in the worker); `more` files follow in `files` messages. */
  z.object({
    kind: z.literal('files'),
    files: z.array(InputFileSchema),
    more: z.number().int().nonnegative().optional(),
    /**
     * Paths of files the page found but has not read (a dropped trace root's event logs and payloads):
     * the worker asks for a bundle's with `needFiles` when it summarises or opens it.
     */
    unread: z.array(z.string().min(1)).optional(),
    /** Folders the page did not enter (a root's bundles' payloads/): asked for, as `unread` files are, with every file under them. */
    unreadFolders: z.array(z.string().min(1)).optional(),
    /** Keep the bundle in the recent-bundles cache (default true; false for a bundle embedded in an exported page). */
    remember: z.boolean().optional(),
  }),
  /**
   * One plain bundle whose files the main thread reads and sends as `bytes`
   * messages (`paths` relative to the bundle root): cloning a File into a
   * worker costs the main thread more than reading it there.
   */
  z.object({
    kind: z.literal('stream'),
    paths: z.array(z.string().min(1)).min(1),
    remember: z.boolean().optional(),
    /** Bytes of trace.jsonl and payloads, from the files' sizes: the worker refuses a bundle over its limit before any is sent. */
    bytes: z.number().nonnegative().optional(),
  }),
  /** Dropped files and folders as file-system handles: the worker walks and reads them (src/worker/handles.ts). */
  z.object({
    kind: z.literal('handles'),
    handles: z.array(z.custom<DroppedHandle>(isDroppedHandle, 'expected a file or directory handle')).min(1),
  }),
  /** A bundle from the recent-bundles cache (IndexedDB), by content hash. */
  z.object({ kind: z.literal('cached'), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** A bundle served over HTTP; `baseUrl` is the absolute URL of its directory. */
  z.object({ kind: z.literal('url'), baseUrl: z.string().url() }),
]);
export type LoadInputMsg = z.infer<typeof LoadInputMsgSchema>;

export const RequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('load'), id: Id, label: z.string(), input: LoadInputMsgSchema }),
  /** More files for load request `target` (see `more`). */
  z.object({ type: z.literal('files'), id: Id, target: Id, files: z.array(InputFileSchema).min(1) }),
  /** Bytes of files announced by stream load `target` (buffers transferred), or why one could not be read. */
  z.object({
    type: z.literal('bytes'),
    id: Id,
    target: Id,
    files: z.array(BytesEntrySchema).min(1),
  }),
  /**
   * Files scan `target` asked for (`needFiles`), as Files (the worker reads them, and holds no more of
   * a large bundle than the reducer asks for), or why one could not be got; `done`: folders asked for all of whose
   * files have now been sent.
   */
  z.object({
    type: z.literal('unreadFiles'),
    id: Id,
    target: Id,
    files: z.array(UnreadEntrySchema),
    done: z.array(z.string()).optional(),
  }),
  /** Load bundle `key` out of what load request `scanId` found. */
  z.object({ type: z.literal('select'), id: Id, scanId: Id, key: z.string() }),
  /** Summarise every bundle of scan `scanId`, for the session list (one `scanSummary` each, then one with `done`). */
  z.object({ type: z.literal('summarizeScan'), id: Id, scanId: Id, skip: z.array(z.string()) }),
  /** Search every bundle of the dropped root on offer (as summarised so far); answered with `sessionSearch`. A newer one stops an older one. */
  z.object({ type: z.literal('searchSessions'), id: Id, query: z.string().max(2000) }),
  /** Abort request `target` (a load, select, summary or session search). */
  z.object({ type: z.literal('cancel'), id: Id, target: Id }),
  z.object({ type: z.literal('readPayload'), id: Id, path: z.string().min(1) }),
  z.object({ type: z.literal('search'), id: Id, query: z.string(), limit: z.number().int().positive().max(10_000) }),
  /** The recent-bundles cache: list it, or forget one bundle (hash) or all (null); answered with `recent`. */
  z.object({ type: z.literal('recentList'), id: Id }),
  z.object({ type: z.literal('recentForget'), id: Id, hash: z.string().nullable() }),
  /** The loaded bundle's files as a zip (for an exported page); answered with `exported`. */
  z.object({ type: z.literal('exportBundle'), id: Id }),
  /** Hold (or resume) the state updates of load `target`, which follows a bundle being recorded. */
  z.object({ type: z.literal('livePause'), id: Id, target: Id, paused: z.boolean() }),
  /** The page has drawn load `target`'s result: the worker's work that can wait (the content hash, the recent-bundles copy) begins. */
  z.object({ type: z.literal('landed'), id: Id, target: Id }),
]);
export type WorkerRequest = z.infer<typeof RequestSchema>;

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

/** Parses a message or explains why it is not one. */
export function parseRequest(data: unknown): { ok: true; msg: WorkerRequest } | { ok: false; reason: string } {
  const r = RequestSchema.safeParse(data);
  return r.success ? { ok: true, msg: r.data } : { ok: false, reason: z.prettifyError(r.error) };
}

export function parseResponse(data: unknown): { ok: true; msg: WorkerResponse } | { ok: false; reason: string } {
  const r = ResponseSchema.safeParse(data);
  return r.success ? { ok: true, msg: r.data } : { ok: false, reason: z.prettifyError(r.error) };
}

/** What a message hands over to the page rather than copies: a state's text. */
export function transferablesOf(msg: WorkerResponse): Transferable[] {
  return msg.type === 'result' && msg.stateText ? [msg.stateText.bytes.buffer as ArrayBuffer] : [];
}

/** A result's state as its top-level fields in order, each [key, its JSON text]: a text that came as bytes is decoded when asked for. */
export function resultStateParts(msg: Extract<WorkerResponse, { type: 'result' }>): [string, () => string][] | null {
  if (msg.stateText) {
    const { bytes, parts } = msg.stateText;
    const decoder = new TextDecoder();
    return parts.map(([key, start, end]) => [key, () => decoder.decode(bytes.subarray(start, end))]);
  }
  return msg.stateParts?.map(([key, json]) => [key, () => json]) ?? null;
}

/** The state as `stateParts`. */
export function stateToParts(state: object): [string, string][] {
  return Object.entries(state).map(([k, v]) => [k, JSON.stringify(v)]);
}
