/**
 * What the page asks of the trace worker (protocol.ts), and the check the
 * worker makes of each message. Apart from the responses' schemas
 * (responses.ts): each side builds only the schemas of what it receives, as
 * building a zod schema costs start-up time on the thread that builds it.
 */
import { z } from 'zod';
import { isDroppedHandle, type DroppedHandle } from './handles';
import { BytesSchema, Id } from './message-fields';

const BlobSchema = z.custom<Blob>((v) => typeof Blob !== 'undefined' && v instanceof Blob, 'expected a Blob or File');

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
  /**
   * The page has drawn load `target`'s result: the worker's work that can wait (the content hash, the recent-bundles copy) begins.
   * `bytes`: the state's text the result handed over (`stateText`), given back once parsed.
   */
  z.object({ type: z.literal('landed'), id: Id, target: Id, bytes: BytesSchema.optional() }),
]);
export type WorkerRequest = z.infer<typeof RequestSchema>;

/** Parses a message or explains why it is not one. */
export function parseRequest(data: unknown): { ok: true; msg: WorkerRequest } | { ok: false; reason: string } {
  const r = RequestSchema.safeParse(data);
  return r.success ? { ok: true, msg: r.data } : { ok: false, reason: z.prettifyError(r.error) };
}
