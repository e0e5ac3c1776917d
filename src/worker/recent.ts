/**
 * Recently opened (dropped) bundles, kept in IndexedDB by content hash so that
 * a share link to a dropped bundle reopens on this machine. Bounded: at most
 * RECENT_MAX_BUNDLES bundles and RECENT_MAX_BYTES in all, oldest dropped first;
 * a bundle larger than the whole budget is not kept. Runs in the worker (which
 * holds the files); the UI lists and forgets entries through the worker.
 */
import type { FileBody } from '../trace/bundle/source';
import { hashedPaths } from '../trace/bundle/hash';

export const RECENT_MAX_BUNDLES = 5;
export const RECENT_MAX_BYTES = 300 * 1024 * 1024;

export interface RecentMeta {
  hash: string;
  /** The label the bundle was opened under (folder or archive name). */
  name: string;
  sizeBytes: number;
  savedAtMs: number;
  traceId: string | null;
}

export interface RecentStore {
  list(): Promise<RecentMeta[]>;
  get(hash: string): Promise<{ meta: RecentMeta; files: Map<string, FileBody> } | null>;
  put(meta: Omit<RecentMeta, 'sizeBytes' | 'savedAtMs'>, files: ReadonlyMap<string, FileBody>): Promise<void>;
  /** Forget one bundle, or all with null. */
  forget(hash: string | null): Promise<void>;
}

/**
 * Which kept bundles to drop when a bundle of `sizeBytes` with `hash` is added:
 * the newest others are kept while the count stays within RECENT_MAX_BUNDLES
 * and the bytes within RECENT_MAX_BYTES (counting the new one); re-adding a
 * kept bundle replaces it. `existing` is newest first.
 */
export function planEviction(existing: RecentMeta[], hash: string, sizeBytes: number, maxBundles = RECENT_MAX_BUNDLES, maxBytes = RECENT_MAX_BYTES): string[] {
  const evict: string[] = [];
  let kept = 1;
  let bytes = sizeBytes;
  for (const e of existing) {
    if (e.hash === hash) continue;
    if (kept < maxBundles && bytes + e.sizeBytes <= maxBytes) {
      kept++;
      bytes += e.sizeBytes;
    } else evict.push(e.hash);
  }
  return evict;
}

const DB_NAME = 'codex-trace-viewer';
const DB_VERSION = 1;
const META = 'recent-meta';
const FILES = 'recent-files';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * A kept bundle's files as stored: one Blob holding them all, one after
 * another, and where each lies in it. A Blob per file cost the worker about a
 * millisecond each (437 files: 0.4 s, while the page was drawing the trace);
 * slicing one is free. Entries kept before were `[path, Blob][]`, still read.
 */
interface StoredFiles {
  blob: Blob;
  /** [path, start, end] in `blob`, in hashing order. */
  spans: [string, number, number][];
}

const encoder = new TextEncoder();

/** The files packed for storing; null when they are more than `maxBytes` (checked before the Blob is made). */
function packFiles(files: ReadonlyMap<string, FileBody>, maxBytes: number): StoredFiles | null {
  const parts: BlobPart[] = [];
  const spans: [string, number, number][] = [];
  let at = 0;
  for (const p of hashedPaths(files.keys())) {
    const body = files.get(p)!;
    const part = typeof body === 'string' ? encoder.encode(body) : body;
    const size = part instanceof Blob ? part.size : part.byteLength;
    parts.push(part as BlobPart);
    spans.push([p, at, at + size]);
    at += size;
  }
  return at > maxBytes ? null : { blob: new Blob(parts), spans };
}

function unpackFiles(stored: StoredFiles | [string, Blob][]): Map<string, FileBody> {
  if (Array.isArray(stored)) return new Map<string, FileBody>(stored);
  return new Map<string, FileBody>(stored.spans.map(([p, start, end]) => [p, stored.blob.slice(start, end)]));
}

/** IndexedDB-backed store: meta records (listing) and file records (path → Blob) keyed by hash. */
export class IdbRecentStore implements RecentStore {
  private db: Promise<IDBDatabase> | null = null;
  constructor(private readonly factory: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = this.factory.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'hash' });
        if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES);
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.db;
  }

  async list(): Promise<RecentMeta[]> {
    const db = await this.open();
    const all = (await req(db.transaction(META).objectStore(META).getAll())) as RecentMeta[];
    return all.sort((a, b) => b.savedAtMs - a.savedAtMs);
  }

  async get(hash: string) {
    const db = await this.open();
    const tx = db.transaction([META, FILES]);
    const meta = (await req(tx.objectStore(META).get(hash))) as RecentMeta | undefined;
    const stored = (await req(tx.objectStore(FILES).get(hash))) as StoredFiles | [string, Blob][] | undefined;
    if (!meta || !stored) return null;
    // Opening it again makes it the most recent.
    void this.touch(meta);
    return { meta, files: unpackFiles(stored) };
  }

  private async touch(meta: RecentMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(META, 'readwrite');
    tx.objectStore(META).put({ ...meta, savedAtMs: Date.now() });
    await done(tx).catch(() => {});
  }

  async put(m: Omit<RecentMeta, 'sizeBytes' | 'savedAtMs'>, files: ReadonlyMap<string, FileBody>): Promise<void> {
    const packed = packFiles(files, RECENT_MAX_BYTES);
    if (!packed) return;
    const sizeBytes = packed.blob.size;
    const evict = planEviction(await this.list(), m.hash, sizeBytes);
    const db = await this.open();
    const tx = db.transaction([META, FILES], 'readwrite');
    for (const h of evict) {
      tx.objectStore(META).delete(h);
      tx.objectStore(FILES).delete(h);
    }
    tx.objectStore(FILES).put(packed, m.hash);
    tx.objectStore(META).put({ ...m, sizeBytes, savedAtMs: Date.now() } satisfies RecentMeta);
    await done(tx);
  }

  async forget(hash: string | null): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([META, FILES], 'readwrite');
    if (hash === null) {
      tx.objectStore(META).clear();
      tx.objectStore(FILES).clear();
    } else {
      tx.objectStore(META).delete(hash);
      tx.objectStore(FILES).delete(hash);
    }
    await done(tx);
  }
}
