/**
 * The request router of `serve`: which path is answered by what (the app's
 * files, a bundle's files, its tar, its live events, the session list and
 * search), after the checks every request passes (method, Host, Sec-Fetch-Site).
 */
import type http from 'node:http';
import type { SessionCatalog } from './sessions/catalog';
import { SEARCH_UNAVAILABLE, type SearchReader } from './search/index';
import type { SearchResult } from '../trace/sessions/list';
import { isFile, listBundles, type ServedRoot } from './bundles';
import { liveEvents } from './live';
import path from 'node:path';
import { MIME, resolveInside, send, sendFile, SECURITY_HEADERS, STATUS_TEXT } from './http-files';
import { sendBundleTar, servedBundleBytes } from './bundle-tar';
import type { ServedStates } from './served-states';
import { recordingEnded } from './recording-ended';
import { serverReducesAhead } from '../trace/bundle/served-choice';
import { SERVED_STATE_QUERY } from '../trace/bundle/served-url';

export function allowedHosts(host: string, port: number): Set<string> | null {
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
  /** Reductions for `<bundle>/?reduced` (bundles too large for a tab); null answers 404 there. */
  states?: ServedStates | null;
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
          const params = new URL(req.url ?? '/', 'http://x').searchParams;
          const since = params.get('since');
          // With ?since: only what changed since the version the page has (an open list follows a cold root's summaries).
          if (since !== null) {
            const v = /^\d{1,15}$/.test(since) ? Number(since) : null;
            send(res, 200, JSON.stringify(opts.catalog.changesSince(v, params.get('epoch'))), MIME['.json'], head);
          } else send(res, 200, opts.catalog.listJson(), MIME['.json'], head);
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
        if (rest[rest.length - 1] === '' && params.has(SERVED_STATE_QUERY) && opts.states) {
          const d = await resolveInside(root.dir, rest, 'dir');
          if (d.status !== 200) send(res, d.status, STATUS_TEXT[d.status], undefined, head);
          else if (!(await isFile(path.join(d.file, 'trace.jsonl')))) send(res, 404, 'Not a trace bundle', undefined, head);
          else await opts.states.send(req, res, d.file);
          return;
        }
        if (rest[rest.length - 1] === '' && params.get('pack') === 'tar') {
          const d = await resolveInside(root.dir, rest, 'dir');
          if (d.status !== 200) send(res, d.status, STATUS_TEXT[d.status], undefined, head);
          else if (!(await isFile(path.join(d.file, 'trace.jsonl')))) send(res, 404, 'Not a trace bundle', undefined, head);
          // The page allows the state it would ask for next, and it is kept here or on its way (served-choice.ts). Held is
          // asked first: most tar requests find no state, and sendBundleTar reads the log's end itself.
          else if (params.get('or') === SERVED_STATE_QUERY && opts.states && (await opts.states.holds(d.file)) && (await recordingEnded(d.file)))
            await opts.states.send(req, res, d.file);
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
      if (pathname === '/' && opts.states && !head) {
        const named = new URL(req.url ?? '/', 'http://x').searchParams.get('trace');
        if (named) void reduceAhead(opts.roots, opts.states, named);
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
 * A page asked for with `?trace=<bundle>` will ask for that bundle once its
 * script and worker have started, about a second later on a slow machine.
 * When its recording has ended and the server opens it sooner than the tab
 * (serverReducesAhead: a small bundle, or payloads far outweighing the log),
 * the reduction starts now, beside the page's start-up, and the page's tar
 * request (which allows a state as its answer) joins it.
 */
export async function reduceAhead(roots: ServedRoot[], states: ServedStates, name: string): Promise<void> {
  try {
    const [rootName, ...rest] = name.split('/');
    const root = roots.find((r) => r.name === rootName);
    if (!root) return;
    const d = await resolveInside(root.dir, [...rest.filter(Boolean), ''], 'dir');
    if (d.status !== 200 || !(await isFile(path.join(d.file, 'trace.jsonl')))) return;
    // The log's last line first: a bundle still recorded is not worth the look at each of its payloads' sizes.
    if (!(await recordingEnded(d.file))) return;
    const { bytes, logBytes } = await servedBundleBytes(d.file);
    if (!serverReducesAhead(bytes, logBytes, states.reducesAbove)) return;
    await states.prepare(d.file);
  } catch {
    // Only a head start: the page's own request reports what went wrong.
  }
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
export function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
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
    const { total, summarised } = catalog.counts();
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
  const { total } = catalog.counts();
  if (!search) return { available: false, message: SEARCH_UNAVAILABLE, indexed: 0, total, groups: [] };
  const groups = search
    .search(q)
    .map((g) => ({ name: catalog.nameOf(g.dir), hits: g.hits, more: g.more }))
    .filter((g): g is SearchResult['groups'][number] => g.name !== null);
  // Summaries come first and the index follows them (src/cli/sessions/child.ts): say how far it has got.
  return { available: true, message: null, indexed: catalog.countIndexed(search.indexed()), total, groups };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
