/**
 * `codex-trace-viewer serve`: a small read-only HTTP server (node:http, no
 * framework) for the built app (distDir) and for trace bundles on disk.
 *
 *   /                         dist/index.html (and the other files of dist/)
 *   /bundles/index.json       [{ name, manifest }] for every bundle under the roots
 *   /bundles/<name>/<path>    a file of a served root (manifest.json, trace.jsonl, payloads/N.json, ...)
 *   /bundles/<name>/?pack=tar the bundle's manifest, trace and payloads in one tar (one request instead of hundreds)
 *   /bundles/<name>/?live     server-sent events: the bundle grew (./live.ts); bundle files also answer `Range: bytes=N-`
 *   /bundles/sessions.json    the session list: every bundle with its summary (./sessions/catalog.ts)
 *   /bundles/sessions/events  server-sent events: the session list changed
 *   /bundles/search?q=        hits across every bundle, grouped by session (./search/index.ts)
 *
 * Each root is a bundle directory or a directory holding bundles; it is served
 * under its base name. Only GET and HEAD are answered. A path is refused with
 * 403 when it tries to leave its root (`..`, encoded separators, or a symlink
 * whose target lies outside the root), and 404 when it does not exist or is not
 * a regular file. Requests whose Host header is not the served host are
 * refused (DNS rebinding would otherwise expose local traces to web pages).
 */
import http from 'node:http';
import { constants, createReadStream, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SessionCatalog, type Summarize } from './sessions/catalog';
import { inside, isFile, listBundles, resolveRoots, type BundleIndexEntry, type ServedRoot } from './bundles';
export { listBundleDirs, listBundles, resolveRoots, type BundleIndexEntry, type ServedRoot } from './bundles';
import { summarizeAndIndex } from './sessions/child';
import { SEARCH_UNAVAILABLE, SearchReader, SearchWriter } from './search/index';
import type { SearchResult } from '../trace/sessions/list';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';
import { liveEvents, requestedRange } from './live';

export interface ServeOptions {
  /** Bundle directories, or directories that contain bundles (searched a few levels deep). */
  roots: string[];
  /** 0 picks a free port. Default 4180. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Open the app in the default browser once listening. */
  open?: boolean;
  /** The built app (vite build output); must contain index.html. */
  distDir: string;
  /** Log function for the startup line and errors; default console.log. Pass `() => {}` to silence. */
  log?: (msg: string) => void;
  /**
   * The session list (`/bundles/sessions.json`): how bundles are summarised
   * (default: in this process; `serve` on the command line passes a child
   * process), where summaries are kept across restarts, how often the roots
   * are scanned for new and changed bundles.
   */
  sessions?: { summarize?: Summarize; cacheFile?: string | null; pollMs?: number; indexFile?: string | null; concurrency?: number };
}

export interface ServeHandle {
  url: string;
  port: number;
  server: http.Server;
  /** The bundles found at startup. */
  bundles: BundleIndexEntry[];
  close(): Promise<void>;
}

export { CONTENT_SECURITY_POLICY };

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

type Resolved = { status: 200; file: string; stats: Stats } | { status: 400 | 403 | 404 };

/**
 * Maps URL path segments (still percent-encoded) to an entry inside `baseDir`
 * (a realpath), refusing anything that would leave it: a regular file, or with
 * `kind: 'dir'` a directory.
 */
async function resolveInside(baseDir: string, rawSegments: string[], kind: 'file' | 'dir' = 'file'): Promise<Resolved> {
  const segs: string[] = [];
  for (const raw of rawSegments) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return { status: 400 };
    }
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) return { status: 403 };
    segs.push(s);
  }
  const target = path.join(baseDir, ...segs);
  if (!inside(target, baseDir)) return { status: 403 };
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return { status: 404 };
  }
  if (!inside(real, baseDir)) return { status: 403 }; // a symlink pointing out of the root
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch {
    return { status: 404 };
  }
  if (kind === 'file' ? !stats.isFile() : !stats.isDirectory()) return { status: 404 };
  return { status: 200, file: real, stats };
}

/*
 * `GET /bundles/<name>/?pack=tar`: the bundle's manifest.json, trace.jsonl and
 * payloads/ in one uncompressed tar (POSIX ustar), so that the app does not
 * need one request per payload. trace.jsonl is read before the payloads, so
 * every payload it mentions is present even while a recorder is still writing.
 */
function ustarHeader(name: string, size: number, mtimeMs: number): Buffer | null {
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(base) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0) return null;
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) return null;
  }
  const h = Buffer.alloc(512);
  const field = (at: number, len: number, value: string) => h.write(value, at, len, 'utf8');
  const octal = (at: number, len: number, n: number) => field(at, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  field(0, 100, base);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(mtimeMs / 1000));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Regular files under `dir` (relative, `/`-separated, sorted), not following symlinks out of `root`. */
async function filesUnder(root: string, dir: string, rel: string, out: string[] = []): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) await filesUnder(root, p, r, out);
    else if (e.isFile()) out.push(r);
    else if (e.isSymbolicLink()) {
      const real = await realpath(p).catch(() => null);
      if (real && inside(real, root) && (await isFile(real))) out.push(r);
    }
  }
  return out;
}

/** One file of a bundle tar: its name in the archive, its real path, and the size its header declares. */
interface TarEntry {
  name: string;
  file: string;
  size: number;
}

/** The bytes a tar of `entries` takes: a header and zero-padded data per file, then the end-of-archive marker. */
function tarLength(entries: readonly TarEntry[]): number {
  let n = 1024;
  for (const e of entries) n += 512 + Math.ceil(e.size / 512) * 512;
  return n;
}

/**
 * The files a bundle tar holds, each with the size fixed now. trace.jsonl is
 * sized before the payloads are listed, so every payload its first `size`
 * bytes mention is present even while a recorder is still writing.
 */
async function bundleTarEntries(bundleDir: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const sized = async (name: string, checkInside: boolean): Promise<TarEntry | null> => {
    const file = path.join(bundleDir, ...name.split('/'));
    const real = checkInside ? await realpath(file).catch(() => null) : file;
    if (!real || (checkInside && !inside(real, bundleDir))) return null;
    const s = await stat(real).catch(() => null);
    // A name ustar cannot hold is left out, as before: the page then reports that payload missing.
    return s?.isFile() && ustarHeader(name, s.size, 0) ? { name, file: real, size: s.size } : null;
  };
  const add = (e: TarEntry | null) => {
    if (e) out.push(e);
  };
  add(await sized('manifest.json', true));
  add(await sized('trace.jsonl', true));
  const payloads = path.join(bundleDir, 'payloads');
  const realPayloads = await realpath(payloads).catch(() => null);
  if (realPayloads && inside(realPayloads, bundleDir)) {
    // `filesUnder` has checked these paths already; stat them a batch at a time, kept in listing order.
    const listed = await filesUnder(bundleDir, realPayloads, 'payloads');
    for (let i = 0; i < listed.length; i += 64) (await Promise.all(listed.slice(i, i + 64).map((n) => sized(n, false)))).forEach(add);
  }
  return out;
}

/** Files up to this size are read whole, several ahead of the writer; larger ones are streamed a chunk at a time. */
const SMALL_FILE = 256 * 1024;
const TAR_READ_AHEAD = 32;
const CHUNK = 1 << 20;

/**
 * Reads exactly `size` bytes of a regular file, `CHUNK` at a time. A file that
 * shrank since it was sized is padded with zeros and one that grew is cut, so
 * the archive always matches the Content-Length already sent. A special file
 * (FIFO, device) put in place since is not read: its entry is all zeros.
 */
async function* fileChunks(file: string, size: number): AsyncGenerator<Buffer> {
  let fh: Awaited<ReturnType<typeof open>> | null;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      fh = null;
    }
  } catch {
    fh = null;
  }
  let done = 0;
  try {
    while (done < size) {
      const want = Math.min(CHUNK, size - done);
      const buf = Buffer.alloc(want);
      let got = 0;
      while (fh && got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, done + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      done += want;
      yield buf;
    }
  } finally {
    await fh?.close();
  }
}

async function readWhole(entry: TarEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of fileChunks(entry.file, entry.size)) parts.push(c);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, entry.size);
}

/**
 * Streams the tar with bounded memory: about a megabyte waiting to be written
 * plus the small files read ahead, however large the bundle. The writer waits
 * for the socket to drain, so a slow reader holds no more than that either.
 */
async function sendBundleTar(req: http.IncomingMessage, res: http.ServerResponse, bundleDir: string): Promise<void> {
  const entries = await bundleTarEntries(bundleDir);
  const bundleBytes = entries.reduce((n, e) => n + (e.name === 'manifest.json' ? 0 : e.size), 0);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/x-tar',
    'Content-Length': tarLength(entries),
    // trace.jsonl plus payloads, the figure the page's size limit is about; lets it refuse before reading.
    'X-Bundle-Bytes': String(bundleBytes),
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // Written in chunks of about a megabyte: three small writes per file made the browser's side of a large bundle slow.
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  const flush = async () => {
    if (!chunk.length) return;
    const ok = res.write(chunk.length === 1 ? chunk[0] : Buffer.concat(chunk, chunkBytes));
    chunk = [];
    chunkBytes = 0;
    if (!ok && !res.destroyed)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
  };
  const write = async (b: Buffer) => {
    chunk.push(b);
    chunkBytes += b.byteLength;
    if (chunkBytes >= CHUNK) await flush();
  };
  // Small files are read up to TAR_READ_AHEAD ahead of the writer: one at a time, a bundle of thousands of payloads took seconds.
  const reading = new Map<number, Promise<Buffer>>();
  for (let i = 0; i < entries.length; i++) {
    if (res.destroyed) return;
    for (let j = i; j < Math.min(entries.length, i + TAR_READ_AHEAD); j++)
      if (!reading.has(j) && entries[j].size <= SMALL_FILE) reading.set(j, readWhole(entries[j]));
    const e = entries[i];
    await write(ustarHeader(e.name, e.size, Date.now())!);
    const small = reading.get(i);
    reading.delete(i);
    if (small) await write(await small);
    else for await (const c of fileChunks(e.file, e.size)) {
      if (res.destroyed) return;
      await write(c);
    }
    const pad = (512 - (e.size % 512)) % 512;
    if (pad) await write(Buffer.alloc(pad));
  }
  await write(Buffer.alloc(1024)); // end-of-archive marker
  await flush();
  res.end();
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found' };

function sendFile(req: http.IncomingMessage, res: http.ServerResponse, r: Extract<Resolved, { status: 200 }>, cache: string, ranges = false): void {
  const size = r.stats.size;
  // Bundle files only: a page following a recording fetches what was appended, not the whole file again.
  const range = ranges ? requestedRange(req.headers.range, size) : null;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...SECURITY_HEADERS, 'Content-Range': `bytes */${size}`, 'Content-Length': 0, 'Cache-Control': cache });
    res.end();
    return;
  }
  res.writeHead(range ? 206 : 200, {
    ...SECURITY_HEADERS,
    'Content-Type': MIME[path.extname(r.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': range ? range.end - range.start + 1 : size,
    'Cache-Control': cache,
    ...(ranges ? { 'Accept-Ranges': 'bytes' } : {}),
    ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (size === 0) {
    res.end();
    return;
  }
  // The file may grow while it is sent: never more than the length announced.
  const stream = createReadStream(r.file, range ? { start: range.start, end: range.end } : { start: 0, end: size - 1 });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function allowedHosts(host: string, port: number): Set<string> | null {
  if (host === '0.0.0.0' || host === '::') return null; // deliberately exposed: accept any Host
  const names = new Set([host, 'localhost', '127.0.0.1', '[::1]']);
  const out = new Set<string>();
  for (const n of names) {
    const h = n.includes(':') && !n.startsWith('[') ? `[${n}]` : n;
    out.add(`${h}:${port}`);
    if (port === 80) out.add(h);
  }
  return out;
}

export interface HandlerOptions {
  roots: ServedRoot[];
  /** The built app; null serves only /bundles/. */
  distDir: string | null;
  /** Accepted Host header values (lower-case, with port); null accepts any. Filled in once the port is known. */
  hosts: () => Set<string> | null;
  /** The session list behind /bundles/sessions.json; null answers 404 there. */
  catalog?: SessionCatalog | null;
  /** The cross-session search index behind /bundles/search; null when there is none. */
  search?: SearchReader | null;
}

/** The request handler behind `serve()`. */
export function createHandler(opts: HandlerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && !head) {
        res.setHeader('Allow', 'GET, HEAD');
        send(res, 405, 'Method not allowed');
        return;
      }
      const hosts = opts.hosts();
      if (hosts && !hosts.has((req.headers.host ?? '').toLowerCase())) {
        send(res, 403, 'Host not allowed', undefined, head);
        return;
      }
      let pathname: string;
      try {
        pathname = new URL(req.url ?? '/', 'http://x').pathname;
      } catch {
        send(res, 400, 'Bad request', undefined, head);
        return;
      }
      const segments = pathname.split('/').slice(1);
      if (fromAnotherSite(req, segments[0] === 'bundles')) {
        send(res, 403, 'Refused: another site asked for this (Sec-Fetch-Site); traces are served to this viewer only', undefined, head);
        return;
      }
      if (segments[0] === 'bundles') {
        if (segments.length === 2 && segments[1] === 'index.json') {
          send(res, 200, JSON.stringify(await listBundles(opts.roots), null, 2), MIME['.json'], head);
          return;
        }
        if (segments.length === 2 && segments[1] === 'sessions.json' && opts.catalog) {
          // Summarising starts when the list is first asked for: a server only used for one trace spends nothing on it.
          await opts.catalog.start();
          send(res, 200, JSON.stringify(opts.catalog.list()), MIME['.json'], head);
          return;
        }
        if (segments.length === 2 && segments[1] === 'search' && opts.catalog) {
          await opts.catalog.start();
          const q = new URL(req.url ?? '/', 'http://x').searchParams.get('q') ?? '';
          send(res, 200, JSON.stringify(searchSessions(opts.catalog, opts.search ?? null, q)), MIME['.json'], head);
          return;
        }
        if (segments.length === 3 && segments[1] === 'sessions' && segments[2] === 'events' && opts.catalog) {
          await opts.catalog.start();
          sessionEvents(req, res, opts.catalog);
          return;
        }
        const root = opts.roots.find((r) => r.name === safeDecode(segments[1] ?? ''));
        if (!root) {
          send(res, 404, 'Not found', undefined, head);
          return;
        }
        const rest = segments.slice(2);
        const params = new URL(req.url ?? '/', 'http://x').searchParams;
        if (rest[rest.length - 1] === '' && params.has('live')) {
          const d = await resolveInside(root.dir, rest, 'dir');
          if (d.status !== 200) send(res, d.status, STATUS_TEXT[d.status], undefined, head);
          else liveEvents(req, res, d.file, SECURITY_HEADERS);
          return;
        }
        if (rest[rest.length - 1] === '' && params.get('pack') === 'tar') {
          const d = await resolveInside(root.dir, rest, 'dir');
          if (d.status !== 200) send(res, d.status, STATUS_TEXT[d.status], undefined, head);
          else if (!(await isFile(path.join(d.file, 'trace.jsonl')))) send(res, 404, 'Not a trace bundle', undefined, head);
          else await sendBundleTar(req, res, d.file);
          return;
        }
        const r = await resolveInside(root.dir, rest);
        if (r.status !== 200) send(res, r.status, STATUS_TEXT[r.status], undefined, head);
        else sendFile(req, res, r, 'no-store', true);
        return;
      }
      if (opts.distDir === null) {
        send(res, 404, 'Not found', undefined, head);
        return;
      }
      const appSegments = pathname === '/' ? ['index.html'] : segments;
      const r = await resolveInside(opts.distDir, appSegments);
      if (r.status !== 200) send(res, r.status, STATUS_TEXT[r.status], undefined, head);
      else sendFile(req, res, r, r.file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    })().catch((e) => {
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
      console.error('serve:', e);
    });
  };
}

/**
 * Whether the browser says another site made this request. A web page the user
 * happens to visit must not read traces, even through a fetch the CORS rules
 * would block from reading (it still costs the disk read). A shared link opened
 * from elsewhere is a top-level navigation to the app page: that is allowed,
 * and everything the page then asks for is same-origin.
 */
function fromAnotherSite(req: http.IncomingMessage, bundlePath: boolean): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return false;
  return bundlePath || req.headers['sec-fetch-mode'] !== 'navigate';
}

/**
 * What a request the HTTP parser refused gets. Node's default for headers over
 * its 16 KB limit is a bare 431 that the browser shows as a blank page; a link
 * that long can only be a hand-made or damaged one, so say so.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLong = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLong ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = tooLong
    ? '<!doctype html><meta charset="utf-8"><title>Link too long</title><h1>This link is too long</h1><p>Its address and headers are over the 16 KB this viewer\'s server reads. A link to a trace needs only <code>?trace=&lt;bundle&gt;</code> and a short <code>#view=</code>; this one was made by hand or damaged. Open the viewer\'s <a href="/">start page</a> and choose the trace there.</p>\n'
    : 'Bad request\n';
  const type = tooLong ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
  const headers = Object.entries({ ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status}\r\n${headers}\r\n${body}`);
}

/**
 * `GET /bundles/sessions/events`: a server-sent event each time the session
 * list changes (a bundle found, gone, changed or summarised), so an open list
 * follows a recording within a scan. Bursts are sent as one event.
 */
function sessionEvents(req: http.IncomingMessage, res: http.ServerResponse, catalog: SessionCatalog): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tell = () => {
    timer = null;
    const { total, summarised } = catalog.list();
    res.write(`event: sessions\ndata: ${JSON.stringify({ total, summarised })}\n\n`);
  };
  tell();
  const off = catalog.onChange(() => {
    timer ??= setTimeout(tell, 100);
  });
  // A comment now and then keeps proxies and idle timers from closing the stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  res.on('close', () => {
    off();
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}

/** `GET /bundles/search?q=`: hits in every indexed bundle still served, grouped by session, best first. */
function searchSessions(catalog: SessionCatalog, search: SearchReader | null, q: string): SearchResult {
  const { total, summarised } = catalog.list();
  if (!search) return { available: false, message: SEARCH_UNAVAILABLE, indexed: 0, total, groups: [] };
  const groups = search
    .search(q)
    .map((g) => ({ name: catalog.nameOf(g.dir), hits: g.hits, more: g.more }))
    .filter((g): g is SearchResult['groups'][number] => g.name !== null);
  return { available: true, message: null, indexed: summarised, total, groups };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`Open ${url} in your browser.`));
    child.unref();
  } catch {
    console.log(`Open ${url} in your browser.`);
  }
}

/**
 * What `--open` opens: one bundle by name, so that the address bar holds a
 * link that reopens it; several (or none) on the root URL, which lists them.
 */
export function startUrl(url: string, bundles: readonly BundleIndexEntry[]): string {
  return bundles.length === 1 ? `${url}?trace=${encodeURIComponent(bundles[0].name)}` : url;
}

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((m: string) => console.log(m));
  const distDir = await realpath(path.resolve(options.distDir)).catch(() => path.resolve(options.distDir));
  if (!(await isFile(path.join(distDir, 'index.html')))) {
    throw new Error(`serve: ${path.join(distDir, 'index.html')} not found; build the app first (npm run build)`);
  }
  const roots = await resolveRoots(options.roots);
  let hosts: Set<string> | null = null;
  const indexFile = options.sessions?.indexFile ?? null;
  const search = indexFile ? SearchReader.open(indexFile) : null;
  // Without a summariser of its own (tests, the dev server), bundles are summarised and indexed in this process.
  const writer = indexFile && !options.sessions?.summarize ? SearchWriter.open(indexFile) : null;
  const catalog = new SessionCatalog(roots, {
    summarize: options.sessions?.summarize ?? ((dir, signature) => summarizeAndIndex(dir, signature, writer)),
    cacheFile: options.sessions?.cacheFile ?? null,
    pollMs: options.sessions?.pollMs,
    concurrency: options.sessions?.concurrency,
    indexed: search ? () => search.indexed() : undefined,
  });
  const server = http.createServer(createHandler({ roots, distDir, hosts: () => hosts, catalog, search }));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4180, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;
  const bundles = await listBundles(roots);
  log(`codex-trace-viewer: serving ${bundles.length} bundle${bundles.length === 1 ? '' : 's'} at ${url}`);
  if (options.open) openBrowser(startUrl(url, bundles));
  return {
    url,
    port,
    server,
    bundles,
    close: () =>
      new Promise<void>((resolve, reject) => {
        catalog.close();
        search?.close();
        writer?.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The /bundles/ routes as a connect-style middleware, for the Vite dev server
 * (`configureServer(server) { server.middlewares.use(bundlesMiddleware(roots)) }`),
 * so that `npm run dev` opens the same default bundle as the built app.
 * Other paths go to `next()`; Vite applies its own Host checks.
 */
export function bundlesMiddleware(roots: string[]): (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void {
  const handler = resolveRoots(roots).then((resolved) => createHandler({ roots: resolved, distDir: null, hosts: () => null }));
  return (req, res, next) => {
    if (!(req.url ?? '').startsWith('/bundles/')) return next();
    handler.then((h) => h(req, res), next);
  };
}

