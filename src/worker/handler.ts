/**
 * The trace worker's logic, independent of the Worker global so that tests can
 * run it in-process: feed it requests, collect what it posts.
 *
 * It owns the loaded bundle: the main thread gets the reduced state once and
 * asks for payload bodies and search results on demand.
 */
import { reduceBundle as defaultReduce } from '../trace/reducer';
import type { ReduceOptions, ReduceResult } from '../trace/api';
import { MemorySource, type BundleSource, type FileBody } from '../trace/bundle/source';
import type { TraceErrorInfo } from '../trace/errors';
import type { RolloutTrace } from '../trace/schema/state';
import { FetchSource, openHttpBundle } from '../trace/bundle/fetch';
import { normalizePath } from '../trace/bundle/paths';
import { withReadAhead } from '../trace/bundle/readahead';
import { ArrivingSource } from '../trace/bundle/arriving';
import {
  ScanError,
  bundleSource,
  singleBundleFiles,
  checkManifest,
  collectFiles,
  describeBundles,
  findBundleDirs,
  groupByRollout,
  type BundleInfo,
  type InputFile,
} from '../trace/bundle/scan';
import { parseRequest, stateToParts, type BytesEntry, type LoadInputMsg, type ProgressMsg as Progress, type WorkerRequest, type WorkerResponse } from './protocol';
import { SearchIndex } from './search';
import { nextTask, timeSlicer } from './slicing';
import { filesFromHandles } from './handles';
import { streamFiles } from './stream';
import { MAX_BROWSER_BUNDLE_BYTES, limitProblem, sizeProblem, streamedBytes } from './limits';
import { SizeLimitError } from '../trace/bundle/sizeLimit';
import { hashBundleFiles, hashedPaths } from '../trace/bundle/hash';
import { IdbRecentStore, type RecentStore } from './recent';
import { zipSync } from 'fflate';
import { payloadLocation, payloadStoreFor, type PayloadStore } from '../trace/bundle/payloads';
import { GENERATIONS, generationOf } from '../trace/schema/generations';

export type ReduceFn = (source: BundleSource, options?: ReduceOptions) => Promise<ReduceResult>;

export interface HandlerDeps {
  reduce?: ReduceFn;
  fetch?: typeof fetch;
  /** Minimum milliseconds between two progress messages of one load (default 50: at most 20/s). */
  progressIntervalMs?: number;
  now?: () => number;
  /** Largest bundle (trace.jsonl + payloads, bytes) a load accepts; default MAX_BROWSER_BUNDLE_BYTES. */
  maxBundleBytes?: number;
  /** The recent-bundles cache; default IndexedDB when available, else none. */
  recent?: RecentStore | null;
}

interface Scan {
  /** Keep the chosen bundle in the recent-bundles cache. */
  remember: boolean;
  label: string;
  files: Map<string, FileBody>;
  bundles: BundleInfo[];
}

interface Loaded {
  source: BundleSource;
  /** Reads payloads wherever this bundle's generation keeps them. */
  payloads: PayloadStore;
  state: RolloutTrace;
  index: SearchIndex | null;
}

/** Bytes the reducer will read: trace.jsonl and the payloads. */
function eventAndPayloadBytes(source: MemorySource): number {
  let n = 0;
  for (const p of source.paths()) if (p === 'trace.jsonl' || p.startsWith('payloads/')) n += source.size(p) ?? 0;
  return n;
}

function errorInfo(file: string, message: string, cause?: unknown): TraceErrorInfo {
  const causes = cause === undefined ? [] : [cause instanceof Error ? cause.message : String(cause)];
  return { file, line: null, seq: null, message, causes };
}

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof Error && e.name === 'AbortError');
}

/**
 * Lets queued messages (a cancel, a newer load) in while the reducer runs:
 * reads from memory resolve as microtasks, so without this a reduction over an
 * unpacked archive would hold the worker until it ends.
 */
function yielding(source: BundleSource, everyMs = 16): BundleSource {
  const slicer = timeSlicer(everyMs, nextTask);
  return {
    name: source.name,
    size: source.size?.bind(source),
    async readText(path) {
      await slicer.maybeYield();
      return source.readText(path);
    },
    async readBytes(path) {
      await slicer.maybeYield();
      return source.readBytes(path);
    },
  };
}

/** Streamed files into a source: their bytes, or the reason the reader gave. */
function deliver(source: ArrivingSource, entries: readonly BytesEntry[]): void {
  for (const e of entries) source.deliver(e.path, 'data' in e ? e.data : new Error(`${e.path} could not be read: ${e.error}`));
}

export function createWorkerHandler(post: (msg: WorkerResponse) => void, deps: HandlerDeps = {}) {
  const reduce = deps.reduce ?? defaultReduce;
  const fetchImpl = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const interval = deps.progressIntervalMs ?? 50;
  const maxBytes = deps.maxBundleBytes ?? MAX_BROWSER_BUNDLE_BYTES;
  const maxUnpackedBytes = 2 * maxBytes;
  const now = deps.now ?? (() => Date.now());
  let recentStore: RecentStore | null | undefined = deps.recent;
  const recent = (): RecentStore | null => {
    if (recentStore === undefined) recentStore = typeof indexedDB !== 'undefined' ? new IdbRecentStore() : null;
    return recentStore;
  };
  const jobs = new Map<number, AbortController>();
  /** What the latest multi-bundle load found, waiting for the user's pick. */
  let scan: { id: number; value: Scan } | null = null;
  let loaded: Loaded | null = null;
  /** Loads still receiving files: their list so far and a wake-up for each `files` message. */
  const receiving = new Map<number, { files: InputFile[]; wake: () => void }>();
  /** Stream loads whose files are still arriving, by request id. */
  const streams = new Map<number, ArrivingSource>();
  /** Wall-clock milliseconds (comparable across threads) at which each load's request and last file arrived. */
  const arrivals = new Map<number, { request: number; files?: number; unpack?: number }>();
  const wallNow = () => performance.timeOrigin + performance.now();

  /** Waits until load `id` has received `more` further files (or is cancelled). */
  async function receiveRest(id: number, first: InputFile[], more: number, signal: AbortSignal): Promise<InputFile[]> {
    const entry = { files: [...first], wake: () => {} };
    receiving.set(id, entry);
    try {
      while (entry.files.length < first.length + more) {
        signal.throwIfAborted();
        await new Promise<void>((resolve) => {
          entry.wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      signal.throwIfAborted();
      return entry.files;
    } finally {
      receiving.delete(id);
    }
  }

  /**
   * Progress reporting for one job: at most one message per `interval`, and
   * always the last one. The reducer counts payload bytes as it reads them but
   * knows only trace.jsonl's size up front; when the whole bundle's size is
   * known here (`expectedBytes`), it is the total instead.
   */
  function progressReporter(id: number, expectedBytes: number | null) {
    let last = -Infinity;
    let lastPhase: Progress['phase'];
    let pending: Progress | null = null;
    let trailing: ReturnType<typeof setTimeout> | null = null;
    const send = () => {
      if (trailing !== null) clearTimeout(trailing);
      trailing = null;
      if (!pending) return;
      last = now();
      lastPhase = pending.phase;
      post({ type: 'progress', id, ...pending });
      pending = null;
    };
    return {
      push(raw: Progress) {
        pending = expectedBytes ? { ...raw, bytesTotal: Math.max(raw.bytesTotal, expectedBytes, raw.bytesDone) } : raw;
        if (now() - last >= interval || pending.phase !== lastPhase) send();
        // A report held back by the interval still goes out when the interval ends, even if no other follows it.
        else trailing ??= setTimeout(send, interval);
      },
      flush: send,
    };
  }

  function arrivalTimes(id: number): Record<string, number> {
    const a = arrivals.get(id);
    arrivals.delete(id);
    return a ? { requestAt: a.request, ...(a.files ? { filesAt: a.files } : {}), ...(a.unpack !== undefined ? { unpack: a.unpack } : {}) } : {};
  }

  async function reduceAndPost(id: number, label: string, source: BundleSource, signal: AbortSignal, remember = false): Promise<void> {
    try {
      await reduceAndPostOnce(id, label, source, signal, remember);
    } finally {
      // A streamed bundle's reads still waiting (after an error or a cancel) fail rather than hang.
      if (source instanceof ArrivingSource) source.abort(new DOMException('The load ended.', 'AbortError'));
    }
  }

  async function reduceAndPostOnce(id: number, label: string, source: BundleSource, signal: AbortSignal, remember: boolean): Promise<void> {
    const { manifest, problem } = checkManifest(await source.readText('manifest.json'));
    if (problem || !manifest) {
      post({ type: 'error', id, error: problem ?? errorInfo('manifest.json', 'manifest.json could not be read') });
      return;
    }
    if (source instanceof FetchSource) {
      // Another server (no bundle tar): at least the event log's size is known before it is read.
      const tooLarge = sizeProblem((await source.probe('trace.jsonl')) ?? 0, maxBytes, 'served');
      if (tooLarge) {
        post({ type: 'error', id, error: tooLarge });
        return;
      }
    }
    const memory = source instanceof MemorySource ? source : null;
    const arriving = source instanceof ArrivingSource ? source : null;
    const expected = memory ? eventAndPayloadBytes(memory) : null;
    const tooLarge = expected === null ? null : sizeProblem(expected, maxBytes);
    if (tooLarge) {
      post({ type: 'error', id, error: tooLarge });
      return;
    }
    const progress = progressReporter(id, expected);
    const t0 = performance.now();
    let hashing: Promise<string | null> = Promise.resolve(null);
    /** What the reducer last reported (a stream's arrivals report it again with a better total). */
    let reduced = { bytesDone: 0, eventsDone: 0 };
    /** Set when a streamed bundle turns out larger than the limit (its size is known only as it arrives). */
    let streamTooLarge: TraceErrorInfo | null = null;
    /** A stream's total is known once its last file is in; until then, an estimate from the average file so far. */
    const streamProgress = (a: ArrivingSource): Progress => {
      const complete = a.arrivedCount === a.fileCount;
      const total = complete ? a.arrivedBytes : Math.round((a.arrivedBytes / Math.max(1, a.arrivedCount)) * a.fileCount);
      return { ...reduced, bytesTotal: Math.max(total, reduced.bytesDone), phase: complete ? 'reducing' : 'reading' };
    };
    if (memory) {
      await memory.materialize(hashedPaths(memory.paths()), signal);
      // Hashing runs beside the reduction: the digests themselves are computed off this thread.
      hashing = hashBundleFiles(memory.fileMap(), signal);
    } else if (arriving) {
      arriving.onArrival = () => {
        streamTooLarge ??= sizeProblem(arriving.arrivedBytes, maxBytes);
        if (streamTooLarge) arriving.abort(new Error(streamTooLarge.message));
        else progress.push(streamProgress(arriving));
      };
      hashing = arriving.complete(signal).then((m) => hashBundleFiles(m.fileMap(), signal));
    }
    hashing.catch(() => {}); // awaited below; an abort surfaces there
    const t1 = performance.now();
    const result = await reduce(yielding(withReadAhead(source)), {
      unknownEvents: 'skip',
      signal,
      onProgress: (p) => {
        reduced = { bytesDone: p.bytesDone, eventsDone: p.eventsDone };
        progress.push(arriving ? streamProgress(arriving) : { ...p, phase: 'reducing' });
      },
    });
    signal.throwIfAborted();
    if (streamTooLarge) {
      post({ type: 'error', id, error: streamTooLarge });
      return;
    }
    progress.flush();
    const t2 = performance.now();
    if (!result.state) {
      post({ type: 'error', id, error: result.error ?? errorInfo('trace.jsonl', 'The reducer returned no state.') });
      return;
    }
    const contentHash = await hashing;
    // A streamed bundle is complete once hashed: keep it in memory like a dropped one.
    const kept = arriving ? await arriving.complete(signal) : memory;
    const keptSource = kept ?? source;
    const generation = generationOf(result.state.schema_version) ?? GENERATIONS[2];
    loaded = {
      source: keptSource,
      payloads: payloadStoreFor(keptSource, generation.payloads, (result.manifest ?? manifest).payloads_dir || 'payloads'),
      state: result.state,
      index: null,
    };
    signal.throwIfAborted();
    const t3 = performance.now();
    const stateParts = stateToParts(result.state);
    const t4 = performance.now();
    post({
      type: 'result',
      id,
      label,
      bundleKey: result.manifest?.trace_id ?? manifest.trace_id,
      manifest: result.manifest ?? manifest,
      stateParts,
      error: result.error,
      diagnostics: result.diagnostics,
      eventsApplied: result.eventsApplied,
      contentHash,
      timings: { ...arrivalTimes(id), read: t1 - t0, reduce: t2 - t1, hashWait: t3 - t2, serialize: t4 - t3 },
    });
    if (remember && kept && contentHash && !result.error) {
      const store = recent();
      store?.put({ hash: contentHash, name: label, traceId: (result.manifest ?? manifest).trace_id ?? null }, kept.fileMap()).catch((e) => console.warn('recent bundles: could not keep this bundle', e));
    }
  }

  async function loadBundle(id: number, s: Scan, bundle: BundleInfo, signal: AbortSignal): Promise<void> {
    if (bundle.problem) {
      post({ type: 'error', id, error: bundle.problem });
      return;
    }
    const label = bundle.key ? bundle.name : s.label;
    await reduceAndPost(id, label, bundleSource(s.files, bundle.key, label), signal, s.remember);
  }

  async function load(id: number, label: string, input: LoadInputMsg, signal: AbortSignal): Promise<void> {
    if (input.kind === 'url') {
      const openStart = performance.now();
      let source: BundleSource;
      try {
        source = await openHttpBundle(label, input.baseUrl, fetchImpl, signal, { maxBytes });
      } catch (e) {
        if (!(e instanceof SizeLimitError)) throw e;
        post({ type: 'error', id, error: limitProblem(e, 'served') });
        return;
      }
      const arrival = arrivals.get(id);
      if (arrival) arrival.unpack = performance.now() - openStart;
      await reduceAndPost(id, label, source, signal);
      return;
    }
    if (input.kind === 'stream') {
      const source = streams.get(id);
      if (!source) return;
      // The page knows the files' sizes before reading them, and sends none of a bundle over the limit.
      const tooLarge = input.bytes === undefined ? null : sizeProblem(input.bytes, maxBytes);
      if (tooLarge) {
        streams.delete(id);
        post({ type: 'error', id, error: tooLarge });
        return;
      }
      void source.complete(signal).then(
        () => {
          const arrival = arrivals.get(id);
          if (arrival) arrival.files = wallNow();
        },
        () => {},
      );
      try {
        await reduceAndPost(id, label, source, signal, input.remember !== false);
      } finally {
        streams.delete(id);
      }
      return;
    }
    if (input.kind === 'cached') {
      const hit = await recent()
        ?.get(input.hash)
        .catch(() => null);
      if (!hit) {
        post({ type: 'error', id, error: errorInfo(input.hash, 'That bundle is not among the recently opened bundles on this machine.') });
        return;
      }
      await reduceAndPost(id, hit.meta.name, new MemorySource(hit.meta.name, hit.files), signal);
      return;
    }
    const inputs =
      input.kind === 'handles'
        ? await filesFromHandles(input.handles, signal)
        : input.more
          ? await receiveRest(id, input.files, input.more, signal)
          : input.files;
    const arrival = arrivals.get(id);
    if (arrival) arrival.files = wallNow();
    const one = input.kind === 'handles' ? singleBundleFiles(inputs) : null;
    if (one) {
      const tooLarge = sizeProblem(streamedBytes(one), maxBytes);
      if (tooLarge) {
        post({ type: 'error', id, error: tooLarge });
        return;
      }
      // One plain bundle: read here and reduce as the bytes come, as a page-streamed bundle is.
      const source = new ArrivingSource(label, one.map((f) => f.path));
      void streamFiles(one, { live: () => !signal.aborted, send: (entries) => deliver(source, entries) });
      await reduceAndPost(id, label, source, signal, true);
      return;
    }
    const unpackStart = performance.now();
    let files: Map<string, FileBody>;
    try {
      files = await collectFiles(inputs, signal, { maxUnpackedBytes });
    } catch (e) {
      if (!(e instanceof SizeLimitError)) throw e;
      post({ type: 'error', id, error: limitProblem(e, 'archive') });
      return;
    }
    if (arrival) arrival.unpack = performance.now() - unpackStart;
    const dirs = findBundleDirs(files.keys());
    if (dirs.length === 0) {
      post({
        type: 'error',
        id,
        error: errorInfo(
          label,
          `No trace bundle found in ${label}. A bundle is a folder holding manifest.json, trace.jsonl and payloads/ ` +
            `(Codex writes one per session under $CODEX_ROLLOUT_TRACE_ROOT); drop that folder, or a .zip / .tar.gz of it.`,
        ),
      });
      return;
    }
    const bundles = await describeBundles(files, label, { countThreads: dirs.length > 1, maxCountBytes: maxBytes, signal });
    const value: Scan = { remember: input.kind === 'handles' || input.remember !== false, label, files, bundles };
    if (bundles.length === 1) {
      await loadBundle(id, value, bundles[0], signal);
      return;
    }
    scan = { id, value };
    post({ type: 'bundles', id, label, groups: groupByRollout(bundles) });
  }

  /** Runs a cancellable job and turns its failure into an `error` or `cancelled` message. */
  async function job(id: number, run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const ac = new AbortController();
    jobs.set(id, ac);
    try {
      await run(ac.signal);
    } catch (e) {
      if (isAbort(e, ac.signal)) post({ type: 'cancelled', id });
      else if (e instanceof ScanError) post({ type: 'error', id, error: e.info });
      else post({ type: 'error', id, error: errorInfo('', 'Loading failed unexpectedly.', e) });
    } finally {
      jobs.delete(id);
    }
  }

  async function readPayload(id: number, rawPath: string): Promise<void> {
    if (!loaded) {
      post({ type: 'error', id, error: errorInfo(rawPath, 'No trace is loaded.') });
      return;
    }
    // Accept a payload id (raw_payload:N) as well as a payload file's path.
    const ref = Object.hasOwn(loaded.state.raw_payloads, rawPath) ? loaded.state.raw_payloads[rawPath] : undefined;
    let text: string;
    let path: string;
    if (ref) {
      path = payloadLocation(ref);
      const read = await loaded.payloads.read(ref);
      if ('problem' in read) {
        post({ type: 'error', id, error: errorInfo(read.problem.file, `${read.problem.message} (the recorder may have failed to write it).`) });
        return;
      }
      text = read.text;
    } else {
      const p = normalizePath(rawPath);
      if (!p) {
        post({ type: 'error', id, error: errorInfo(rawPath, `"${rawPath}" is not a path inside the bundle.`) });
        return;
      }
      path = p;
      const t = await loaded.source.readText(p);
      if (t === null) {
        post({ type: 'error', id, error: errorInfo(p, `${p} is not in the bundle (the recorder may have failed to write it).`) });
        return;
      }
      text = t;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      post({ type: 'error', id, error: errorInfo(path, `${path} is not valid JSON.`, e) });
      return;
    }
    post({ type: 'payload', id, path, data });
  }

  /** The loaded bundle (manifest, trace, payloads) as a deflated zip, files at its root (opened with the label it was exported under). */
  async function exportBundle(id: number): Promise<void> {
    if (!loaded) {
      post({ type: 'error', id, error: errorInfo('', 'No trace is loaded.') });
      return;
    }
    const src = loaded.source;
    const paths =
      src instanceof MemorySource
        ? [...src.paths()].filter((p) => p === 'manifest.json' || p === 'trace.jsonl' || p.startsWith('payloads/'))
        : ['manifest.json', 'trace.jsonl', ...loaded.payloads.files(Object.values(loaded.state.raw_payloads))];
    const dir = (src.name || 'bundle').replace(/[\\/:*?"<>|]+/g, '_');
    const entries: Record<string, Uint8Array> = {};
    const enc = new TextEncoder();
    for (const p of new Set(paths)) {
      const body = src instanceof MemorySource ? src.fileMap().get(p) : await src.readBytes(p);
      if (body === undefined || body === null) continue;
      entries[p] = typeof body === 'string' ? enc.encode(body) : body instanceof Uint8Array ? body : new Uint8Array(await body.arrayBuffer());
    }
    const zip = zipSync(entries, { level: 6 });
    post({ type: 'exported', id, name: dir, zip });
  }

  function search(id: number, query: string, limit: number): void {
    if (!loaded) {
      post({ type: 'searchResult', id, hits: [] });
      return;
    }
    loaded.index ??= new SearchIndex(loaded.state);
    post({ type: 'searchResult', id, hits: loaded.index.search(query, limit) });
  }

  async function handle(msg: WorkerRequest): Promise<void> {
    switch (msg.type) {
      case 'load':
        scan = null;
        arrivals.clear();
        arrivals.set(msg.id, { request: wallNow() });
        // Registered before any await: the first bytes follow right behind this message.
        if (msg.input.kind === 'stream') streams.set(msg.id, new ArrivingSource(msg.label, msg.input.paths));
        return job(msg.id, (signal) => load(msg.id, msg.label, msg.input, signal));
      case 'files': {
        const r = receiving.get(msg.target);
        if (r) {
          r.files.push(...msg.files);
          r.wake();
        }
        return;
      }
      case 'bytes': {
        const source = streams.get(msg.target);
        if (!source) return;
        deliver(source, msg.files);
        return;
      }
      case 'select': {
        const s = scan?.id === msg.scanId ? scan.value : null;
        const bundle = s?.bundles.find((b) => b.key === msg.key);
        if (!s || !bundle) {
          post({ type: 'error', id: msg.id, error: errorInfo(msg.key, 'That bundle is no longer available; open the files again.') });
          return;
        }
        return job(msg.id, (signal) => loadBundle(msg.id, s, bundle, signal));
      }
      case 'cancel':
        jobs.get(msg.target)?.abort();
        streams.get(msg.target)?.abort(new DOMException('The load was cancelled.', 'AbortError'));
        if (scan?.id === msg.target) scan = null;
        return;
      case 'readPayload':
        return readPayload(msg.id, msg.path).catch((e) =>
          post({ type: 'error', id: msg.id, error: errorInfo(msg.path, `Could not read ${msg.path}.`, e) }),
        );
      case 'search':
        return search(msg.id, msg.query, msg.limit);
      case 'recentList':
      case 'recentForget': {
        const store = recent();
        try {
          if (msg.type === 'recentForget') await store?.forget(msg.hash);
          post({ type: 'recent', id: msg.id, bundles: store ? await store.list() : [] });
        } catch (e) {
          post({ type: 'error', id: msg.id, error: errorInfo('', 'The recent-bundles cache is not available.', e) });
        }
        return;
      }
      case 'exportBundle':
        return exportBundle(msg.id).catch((e) => post({ type: 'error', id: msg.id, error: errorInfo('', 'Could not pack the bundle.', e) }));
    }
  }

  /** Entry point for one incoming message. Malformed messages are answered with an error when they carry an id. */
  return function onMessage(data: unknown): Promise<void> {
    const parsed = parseRequest(data);
    if (!parsed.ok) {
      const id = typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'number' ? (data as { id: number }).id : -1;
      if (id >= 0) post({ type: 'error', id, error: errorInfo('', 'The worker received a malformed request.', parsed.reason) });
      else console.error('trace worker: malformed request', parsed.reason);
      return Promise.resolve();
    }
    return handle(parsed.msg);
  };
}
