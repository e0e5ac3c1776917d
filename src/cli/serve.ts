/**
 * `codex-trace-viewer serve`: a small read-only HTTP server (node:http, no
 * framework) for the built app (distDir) and for trace bundles on disk.
 *
 *   /                         dist/index.html (and the other files of dist/)
 *   /bundles/index.json       [{ name, manifest }] for every bundle under the roots
 *   /bundles/<name>/<path>    a file of a served root (manifest.json, trace.jsonl, payloads/N.json, ...)
 *   /bundles/<name>/?pack=tar the bundle's manifest, trace and payloads in one tar (one request instead of hundreds)
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
import { CONTENT_SECURITY_POLICY } from '../csp.ts';

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
}

export interface BundleIndexEntry {
  /** URL path under /bundles/: `<root name>` or `<root name>/<sub/dir>`. */
  name: string;
  /** manifest.json parsed, or null when missing or not JSON. */
  manifest: unknown;
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

const MAX_DEPTH = 6;
const SKIP_DIRS = new Set(['node_modules', 'payloads']);

export interface ServedRoot {
  name: string;
  /** realpath of the root directory. */
  dir: string;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Directories under `dir` (itself included) that hold a trace.jsonl, relative with `/`, sorted; symlinked dirs are not followed. */
async function findBundleDirs(dir: string, rel = '', depth = 0, out: string[] = []): Promise<string[]> {
  if (await isFile(path.join(dir, 'trace.jsonl'))) out.push(rel);
  if (depth >= MAX_DEPTH) return out;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)).map((e) => e.name);
  for (const name of subdirs.sort()) await findBundleDirs(path.join(dir, name), rel ? `${rel}/${name}` : name, depth + 1, out);
  return out;
}

/**
 * A regular file's bytes, or null. Opened non-blocking and checked with fstat
 * before reading: a FIFO would otherwise pin a thread of the server forever,
 * and a device could be read without end.
 */
async function readRegular(file: string): Promise<Buffer | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    return (await fh.stat()).isFile() ? await fh.readFile() : null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/** A bundle's manifest, if it is a regular file inside `root` (a symlink out of the root is not read). */
async function readManifest(root: string, dir: string): Promise<unknown> {
  const real = await realpath(path.join(dir, 'manifest.json')).catch(() => null);
  if (!real || !inside(real, root)) return null;
  const bytes = await readRegular(real);
  try {
    return bytes === null ? null : JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

export async function listBundles(roots: ServedRoot[]): Promise<BundleIndexEntry[]> {
  const out: BundleIndexEntry[] = [];
  for (const root of roots) {
    for (const rel of await findBundleDirs(root.dir)) {
      out.push({ name: rel ? `${root.name}/${rel}` : root.name, manifest: await readManifest(root.dir, path.join(root.dir, ...rel.split('/').filter(Boolean))) });
    }
  }
  return out;
}

export async function resolveRoots(roots: string[]): Promise<ServedRoot[]> {
  const out: ServedRoot[] = [];
  const used = new Set<string>(['index.json']);
  for (const r of roots) {
    let dir: string;
    try {
      dir = await realpath(path.resolve(r));
    } catch {
      throw new Error(`serve: ${r} does not exist`);
    }
    if (!(await stat(dir)).isDirectory()) throw new Error(`serve: ${r} is not a directory (give a bundle directory or a directory of bundles)`);
    const base = path.basename(dir) || 'root';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    out.push({ name, dir });
  }
  return out;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

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

const TAR_READ_AHEAD = 32;

async function sendBundleTar(req: http.IncomingMessage, res: http.ServerResponse, bundleDir: string): Promise<void> {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/x-tar', 'Cache-Control': 'no-store' });
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
    if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  const write = async (b: Buffer) => {
    chunk.push(b);
    chunkBytes += b.byteLength;
    if (chunkBytes >= 1 << 20) await flush();
  };
  const names = ['manifest.json', 'trace.jsonl'];
  /** Payload paths come from `filesUnder`, which has checked them already; the two top files are checked here. */
  const checked = new Set<string>();
  const readEntry = async (name: string): Promise<Buffer | null> => {
    const file = path.join(bundleDir, ...name.split('/'));
    if (checked.has(name)) return readRegular(file);
    const real = await realpath(file).catch(() => null);
    return real && inside(real, bundleDir) ? readRegular(real) : null;
  };
  // Reads run up to TAR_READ_AHEAD files ahead of the writer: one at a time, a bundle of thousands of payloads took seconds.
  const reading = new Map<number, Promise<Buffer | null>>();
  let payloadsListed = false;
  for (let i = 0; i < names.length; i++) {
    if (res.destroyed) return;
    for (let j = i; j < Math.min(names.length, i + TAR_READ_AHEAD); j++) if (!reading.has(j)) reading.set(j, readEntry(names[j]));
    const name = names[i];
    const data = await reading.get(i)!;
    reading.delete(i);
    const header = data && ustarHeader(name, data.byteLength, Date.now());
    if (data && header) {
      await write(header);
      await write(data);
      const pad = (512 - (data.byteLength % 512)) % 512;
      if (pad) await write(Buffer.alloc(pad));
    }
    if (name === 'trace.jsonl' && !payloadsListed) {
      payloadsListed = true;
      const payloads = path.join(bundleDir, 'payloads');
      const realPayloads = await realpath(payloads).catch(() => null);
      if (realPayloads && inside(realPayloads, bundleDir)) {
        const listed = await filesUnder(bundleDir, realPayloads, 'payloads');
        for (const n of listed) checked.add(n);
        names.push(...listed);
      }
    }
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

function sendFile(req: http.IncomingMessage, res: http.ServerResponse, r: Extract<Resolved, { status: 200 }>, cache: string): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': MIME[path.extname(r.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': r.stats.size,
    'Cache-Control': cache,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(r.file);
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
      if (segments[0] === 'bundles') {
        if (segments.length === 2 && segments[1] === 'index.json') {
          send(res, 200, JSON.stringify(await listBundles(opts.roots), null, 2), MIME['.json'], head);
          return;
        }
        const root = opts.roots.find((r) => r.name === safeDecode(segments[1] ?? ''));
        if (!root) {
          send(res, 404, 'Not found', undefined, head);
          return;
        }
        const rest = segments.slice(2);
        if (rest[rest.length - 1] === '' && new URL(req.url ?? '/', 'http://x').searchParams.get('pack') === 'tar') {
          const d = await resolveInside(root.dir, rest, 'dir');
          if (d.status !== 200) send(res, d.status, STATUS_TEXT[d.status], undefined, head);
          else if (!(await isFile(path.join(d.file, 'trace.jsonl')))) send(res, 404, 'Not a trace bundle', undefined, head);
          else await sendBundleTar(req, res, d.file);
          return;
        }
        const r = await resolveInside(root.dir, rest);
        if (r.status !== 200) send(res, r.status, STATUS_TEXT[r.status], undefined, head);
        else sendFile(req, res, r, 'no-store');
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

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((m: string) => console.log(m));
  const distDir = await realpath(path.resolve(options.distDir)).catch(() => path.resolve(options.distDir));
  if (!(await isFile(path.join(distDir, 'index.html')))) {
    throw new Error(`serve: ${path.join(distDir, 'index.html')} not found; build the app first (npm run build)`);
  }
  const roots = await resolveRoots(options.roots);
  let hosts: Set<string> | null = null;
  const server = http.createServer(createHandler({ roots, distDir, hosts: () => hosts }));
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
  // Open the first bundle by name, so that the address bar holds a link that reopens it.
  if (options.open) openBrowser(bundles.length ? `${url}?trace=${encodeURIComponent(bundles[0].name)}` : url);
  return {
    url,
    port,
    server,
    bundles,
    close: () =>
      new Promise<void>((resolve, reject) => {
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

