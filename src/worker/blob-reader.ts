/**
 * The Files of a dropped bundle too large to hold, read as the reducer goes,
 * on a thread of their own. Chromium hands a Blob's bytes to the thread that
 * reads it through a pipe which that thread drains between its tasks; a
 * worker busy reducing drains it late, so the reads stalled while the
 * reducer ran, and reading and reducing a gigabyte bundle barely overlapped.
 * A second, tiny worker does nothing but read: each group's buffer comes back
 * transferred, not copied.
 *
 * Where no such worker can start (no Worker here, or its script refused),
 * Blobs are read on this thread, as before.
 */
import { readBlobsHere, type ReadBlobs } from '../trace/bundle/blob-groups';

/** The reader's whole script: plain JavaScript with no imports, so that it starts from a blob: URL in every build (the exported page's too). */
export const READER_SCRIPT = `onmessage = async (e) => {
  const { id, blobs } = e.data;
  try {
    const buffer = await new Blob(blobs).arrayBuffer();
    postMessage({ id, buffer }, [buffer]);
  } catch (err) {
    postMessage({ id, error: String((err && err.message) || err) });
  }
};`;

/** What the reader needs of a Worker: structural, so that tests can pass a stand-in. */
export interface ReaderWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (e: Event) => void): void;
  terminate(): void;
}

function startReader(): ReaderWorker | null {
  if (typeof Worker !== 'function' || typeof URL.createObjectURL !== 'function') return null;
  try {
    return new Worker(URL.createObjectURL(new Blob([READER_SCRIPT], { type: 'text/javascript' })));
  } catch {
    return null;
  }
}

interface Pending {
  blobs: readonly Blob[];
  resolve: (buffer: ArrayBuffer) => void;
  reject: (e: Error) => void;
}

/**
 * A ReadBlobs whose reads run in a reader worker, started on the first read.
 * If the worker fails, the reads it had are done here, and so is every later one.
 */
export function offThreadReader(start: () => ReaderWorker | null = startReader): ReadBlobs {
  let reader: ReaderWorker | null | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 0;

  const giveUp = () => {
    reader?.terminate();
    reader = null;
    for (const p of pending.values()) readBlobsHere(p.blobs).then(p.resolve, p.reject);
    pending.clear();
  };

  const connect = (): ReaderWorker | null => {
    if (reader !== undefined) return reader;
    reader = start();
    reader?.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data as { id?: unknown; buffer?: unknown; error?: unknown } | null;
      const id = typeof data?.id === 'number' ? data.id : -1;
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (data!.buffer instanceof ArrayBuffer) p.resolve(data!.buffer);
      else p.reject(new Error(typeof data!.error === 'string' ? data!.error : 'the reader sent no bytes'));
    });
    reader?.addEventListener('error', giveUp);
    return reader;
  };

  return (blobs) => {
    const worker = connect();
    if (!worker) return readBlobsHere(blobs);
    return new Promise<ArrayBuffer>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { blobs, resolve, reject });
      try {
        worker.postMessage({ id, blobs });
      } catch {
        giveUp();
      }
    });
  };
}
