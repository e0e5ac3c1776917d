/**
 * A trace worker started before the app (src/boot.ts), for the client to
 * adopt once (`takeEarlyWorker`). Apart from client.ts so that the boot
 * script carries nothing else. On a served page a `?trace=` link names a
 * bundle: the worker is told its URL in its own URL's fragment, and asks for
 * it first thing (prefetch.ts).
 */
import workerUrl from './trace.worker.ts?worker&url';
import { PREFETCH_PARAM, servedBundleUrl, servedTarUrl } from '../trace/bundle/served-url';

declare global {
  interface Window {
    __ctvEarlyWorker?: Worker;
  }
}

/** Set when the early worker failed before the client listened: its error event is gone, so the client starts its own. */
let failed = false;

export function startEarlyWorker(): void {
  if (typeof Worker !== 'function') return;
  try {
    const w = new Worker(workerUrl + prefetchFragment(), { type: 'module', name: 'trace' });
    w.addEventListener('error', () => (failed = true), { once: true });
    window.__ctvEarlyWorker = w;
  } catch {
    // The client starts its own, and reports what goes wrong then.
  }
}

/** The early worker, once and only if it has not failed: a worker that crashed is replaced by a new one, never by this one again. */
export function takeEarlyWorker(): Worker | undefined {
  const w = typeof window === 'undefined' ? undefined : window.__ctvEarlyWorker;
  if (!w) return undefined;
  delete window.__ctvEarlyWorker;
  if (!failed) return w;
  w.terminate();
  return undefined;
}

/** `#prefetch=<tar URL>` for a served page opened with `?trace=<name>`, else nothing. */
function prefetchFragment(): string {
  if (!/^https?:$/.test(location.protocol)) return '';
  const name = new URLSearchParams(location.search).get('trace');
  return name ? `#${PREFETCH_PARAM}=${encodeURIComponent(servedTarUrl(servedBundleUrl(name, document.baseURI), true))}` : '';
}
