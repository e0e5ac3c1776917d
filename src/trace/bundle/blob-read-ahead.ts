/**
 * Reading a bundle too large to hold from its dropped or picked Files, as
 * the reducer goes. Read one at a time, each File costs a round trip to the
 * browser's process (./blob-groups.ts); read all at once, a gigabyte bundle
 * would take the tab's memory. So once trace.jsonl is read, its payloads are
 * read a group at a time in the order it mentions them, which is the order
 * the reducer asks for them, never more than a byte budget ahead of it, and
 * each body is handed out once and forgotten.
 */
import { GROUP_LIMITS, readGrouped, type GroupLimits, type ReadBlobs } from './blob-groups';
import { normalizePath } from './paths';
import { payloadsInMentionOrder } from './readahead';
import { bytesText, type BundleSource, type FileText, type MemorySource } from './source';

export interface BlobReadAheadOptions {
  /** Most bytes read but not yet asked for, groups in flight included. */
  budget?: number;
  limits?: GroupLimits;
  signal?: AbortSignal;
  /** How a group's Blobs are read (on this thread by default). */
  read?: ReadBlobs;
}

/** Bytes read ahead of the reducer at most: a few groups, so the next payload is there when it is asked for. */
export const READ_AHEAD_BUDGET = 64 << 20;

interface Ahead {
  /** The file's place in trace.jsonl's order of mention. */
  at: number;
  state: 'coming' | 'here' | 'gone';
  bytes: Uint8Array | null;
  waiters: ((bytes: Uint8Array | null) => void)[];
}

/**
 * `source` (its Blobs not yet read) with its payloads read ahead of the
 * reader. A body asked for again, out of order, or never mentioned by the log
 * is read on its own, by `source`.
 */
export function withBlobReadAhead(source: MemorySource, options: BlobReadAheadOptions = {}): BundleSource {
  const files = source.fileMap();
  const budget = options.budget ?? READ_AHEAD_BUDGET;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const ahead = new Map<string, Ahead>();
  /** Paths in order of mention, for dropping what the reader skipped past. */
  const order: string[] = [];
  let skippedTo = 0;
  /** Bytes read ahead and not yet taken, plus those of groups being read. */
  let held = 0;
  /** Groups waiting for room, woken whenever bytes are let go. */
  const waitingForRoom = new Set<() => void>();
  const wakePump = () => {
    for (const w of waitingForRoom) w();
    waitingForRoom.clear();
  };
  /** Groups are let in strictly in order: a later group taking the room an earlier one needs would leave the reader waiting for it forever. */
  let nextTicket = 0;
  let admitted = 0;
  let started = false;

  const settle = (a: Ahead, bytes: Uint8Array | null) => {
    for (const w of a.waiters.splice(0)) w(bytes);
  };

  const release = (a: Ahead) => {
    if (a.state === 'here' && a.bytes) held -= a.bytes.byteLength;
    a.state = 'gone';
    a.bytes = null;
    wakePump();
  };

  const start = (log: string) => {
    if (started) return;
    started = true;
    for (const p of payloadsInMentionOrder(log)) {
      if (!(files.get(p) instanceof Blob)) continue;
      ahead.set(p, { at: order.length, state: 'coming', bytes: null, waiters: [] });
      order.push(p);
    }
    const items = order.map((path) => ({ path, file: files.get(path) as Blob }));
    void readGrouped(
      items,
      (group) => {
        for (const { item, body } of group) {
          const a = ahead.get(item.path)!;
          held -= item.file.size;
          if (a.state !== 'coming') continue;
          if (body instanceof Error || a.at < skippedTo) {
            // Unreadable (its own read reports why) or skipped past: read on its own if ever asked for.
            a.state = 'gone';
            settle(a, null);
            continue;
          }
          a.state = 'here';
          a.bytes = body;
          held += body.byteLength;
          settle(a, body);
        }
        wakePump();
      },
      {
        limits: options.limits ?? GROUP_LIMITS,
        read: options.read,
        live: () => !options.signal?.aborted,
        // Each group waits for its turn and for room; with nothing held, a group larger than the budget still goes.
        admit: async (group) => {
          const ticket = nextTicket++;
          const bytes = group.reduce((n, i) => n + i.file.size, 0);
          while (ticket !== admitted || (held > 0 && held + bytes > budget)) {
            if (options.signal?.aborted) break;
            await new Promise<void>((r) => waitingForRoom.add(r));
          }
          admitted++;
          held += bytes;
          wakePump();
        },
      },
    ).finally(() => {
      // Reading stopped (done, or the load cancelled): nobody waits for a body that will not come.
      for (const a of ahead.values()) if (a.state === 'coming') settle(a, null);
      wakePump();
    });
  };

  /** The body of `path` if it was read ahead (once), else read now on its own. */
  const take = async (path: string): Promise<Uint8Array | null> => {
    const a = ahead.get(path);
    if (!a) return source.readBytes(path);
    // What the reader went past without asking is dropped, so that it does not hold up the reads after it.
    for (; skippedTo < a.at; skippedTo++) {
      const skipped = ahead.get(order[skippedTo])!;
      if (skipped.state === 'here') release(skipped);
    }
    if (a.state === 'coming') {
      const bytes = await new Promise<Uint8Array | null>((r) => a.waiters.push(r));
      if (bytes === null) return source.readBytes(path);
    }
    if (a.state !== 'here' || !a.bytes) return source.readBytes(path);
    const bytes = a.bytes;
    release(a);
    return bytes;
  };

  return {
    name: source.name,
    size: (path) => source.size(path),
    async readText(path) {
      const p = normalizePath(path) ?? path;
      const bytes = await take(p);
      if (bytes === null) return null;
      const text = decoder.decode(bytes);
      if (p === 'trace.jsonl') start(text);
      return text;
    },
    async readFileText(path): Promise<FileText | null> {
      const p = normalizePath(path) ?? path;
      const bytes = await take(p);
      if (bytes === null) return null;
      if (p !== 'trace.jsonl') return bytesText(bytes, (b) => decoder.decode(b));
      const text = decoder.decode(bytes);
      start(text);
      return bytesText(bytes, (b) => (b === bytes ? text : decoder.decode(b)));
    },
    readBytes: (path) => take(normalizePath(path) ?? path),
  };
}
