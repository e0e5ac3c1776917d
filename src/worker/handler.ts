/**
 * The trace worker's logic, independent of the Worker global so that tests can
 * run it in-process: feed it requests, collect what it posts.
 *
 * It owns the loaded bundle: the main thread gets the reduced state once and
 * asks for payload bodies and search results on demand. This module only
 * routes each message kind to the module that handles it and runs loads as
 * cancellable jobs; what persists between messages is the WorkerSession.
 * The modules that reduce, unpack, search or export are imported when a
 * message first needs them: a served link's state is read by what is left,
 * so the worker answers it without compiling or running the rest (README.md).
 */
import { ArrivingSource } from '../trace/bundle/arriving';
import { ScanError } from '../trace/bundle/scan';
import { returnStateBytes } from '../trace/bundle/served-state';
import { loadServed } from './load-served';
import { deliver } from './stream';
import { recentBundles } from './answer-recent';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { parseRequest } from './requests';
import { errorInfo, WorkerSession, type HandlerDeps } from './session';

export type { HandlerDeps, ReduceFn } from './session';

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof Error && e.name === 'AbortError');
}

/** Runs a cancellable job and turns its failure into an `error` or `cancelled` message. */
async function job(s: WorkerSession, id: number, run: (signal: AbortSignal) => Promise<void>): Promise<void> {
  s.stopWarmUp();
  const ac = new AbortController();
  s.jobs.set(id, ac);
  try {
    await run(ac.signal);
  } catch (e) {
    if (isAbort(e, ac.signal)) s.post({ type: 'cancelled', id });
    else if (e instanceof ScanError) s.post({ type: 'error', id, error: e.info });
    else s.post({ type: 'error', id, error: errorInfo('', 'Loading failed unexpectedly.', e) });
  } finally {
    s.jobs.delete(id);
  }
}

async function handle(s: WorkerSession, msg: WorkerRequest): Promise<void> {
  const post = s.post;
  switch (msg.type) {
    case 'load': {
      // A new load replaces the trace on screen: the one being followed stops.
      s.follow?.stop();
      s.follow = null;
      s.scan = null;
      s.arrivals.clear();
      s.arrivals.set(msg.id, { request: s.wallNow() });
      // Registered before any await: the first bytes follow right behind this message.
      if (msg.input.kind === 'stream') s.streams.set(msg.id, new ArrivingSource(msg.label, msg.input.paths));
      // Likewise the rest of a large selection, which follows in `files` messages while ./load.ts is still being imported.
      if (msg.input.kind === 'files' && msg.input.more) s.receiving.set(msg.id, { files: [...msg.input.files], wake: () => {} });
      const input = msg.input;
      if (input.kind === 'url') return job(s, msg.id, (signal) => loadServed(s, msg.id, msg.label, input, signal));
      return job(s, msg.id, async (signal) => (await import('./load')).load(s, msg.id, msg.label, input, signal));
    }
    case 'files': {
      const r = s.receiving.get(msg.target);
      if (r) {
        r.files.push(...msg.files);
        r.wake();
      }
      return;
    }
    case 'bytes': {
      const source = s.streams.get(msg.target);
      if (!source) return;
      deliver(source, msg.files);
      return;
    }
    case 'unreadFiles': {
      if (s.scan?.id === msg.target) s.scan.value.unread?.arrive(msg.files, msg.done);
      return;
    }
    case 'select': {
      const scan = s.scan?.id === msg.scanId ? s.scan.value : null;
      const bundle = scan?.bundles.find((b) => b.key === msg.key);
      if (!scan || !bundle) {
        post({ type: 'error', id: msg.id, error: errorInfo(msg.key, 'That bundle is no longer available; open the files again.') });
        return;
      }
      return job(s, msg.id, async (signal) => (await import('./load')).loadBundle(s, msg.id, scan, bundle, signal));
    }
    case 'summarizeScan':
      return job(s, msg.id, async (signal) => (await import('./scan-summaries')).summarizeScan(s, msg.id, msg.scanId, new Set(msg.skip), signal));
    case 'searchSessions':
      // Only the newest query is wanted: one still scanning stops.
      if (s.sessionSearch !== null) s.jobs.get(s.sessionSearch)?.abort();
      s.sessionSearch = msg.id;
      return job(s, msg.id, async (signal) => (await import('./session-search')).searchSessions(s, msg.id, msg.query, signal));
    case 'cancel':
      if (s.follow?.id === msg.target) {
        s.follow.stop();
        s.follow = null;
      }
      s.jobs.get(msg.target)?.abort();
      s.streams.get(msg.target)?.abort(new DOMException('The load was cancelled.', 'AbortError'));
      if (s.scan?.id === msg.target) s.scan = null;
      return;
    case 'readPayload':
      return import('./loaded')
        .then((m) => m.readPayload(s, msg.id, msg.path))
        .catch((e) => post({ type: 'error', id: msg.id, error: errorInfo(msg.path, `Could not read ${msg.path}.`, e) }));
    case 'search':
      return import('./loaded')
        .then((m) => m.search(s, msg.id, msg.query, msg.limit))
        .catch((e) => post({ type: 'error', id: msg.id, error: errorInfo('', 'The search could not run.', e) }));
    case 'recentList':
      return recentBundles(s, msg.id);
    case 'recentForget':
      return recentBundles(s, msg.id, msg.hash);
    case 'landed':
      // The state's text lent to the page with that load's result, back once the page has parsed it.
      if (msg.bytes && s.loaded?.stateLentTo === msg.target && returnStateBytes(s.loaded.state, msg.bytes)) s.loaded.stateLentTo = null;
      s.landed(msg.target);
      return;
    case 'livePause':
      if (s.follow?.id === msg.target) s.follow.setPaused(msg.paused);
      return;
    case 'exportBundle':
      return import('./loaded')
        .then((m) => m.exportBundle(s, msg.id))
        .catch((e) => post({ type: 'error', id: msg.id, error: errorInfo('', 'Could not pack the bundle.', e) }));
  }
}

/**
 * Warms the reducer up after `afterMs` (./warm-up.ts), unless a job has begun by then (WorkerSession.stopWarmUp).
 * The module that loads dropped files is fetched then too: the user's first drop need not wait for it.
 */
function scheduleWarmUp(s: WorkerSession, afterMs: number): void {
  const ac = new AbortController();
  s.warmUp = ac;
  setTimeout(() => {
    if (ac.signal.aborted) return;
    import('./load').catch(() => {});
    void import('./warm-up')
      .then((m) => m.warmUp(s, ac.signal))
      .catch(() => {})
      .finally(() => {
        if (s.warmUp === ac) s.warmUp = null;
      });
  }, afterMs);
}

export function createWorkerHandler(post: (msg: WorkerResponse) => void, deps: HandlerDeps = {}) {
  const session = new WorkerSession(post, deps);
  if (deps.warmUpAfterMs !== undefined) scheduleWarmUp(session, deps.warmUpAfterMs);
  /** Entry point for one incoming message. Malformed messages are answered with an error when they carry an id. */
  return function onMessage(data: unknown): Promise<void> {
    const parsed = parseRequest(data);
    if (!parsed.ok) {
      const id = typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'number' ? (data as { id: number }).id : -1;
      if (id >= 0) post({ type: 'error', id, error: errorInfo('', 'The worker received a malformed request.', parsed.reason) });
      else console.error('trace worker: malformed request', parsed.reason);
      return Promise.resolve();
    }
    return handle(session, parsed.msg);
  };
}
