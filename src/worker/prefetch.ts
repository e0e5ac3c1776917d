/**
 * The served bundle a `?trace=` page opens, asked for as soon as the worker
 * runs: the page's first script names it in this worker's name (early.ts).
 * Imported first by trace.worker.ts, so that the request goes out before the
 * rest of the worker's code is evaluated, about 150 ms sooner
 * than the page's load request could reach the worker. The request is the
 * worker's own: a response fetched by the page and handed over would pass
 * through the page's thread, busy starting the app.
 */
import { prefetchOfWorkerName } from '../trace/bundle/served-url';

let early: { url: string; response: Promise<Response> } | null = start();

function start(): { url: string; response: Promise<Response> } | null {
  // A dedicated worker's global `name` is its name option; elsewhere (tests, Node) there is none.
  const name: unknown = (globalThis as { name?: unknown }).name;
  if (typeof location === 'undefined' || typeof fetch !== 'function' || typeof name !== 'string') return null;
  const wanted = prefetchOfWorkerName(name);
  if (!wanted) return null;
  const url = new URL(wanted, location.href);
  // Only ever a bundle of the server this worker came from.
  if (url.origin !== location.origin) return null;
  const response = fetch(url.href);
  response.catch(() => {});
  return { url: url.href, response };
}

/** Whether this worker was told of a bundle to fetch: it is reduced at once, so nothing is to be warmed up. */
export function prefetching(): boolean {
  return early !== null;
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
