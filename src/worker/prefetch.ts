/**
 * The served bundle a `?trace=` page opens, loaded as soon as the worker
 * runs: the page's first script names it in this worker's name (early.ts).
 * Imported first by trace.worker.ts, so that the bundle's request goes out
 * before the rest of the worker's code is evaluated. The worker starts the
 * load itself rather than waiting to be asked: a message the page posts
 * before the worker has started reaches it only once the page's thread,
 * busy evaluating the app's main chunk, has passed it on (on the 66 MB
 * recording, about 200 ms after the worker was ready). The request is the
 * worker's own: a response fetched by the page and handed over would pass
 * through the page's thread too.
 */
import { loadOfWorkerName, servedTarUrl, type NamedLoad } from '../trace/bundle/served-url';

/** The load this worker's name names (its URL made absolute), if it is of a bundle of the server the worker came from. */
export const namedLoad: NamedLoad | null = ownServersLoad();

let early: { url: string; response: Promise<Response> } | null = start(namedLoad);

function ownServersLoad(): NamedLoad | null {
  // A dedicated worker's global `name` is its name option; elsewhere (tests, Node) there is none.
  const name: unknown = (globalThis as { name?: unknown }).name;
  if (typeof location === 'undefined' || typeof name !== 'string') return null;
  const load = loadOfWorkerName(name);
  if (!load) return null;
  try {
    const url = new URL(load.baseUrl, location.href);
    // Only ever a bundle of the server this worker came from.
    return url.origin === location.origin ? { label: load.label, baseUrl: url.href } : null;
  } catch {
    return null;
  }
}

function start(load: NamedLoad | null): { url: string; response: Promise<Response> } | null {
  if (!load || typeof fetch !== 'function') return null;
  const url = servedTarUrl(load.baseUrl, true);
  const response = fetch(url);
  response.catch(() => {});
  return { url, response };
}

/**
 * The early request for `url`, once, as a `fetch` that answers its first
 * request for `url` with it; null when there is none for `url` (one for
 * another URL is then let go).
 */
export function takePrefetched(url: string, fetchImpl: typeof fetch): { fetch: typeof fetch; release(): void } | null {
  const e = early;
  early = null;
  if (!e) return null;
  if (e.url === url) return answeredOnce(fetchImpl, url, e.response);
  void e.response.then((r) => r.body?.cancel()).catch(() => {});
  return null;
}

/**
 * `fetch`, save that the first request for `url` gets `response`; `release`
 * cancels it when no request took it, so that the server stops sending it.
 */
export function answeredOnce(fetchImpl: typeof fetch, url: string, response: Promise<Response>): { fetch: typeof fetch; release(): void } {
  let answer: Promise<Response> | null = response;
  return {
    fetch: (input, init) => {
      const asked = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (answer && asked === url) {
        const a = answer;
        answer = null;
        // The early request was made without the load's signal: its body is passed through one, so a cancelled load stops reading.
        const signal = init?.signal;
        const answered = (r: Response) =>
          signal && r.body
            ? new Response(r.body.pipeThrough(new TransformStream(), { signal }), { status: r.status, statusText: r.statusText, headers: r.headers })
            : r;
        // A request that failed early is made again.
        return a.then(answered, () => fetchImpl(input, init));
      }
      return fetchImpl(input, init);
    },
    release: () => {
      void answer?.then((r) => r.body?.cancel()).catch(() => {});
      answer = null;
    },
  };
}
