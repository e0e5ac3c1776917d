/**
 * The served bundle a `?trace=` page opens, asked for as soon as the worker
 * runs: the page's first script names it in this worker's URL fragment
 * (early.ts). Imported first by trace.worker.ts, so that the request goes out
 * before the rest of the worker's code is evaluated, about 150 ms sooner
 * than the page's load request could reach the worker. The request is the
 * worker's own: a response fetched by the page and handed over would pass
 * through the page's thread, busy starting the app.
 */
import { PREFETCH_PARAM } from '../trace/bundle/served-url';

let early: { url: string; response: Promise<Response> } | null = start();

function start(): { url: string; response: Promise<Response> } | null {
  if (typeof location === 'undefined' || typeof fetch !== 'function') return null;
  const wanted = new URLSearchParams(location.hash.slice(1)).get(PREFETCH_PARAM);
  if (!wanted) return null;
  const url = new URL(wanted, location.href);
  // Only ever a bundle of the server this worker came from.
  if (url.origin !== location.origin) return null;
  const response = fetch(url.href);
  response.catch(() => {});
  return { url: url.href, response };
}

/** The early response for `url`, once; null when there is none for it (one for another URL is then let go). */
export function takePrefetched(url: string): Promise<Response> | null {
  const e = early;
  early = null;
  if (!e) return null;
  if (e.url === url) return e.response;
  void e.response.then((r) => r.body?.cancel()).catch(() => {});
  return null;
}
