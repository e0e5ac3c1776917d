/**
 * What the worker keeps between messages: the loads in flight, the files
 * still arriving for them, a multi-bundle scan waiting for the user's pick,
 * and the loaded bundle that payload, search and export requests read. One
 * object per handler, so that the modules handling each kind of message share
 * it explicitly.
 */
import type { ReduceOptions, ReduceResult } from '../trace/api';
import type { ArrivingSource } from '../trace/bundle/arriving';
import type { PayloadStore } from '../trace/bundle/payloads';
import type { BundleInfo, InputFile } from '../trace/bundle/scan';
import type { ReadBlobs } from '../trace/bundle/blob-groups';
import { offThreadReader } from './blob-reader';
import type { BundleSource, FileBody, MemorySource } from '../trace/bundle/source';
import type { TraceErrorInfo } from '../trace/errors';
import type { RolloutTrace } from '../trace/schema/state';
import { MAX_BROWSER_BUNDLE_BYTES, MAX_BROWSER_LOG_BYTES, MAX_DROPPED_LOG_BYTES } from './limits';
import { SERVER_REDUCES_ABOVE } from '../trace/bundle/served-choice';
import type { WorkerResponse } from './protocol';
import { IdbRecentStore, type RecentStore } from './recent';
import type { KeptDocuments } from '../trace/sessions/kept';
import type { SearchIndex } from './search';
import type { UnreadFiles } from './unread';

export type ReduceFn = (source: BundleSource, options?: ReduceOptions) => Promise<ReduceResult>;

/**
 * The reducer, imported when first used. A state `serve` has reduced is read
 * without it, and it is most of the worker's code: a served link's worker
 * starts on the rest alone (README.md).
 */
const reduceWhenNeeded: ReduceFn = async (source, options) => (await import('../trace/reducer')).reduceBundle(source, options);

export interface HandlerDeps {
  reduce?: ReduceFn;
  fetch?: typeof fetch;
  /** Minimum milliseconds between two progress messages of one load (default 50: at most 20/s). */
  progressIntervalMs?: number;
  now?: () => number;
  /** Largest bundle (trace.jsonl + payloads, bytes) a load accepts; default MAX_BROWSER_BUNDLE_BYTES. */
  maxBundleBytes?: number;
  /** Largest event log of a served bundle reduced in this tab rather than by the server; default MAX_BROWSER_LOG_BYTES. */
  maxLogBytes?: number;
  /** Largest event log of a dropped or picked bundle this tab reduces; default MAX_DROPPED_LOG_BYTES. */
  maxDroppedLogBytes?: number;
  /** Smallest finished served bundle left to the server's reduction; default SERVER_REDUCES_ABOVE. */
  serverReducesAbove?: number;
  /** The recent-bundles cache; default IndexedDB when available, else none. */
  recent?: RecentStore | null;
  /** Longest wait for the page's `landed` before the work after a result begins anyway; default LANDED_WAIT_MS. */
  landedWaitMs?: number;
  /** How the Files of a bundle read as the reducer goes (too large to hold) are read; default in a reader worker of its own (./blob-reader.ts). */
  readBlobs?: ReadBlobs;
  /** Warm the reducer up this long after starting, unless a job comes first (./warm-up.ts); default never. */
  warmUpAfterMs?: number;
}

/** The bundles a multi-bundle load found. */
export interface Scan {
  /** Keep the chosen bundle in the recent-bundles cache. */
  remember: boolean;
  label: string;
  files: Map<string, FileBody>;
  /** Files of the drop the page has not read yet (a dropped root's event logs and payloads), or null when all were read. */
  unread: UnreadFiles | null;
  /** Bundle `dir`'s files as a source; `read` gives the bodies of its unread files. */
  sourceOf(dir: string, name: string, read?: ReadonlyMap<string, FileBody>): MemorySource;
  bundles: BundleInfo[];
  /** The search documents of the bundles summarised so far (./scan-summaries.ts), for search across them. */
  documents: KeptDocuments;
}

export interface Loaded {
  source: BundleSource;
  /** Reads payloads wherever this bundle's generation keeps them. */
  payloads: PayloadStore;
  state: RolloutTrace;
  index: SearchIndex | null;
  /** Reduced by `serve` (too large for the tab, or finished and opened sooner there): its payloads stay on the server, read one at a time. */
  servedReduction?: boolean;
  /** Dropped or picked files too many to hold: read from the Files as the reducer went, and as panels show payloads. */
  readFromFiles?: boolean;
  /** The load whose result took this state's text to the page, which gives it back once parsed (`landed`); null once back. */
  stateLentTo?: number | null;
}

export class WorkerSession {
  readonly reduce: ReduceFn;
  readonly fetch: typeof fetch;
  readonly progressIntervalMs: number;
  readonly maxBundleBytes: number;
  readonly maxLogBytes: number;
  readonly maxDroppedLogBytes: number;
  readonly serverReducesAbove: number;
  readonly now: () => number;
  readonly readBlobs: ReadBlobs;
  /** What a served bundle's tar may hold for this tab (openHttpBundle's limits). */
  get tarLimits(): { maxBytes: number; maxLogBytes: number } {
    return { maxBytes: this.maxBundleBytes, maxLogBytes: this.maxLogBytes };
  }
  private recentStore: RecentStore | null | undefined;
  /** Running jobs by request id, to cancel them. */
  readonly jobs = new Map<number, AbortController>();
  /** What the latest multi-bundle load found, waiting for the user's pick. */
  scan: { id: number; value: Scan } | null = null;
  loaded: Loaded | null = null;
  /** The request id of the latest search across a dropped root's sessions: a newer one stops it. */
  sessionSearch: number | null = null;
  /** The warm-up under way or waiting to start (./warm-up.ts), to stop when a job begins. */
  warmUp: AbortController | null = null;
  /** The served bundle being followed while Codex records it (./follow.ts). */
  follow: { readonly id: number; stop(): void; setPaused(paused: boolean): void } | null = null;
  /** Loads still receiving files: their list so far and a wake-up for each `files` message. */
  readonly receiving = new Map<number, { files: InputFile[]; wake: () => void }>();
  /** Stream loads whose files are still arriving, by request id. */
  readonly streams = new Map<number, ArrivingSource>();
  /** Loads whose result the page has not drawn yet, each with what to wake when it has (`landed`). */
  private readonly landing = new Map<number, () => void>();
  private readonly landedWaitMs: number;
  /** Wall-clock milliseconds (comparable across threads) at which each load's request and last file arrived. */
  readonly arrivals = new Map<number, { request: number; files?: number; unpack?: number }>();

  constructor(
    readonly post: (msg: WorkerResponse) => void,
    deps: HandlerDeps = {},
  ) {
    this.reduce = deps.reduce ?? reduceWhenNeeded;
    this.fetch = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
    this.progressIntervalMs = deps.progressIntervalMs ?? 50;
    this.maxBundleBytes = deps.maxBundleBytes ?? MAX_BROWSER_BUNDLE_BYTES;
    this.maxLogBytes = deps.maxLogBytes ?? MAX_BROWSER_LOG_BYTES;
    this.maxDroppedLogBytes = deps.maxDroppedLogBytes ?? MAX_DROPPED_LOG_BYTES;
    this.serverReducesAbove = deps.serverReducesAbove ?? SERVER_REDUCES_ABOVE;
    this.now = deps.now ?? (() => Date.now());
    this.readBlobs = deps.readBlobs ?? offThreadReader();
    this.recentStore = deps.recent;
    this.landedWaitMs = deps.landedWaitMs ?? LANDED_WAIT_MS;
  }

  /** A job begins: the reducer is the job's alone. */
  stopWarmUp(): void {
    this.warmUp?.abort();
    this.warmUp = null;
  }

  /** The recent-bundles cache, opened on first use. */
  recent(): RecentStore | null {
    if (this.recentStore === undefined) this.recentStore = typeof indexedDB !== 'undefined' ? new IdbRecentStore() : null;
    return this.recentStore;
  }

  wallNow(): number {
    return performance.timeOrigin + performance.now();
  }

  /**
   * Until the page says it has drawn load `id`'s result (or `maxMs` passed, or the load was cancelled).
   * On two cores, hashing and keeping a 66 MB bundle beside the page's first drawing of it made the
   * page interactive 250 ms later; neither is needed before.
   */
  whenLanded(id: number, signal: AbortSignal, maxMs = this.landedWaitMs): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.landing.delete(id);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      signal.addEventListener('abort', done, { once: true });
      this.landing.set(id, done);
      if (signal.aborted) done();
    });
  }

  /** The page has drawn load `id`'s result. */
  landed(id: number): void {
    this.landing.get(id)?.();
  }

  /** The arrival times of load `id`, for its result's timings; forgotten once read. */
  takeArrivalTimes(id: number): Record<string, number> {
    const a = this.arrivals.get(id);
    this.arrivals.delete(id);
    return a ? { requestAt: a.request, ...(a.files ? { filesAt: a.files } : {}), ...(a.unpack !== undefined ? { unpack: a.unpack } : {}) } : {};
  }
}

/** Longest wait for the page's `landed` before the work after a result begins anyway. */
export const LANDED_WAIT_MS = 3000;

export function errorInfo(file: string, message: string, cause?: unknown): TraceErrorInfo {
  const causes = cause === undefined ? [] : [cause instanceof Error ? cause.message : String(cause)];
  return { file, line: null, seq: null, message, causes };
}
