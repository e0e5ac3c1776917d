/**
 * A trace worker started before the app (src/boot.ts), for the client to
 * adopt once (`takeEarlyWorker`). Apart from client.ts so that the boot
 * script carries nothing else. On a served page a `?trace=` link names a
 * bundle: the worker is told it in its name and loads it as soon as it
 * starts (prefetch.ts), so that it reduces (or reads `serve`'s reduction)
 * while the page's main chunk is still loading and starting, rather than
 * after it. That load's messages are kept here until the client claims it
 * (`EarlyLoad`).
 */
import workerUrl from './trace.worker.ts?worker&url';
import { servedBundleUrl, traceWorkerName } from '../trace/bundle/served-url';
import { EARLY_LOAD_ID } from './protocol';

/** The load asked for by the first script: what it loads, and the worker's messages about it so far. */
export interface EarlyLoad {
  readonly id: number;
  readonly label: string;
  readonly baseUrl: string;
  /** The messages kept so far; from now on the client hears them itself. */
  claim(): unknown[];
}

declare global {
  interface Window {
    __ctvEarlyWorker?: { worker: Worker; load: EarlyLoad | null };
  }
}

/** Set when the early worker failed before the client listened: its error event is gone, so the client starts its own. */
let failed = false;

/** Starts the worker (and asks it for a served page's bundle); what it started, or null. */
export function startEarlyWorker(): { worker: Worker; load: EarlyLoad | null } | null {
  if (typeof Worker !== 'function') return null;
  try {
    const served = servedTrace();
    const worker = new Worker(workerUrl, { type: 'module', name: traceWorkerName(served && { label: served.name, baseUrl: served.baseUrl }) });
    worker.addEventListener('error', () => (failed = true), { once: true });
    const early = { worker, load: served && keepEarlyLoad(worker, served.name, served.baseUrl) };
    window.__ctvEarlyWorker = early;
    return early;
  } catch {
    // The client starts its own, and reports what goes wrong then.
    return null;
  }
}

/** Keeps what `worker`, named for the served bundle at `baseUrl`, says of its load of it until the client claims it. */
export function keepEarlyLoad(worker: Pick<Worker, 'addEventListener' | 'removeEventListener'>, label: string, baseUrl: string): EarlyLoad {
  let kept: unknown[] = [];
  const keep = (e: MessageEvent) => {
    if ((e.data as { id?: unknown } | null)?.id === EARLY_LOAD_ID) kept.push(e.data);
  };
  worker.addEventListener('message', keep);
  return {
    id: EARLY_LOAD_ID,
    label,
    baseUrl,
    claim() {
      worker.removeEventListener('message', keep);
      const out = kept;
      kept = [];
      return out;
    },
  };
}

/** The early worker and its load, once and only if it has not failed: a worker that crashed is replaced by a new one, never by this one again. */
export function takeEarlyWorker(): { worker: Worker; load: EarlyLoad | null } | undefined {
  const w = typeof window === 'undefined' ? undefined : window.__ctvEarlyWorker;
  if (!w) return undefined;
  delete window.__ctvEarlyWorker;
  if (!failed) return w;
  w.worker.terminate();
  return undefined;
}

/** The bundle a served page's `?trace=<name>` names, and its URL; null on any other page. */
function servedTrace(): { name: string; baseUrl: string } | null {
  if (!/^https?:$/.test(location.protocol)) return null;
  const name = new URLSearchParams(location.search).get('trace');
  return name ? { name, baseUrl: servedBundleUrl(name, document.baseURI) } : null;
}
