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
 *
 * This file starts and stops the server; the routes are in ./router.ts, file
 * answers and path containment in ./http-files.ts, the bundle tar in
 * ./bundle-tar.ts, live events in ./live.ts.
 */
import http from 'node:http';
import { rmSync } from 'node:fs';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SessionCatalog, type Summarize } from './sessions/catalog';
import { isFile, listBundles, resolveRoots, type BundleIndexEntry } from './bundles';
export { listBundleDirs, listBundles, resolveRoots, type BundleIndexEntry, type ServedRoot } from './bundles';
import { summarizeAndIndex } from './sessions/child';
import { SearchReader, SearchWriter } from './search/index';
import { ServedStates, type ReduceToFile } from './served-states';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';
import { allowedHosts, answerClientError, createHandler, reduceAhead } from './router';
export { createHandler, type HandlerOptions } from './router';

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
  /**
   * Reductions of bundles too large for a browser tab, or finished ones a
   * page's `?trace=` names: where their states are kept (default: a temporary
   * folder removed on close), how they are made (default: in this process),
   * and the size that divides small bundles from large ones
   * (serverReducesAhead; default SERVER_REDUCES_ABOVE, the page's own threshold).
   */
  states?: { dir?: string; reduce?: ReduceToFile; reducesAbove?: number };
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

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
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
  const statesDir = options.states?.dir ?? (await mkdtemp(path.join(tmpdir(), 'codex-trace-viewer-states-')));
  const states = new ServedStates(statesDir, options.states?.reduce, options.states?.reducesAbove);
  const server = http.createServer(createHandler({ roots, distDir, hosts: () => hosts, catalog, search, states }));
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
  // A bundle given as a root is the one about to be opened (a browser takes a second or more to start):
  // one large enough to be left to this server's reduction is reduced from now on.
  for (const root of roots) void reduceAhead(roots, states, root.name);
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
        if (!options.states?.dir) rmSync(statesDir, { recursive: true, force: true });
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
