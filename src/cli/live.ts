/**
 * What `serve` gives a page that follows a bundle Codex is still writing:
 *
 *   GET /bundles/<name>/?live   server-sent events: `grew` with the sizes of
 *                               trace.jsonl and of each payload shard, and the
 *                               number of payload files, each time they change,
 *                               and how long ago the bundle was last written
 *   Range: bytes=N- on a bundle file   206 with the bytes from N on, so the
 *                               page fetches only what was appended
 *
 * The bundle is polled (stat and readdir every POLL_MS): fs.watch misses
 * events on some file systems and fires several times per write on others,
 * and four stats a second cost nothing.
 */
import type http from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const POLL_MS = 200;

/** What the page learns each time the bundle grows. */
export interface BundleGrowth {
  /** trace.jsonl's size in bytes (0 while it does not exist). */
  trace: number;
  /** Payload files (schemas 1 and 2: one per payload). */
  payloadFiles: number;
  /** Each shard file's size in bytes (schema 3), by name (`000001.zst`). */
  shards: Record<string, number>;
  /** Milliseconds since trace.jsonl or the payloads were last written (not part of what counts as a change). */
  idleMs: number;
}

async function measure(bundleDir: string): Promise<{ growth: Omit<BundleGrowth, 'idleMs'>; modifiedMs: number }> {
  const log = await stat(path.join(bundleDir, 'trace.jsonl')).catch(() => null);
  // A file added to payloads/ changes the folder's mtime: one stat instead of one per payload.
  let modifiedMs = Math.max(log?.mtimeMs ?? 0, (await stat(path.join(bundleDir, 'payloads')).catch(() => null))?.mtimeMs ?? 0);
  const names = await readdir(path.join(bundleDir, 'payloads')).catch(() => [] as string[]);
  const shards: Record<string, number> = {};
  let payloadFiles = 0;
  for (const n of names.sort()) {
    if (!n.endsWith('.zst')) {
      payloadFiles++;
      continue;
    }
    const st = await stat(path.join(bundleDir, 'payloads', n)).catch(() => null);
    shards[n] = st?.size ?? 0;
    modifiedMs = Math.max(modifiedMs, st?.mtimeMs ?? 0);
  }
  return { growth: { trace: log?.size ?? 0, payloadFiles, shards }, modifiedMs };
}

/** `GET /bundles/<name>/?live` on a bundle directory already resolved inside its root. */
export function liveEvents(req: http.IncomingMessage, res: http.ServerResponse, bundleDir: string, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let last = '';
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const poll = async () => {
    const { growth, modifiedMs } = await measure(bundleDir);
    if (closed) return;
    const now = JSON.stringify(growth);
    if (now !== last) {
      last = now;
      res.write(`event: grew\ndata: ${JSON.stringify({ ...growth, idleMs: Math.max(0, Math.round(Date.now() - modifiedMs)) })}\n\n`);
    }
    timer = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  // A comment now and then keeps proxies and idle timers from closing the stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  res.on('close', () => {
    closed = true;
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}

/**
 * The byte range a `Range` header asks of a file of `size` bytes: one range
 * (`bytes=N-`, `bytes=N-M`); null to send the whole file (no header, or one
 * this server does not do, such as several ranges or a suffix); 'unsatisfiable'
 * when it starts at or past the end.
 */
export function requestedRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
