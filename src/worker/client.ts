/**
 * The main thread's handle on the trace worker (a singleton, `traceClient`).
 * It keeps at most one load running (a new one cancels the old), tells its
 * listeners how each load goes (src/loader/connect.ts puts that into the
 * stores), and fetches payload bodies and search results on demand (in the
 * loaded trace, or across the sessions of a dropped root).
 */
import type { DiagnosticGroup } from '../trace/diagnostics';
import { formatTraceError, type TraceErrorInfo } from '../trace/errors';
import type { Manifest } from '../trace/schema/manifest';
import { normalizePath } from '../trace/bundle/paths';
import { singleBundleFiles, type InputFile } from '../trace/bundle/scan';
import { tryBuildTraceIndexesInSteps, type TraceIndexes } from '../trace/indexes/build';
import type { RolloutTrace } from '../trace/schema/state';
import type { SessionSummary } from '../trace/sessions/summary';
import type { SearchResult } from '../trace/sessions/list';
import { timeSlicer } from './slicing';
import { applyStateChange } from './state-change';
import { streamFiles } from './stream';
import { answerNeedFiles, type UnreadFile, type UnreadFolder } from './answer-unread';
import { MAX_BROWSER_BUNDLE_BYTES, MAX_DROPPED_LOG_BYTES, eventLogBytes, streamedBytes } from './limits';
import type { DroppedHandle } from './handles';
import { parseResponse } from './responses';
import {
  resultStateParts,
  type BundleInfo,
  type LoadInputMsg,
  type ProgressMsg,
  type RecentBundle,
  type SearchHit,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol';
import workerUrl from './trace.worker.ts?worker&url';
import { takeEarlyWorker, type EarlyLoad } from './early';
import { servedBundleUrl, traceWorkerName } from '../trace/bundle/served-url';

export type { RecentBundle, SearchHit } from './protocol';

/** URL of the built worker script (the exporter inlines its text). */
export const TRACE_WORKER_URL: string = workerUrl;

declare global {
  interface Window {
    /** Set by an exported page (src/share/embedded.ts): the worker's source, started from a Blob URL because file:// pages cannot load module workers. */
    __ctvWorkerSource?: string;
  }
}
export type { InputFile } from '../trace/bundle/scan';
export type { UnreadFile, UnreadFolder } from './answer-unread';

/** What a drop's walk left unread (src/trace/bundle/walk-policy.ts). */
export interface Unread {
  files: readonly UnreadFile[];
  folders: readonly UnreadFolder[];
}

/** What `loadFiles` accepts: a FileList from an input, Files (their webkitRelativePath is used), or path + file pairs from a directory walk. */
export type LoadInput = FileList | ReadonlyArray<File | InputFile>;

/** How a load ended, as far as this call is concerned. */
export type LoadOutcome = 'ready' | 'failed' | 'cancelled' | 'picking';

/**
 * Files per message to the worker. Cloning a File costs the main thread about
 * 0.5 ms in Chromium, so 64 keep each message's task well under 50 ms.
 */
const FILES_PER_MESSAGE = 64;

/** A message channel to a worker (or an in-process stand-in in tests). */
export interface Transport {
  /** `transfer`: buffers whose ownership moves to the worker with the message. */
  post(msg: WorkerRequest, transfer?: Transferable[]): void;
  /** Called with every message the worker sends, and with an Error when it crashes. */
  listen(onMessage: (data: unknown) => void, onCrash: (err: Error) => void): void;
  terminate(): void;
  /** A load the page's first script already asked of this worker (src/worker/early.ts). */
  readonly earlyLoad?: EarlyLoad | null;
}

function startWorker(): { worker: Worker; load: EarlyLoad | null } {
  const inline = typeof window !== 'undefined' ? window.__ctvWorkerSource : undefined;
  if (inline) {
    // A classic worker: Chromium refuses module workers from blob: URLs of a file:// (opaque-origin) page.
    // The built worker is one self-contained script without import/export, so it runs as either.
    const url = URL.createObjectURL(new Blob([inline], { type: 'text/javascript' }));
    return { worker: new Worker(url, { name: traceWorkerName(null) }), load: null };
  }
  return takeEarlyWorker() ?? { worker: new Worker(workerUrl, { type: 'module', name: traceWorkerName(null) }), load: null };
}

export function workerTransport(): Transport {
  const { worker, load } = startWorker();
  return {
    earlyLoad: load,
    post: (msg, transfer) => worker.postMessage(msg, transfer ?? []),
    listen(onMessage, onCrash) {
      worker.onmessage = (e) => onMessage(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        onCrash(new Error(e.message || 'the trace worker failed to start'));
      };
      worker.onmessageerror = () => onCrash(new Error('a worker message could not be decoded'));
    },
    terminate: () => worker.terminate(),
  };
}

function toInputFiles(files: LoadInput): InputFile[] {
  const out: InputFile[] = [];
  for (const f of Array.from(files as ArrayLike<File | InputFile>)) {
    if ('file' in f && 'path' in f) out.push(f);
    else out.push({ path: (f as File).webkitRelativePath || (f as File).name, file: f as File });
  }
  return out;
}

/** A name for the input: its single top-level folder or file, else a count. */
export function labelFor(files: readonly { path: string }[]): string {
  const tops = new Set(files.map((f) => (normalizePath(f.path) ?? f.path).split('/')[0]));
  if (tops.size === 1) return [...tops][0];
  return `${files.length} files`;
}

function plainError(message: string, cause?: unknown): TraceErrorInfo {
  return { file: '', line: null, seq: null, message, causes: cause === undefined ? [] : [String(cause instanceof Error ? cause.message : cause)] };
}

/** Once the next frame has been drawn (a task after its animation frame); a task later where nothing is drawn. */
function afterNextFrame(run: () => void): void {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible')
    requestAnimationFrame(() => setTimeout(run, 0));
  else setTimeout(run, 0);
}

/** Performance marks for profiling and scripts/bench-browser.ts (cheap; no-op where unsupported). */
function mark(name: string, detail?: unknown): void {
  globalThis.performance?.mark?.(name, detail === undefined ? undefined : { detail });
}

/** What a load has come to: a landed trace (complete, or partial with its error). */
export interface LoadResult {
  label: string;
  manifest: Manifest | null;
  state: RolloutTrace | null;
  indexes: TraceIndexes | null;
  error: TraceErrorInfo | null;
  diagnostics: DiagnosticGroup[];
  bundleKey: string | null;
  /** The content hash comes later, in a `hash` event. */
  hashFollows: boolean;
  /** The bundle's name under /bundles/ when it was opened from `serve`. */
  servedName: string | null;
}

/** Bundles a drop held, grouped by rollout, for the user to choose one (`pick`). */
export interface BundleChoice {
  scanId: number;
  label: string;
  groups: { rolloutId: string | null; bundles: BundleInfo[] }[];
}

/**
 * A served bundle being followed while Codex records it: its new state (with
 * indexes built) when `state` is set, else only the status and how many
 * events the worker has applied (while paused, more than are shown).
 */
export interface LiveEvent {
  status: 'following' | 'paused' | 'ended';
  eventsApplied: number;
  note: string | null;
  /** When the bundle was last written (wall-clock ms), when the server says. */
  writtenAt: number | null;
  update: { state: RolloutTrace; indexes: TraceIndexes | null; error: TraceErrorInfo | null; diagnostics: DiagnosticGroup[] } | null;
}

type LiveMsg = Extract<WorkerResponse, { type: 'live' }>;

/** How loads go, in order, for whoever keeps the page's state. */
export type LoadEvent =
  | { type: 'begin'; label: string }
  | { type: 'progress'; progress: ProgressMsg }
  | { type: 'choose'; choice: BundleChoice }
  | { type: 'choiceClosed' }
  /** A bundle was picked: the list is hidden, and can be shown again to pick another. */
  | { type: 'choiceHidden' }
  | { type: 'finished'; result: LoadResult }
  /** The content hash of the bundle that just finished (after a `finished` with `hashFollows`). */
  | { type: 'hash'; hash: string | null }
  /**
   * `keeps`: the worker still holds the trace shown before (this load never replaced it), which may then
   * stay on screen; `live`: its following goes on (the load failed before it reached the worker).
   */
  | { type: 'failed'; label: string; error: TraceErrorInfo; keeps?: { live: boolean } }
  | { type: 'cancelled' }
  /** The loaded trace follows its bundle (after its `finished`). */
  | { type: 'live'; live: LiveEvent };

interface Pending {
  resolve(msg: WorkerResponse): void;
  reject(err: Error): void;
}

export class TraceClient {
  private transport: Transport | null = null;
  private nextId = 1;
  /** The load (or select) request whose messages drive the store. */
  private current: { id: number; label: string; servedName: string | null; settle(o: LoadOutcome): void } | null = null;
  private readonly pending = new Map<number, Pending>();
  /** The open choice among several bundles, if any. */
  private choice: BundleChoice | null = null;
  private readonly listeners = new Set<(e: LoadEvent) => void>();
  /**
   * The served load whose bundle may be followed: its live messages wait
   * until its result has landed, then are applied one after another.
   */
  private live: { id: number; landed: boolean; queue: LiveMsg[]; running: boolean; state: Record<string, unknown> | null } | null = null;
  /**
   * The landed load whose content hash is still to come (its `hash` message), if any. A newer load
   * replaces it only when it lands: one cancelled in between leaves this trace shown, and its hash due.
   */
  private hashFor: number | null = null;
  /** The load the page's first script asked for, until the first load here claims it (the same bundle) or cancels it. */
  private early: EarlyLoad | null = null;

  constructor(private makeTransport: () => Transport = workerTransport) {}

  /** Hears every load event from now on; returns the unsubscribe. */
  subscribe(listener: (e: LoadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: LoadEvent): void {
    for (const l of this.listeners) l(e);
  }

  private closeChoice(): void {
    this.choice = null;
    this.emit({ type: 'choiceClosed' });
  }

  /** Tests: run against another transport (e.g. the worker handler in-process). Drops the current one. */
  setTransportFactory(make: () => Transport): void {
    this.transport?.terminate();
    this.transport = null;
    this.current = null;
    this.choice = null;
    this.early = null;
    this.makeTransport = make;
  }

  /** Starts the worker ahead of the first load, so that a drop does not wait for the worker's script to load and compile. */
  warmUp(): void {
    this.ensureTransport();
  }

  private ensureTransport(): Transport {
    if (!this.transport) {
      const t = this.makeTransport();
      t.listen(
        (data) => this.onMessage(t, data),
        (err) => this.onCrash(t, err),
      );
      this.transport = t;
      this.early = t.earlyLoad ?? null;
    }
    return this.transport;
  }

  private send(msg: WorkerRequest, transfer?: Transferable[]): void {
    this.ensureTransport().post(msg, transfer);
  }

  /**
   * Loads dropped or picked files: a bundle folder, loose bundle files, or .zip / .tar.gz archives.
   * The bundle is kept in the recent-bundles cache unless `remember` is false.
   */
  loadFiles(files: LoadInput, label?: string, opts: { remember?: boolean; unread?: Unread } = {}): Promise<LoadOutcome> {
    const inputs = toInputFiles(files);
    if (opts.unread && (opts.unread.files.length || opts.unread.folders.length)) return this.loadRoot(inputs, opts.unread, label);
    const bundle = singleBundleFiles(inputs);
    // A bundle too large to hold, or with a log too long for a tab, goes over as Files below: the worker reads
    // them as its reducer goes, or refuses the bundle before reading anything.
    const bytes = bundle ? streamedBytes(bundle) : 0;
    if (bundle && bytes <= MAX_BROWSER_BUNDLE_BYTES && eventLogBytes(bundle) <= MAX_DROPPED_LOG_BYTES) {
      const outcome = this.start(label ?? labelFor(inputs), {
        kind: 'stream',
        paths: bundle.map((f) => f.path),
        bytes,
        ...(opts.remember === false ? { remember: false } : {}),
      });
      const id = this.current!.id;
      void streamFiles(bundle, {
        live: () => this.current?.id === id,
        send: (files, transfer) => this.send({ type: 'bytes', id: this.nextId++, target: id, files }, transfer),
      });
      return outcome;
    }
    const first = inputs.slice(0, FILES_PER_MESSAGE);
    const outcome = this.start(label ?? labelFor(inputs), {
      kind: 'files',
      files: first,
      more: inputs.length - first.length,
      ...(opts.remember === false ? { remember: false } : {}),
    });
    if (inputs.length > first.length) void this.sendRest(this.current!.id, inputs.slice(first.length));
    return outcome;
  }

  /**
   * A dropped trace root of which the page has read only some files (the
   * manifests): the worker lists its bundles from those and the names of the
   * rest, and asks for a bundle's other files (`needFiles`) when it
   * summarises or opens it.
   */
  private loadRoot(inputs: InputFile[], unread: Unread, label?: string): Promise<LoadOutcome> {
    const files = new Map<string, () => Promise<Blob>>();
    const folders = new Map<string, () => Promise<UnreadFile[]>>();
    for (const f of unread.files) {
      const p = normalizePath(f.path);
      if (p) files.set(p, f.file);
    }
    for (const f of unread.folders) {
      const p = normalizePath(f.path);
      if (p) folders.set(p, f.files);
    }
    const first = inputs.slice(0, FILES_PER_MESSAGE);
    const outcome = this.start(label ?? labelFor([...inputs, ...unread.files, ...unread.folders]), {
      kind: 'files',
      files: first,
      more: inputs.length - first.length,
      unread: [...files.keys()],
      unreadFolders: [...folders.keys()],
    });
    const id = this.current!.id;
    this.unread = { scanId: id, files, folders };
    if (inputs.length > first.length) void this.sendRest(id, inputs.slice(first.length));
    return outcome;
  }

  /** Answers the worker's `needFiles` for the dropped root on offer (./answer-unread.ts). */
  private sendUnread(scanId: number, paths: readonly string[], folders: readonly string[]): void {
    const unread = this.unread;
    if (unread?.scanId !== scanId) return;
    void answerNeedFiles(
      paths,
      folders,
      { file: (p) => unread.files.get(p), folder: (p) => unread.folders.get(p) },
      (files, done) => this.send({ type: 'unreadFiles', id: this.nextId++, target: scanId, files, ...(done ? { done } : {}) }),
      () => this.unread === unread,
    );
  }

  /** Loads dropped files and folders given as file-system handles; the worker walks and reads them. */
  loadHandles(handles: DroppedHandle[]): Promise<LoadOutcome> {
    return this.start(handles.length === 1 ? handles[0].name : `${handles.length} items`, { kind: 'handles', handles });
  }

  /** The rest of a large selection, one chunk per task so that the page stays responsive. */
  private async sendRest(target: number, rest: InputFile[]): Promise<void> {
    for (let i = 0; i < rest.length; i += FILES_PER_MESSAGE) {
      await new Promise((r) => setTimeout(r, 0));
      if (this.current?.id !== target) return; // cancelled or replaced
      this.send({ type: 'files', id: this.nextId++, target, files: rest.slice(i, i + FILES_PER_MESSAGE) });
    }
  }

  /** Loads a bundle served by `codex-trace-viewer serve` under /bundles/<name>/. */
  loadUrl(name: string, baseUrl = servedBundleUrl(name, document.baseURI)): Promise<LoadOutcome> {
    return this.start(name, { kind: 'url', baseUrl });
  }

  /** Loads a bundle kept in the recent-bundles cache (by content hash); 'failed' when it is not there. */
  loadCached(hash: string, label = 'recent bundle'): Promise<LoadOutcome> {
    return this.start(label, { kind: 'cached', hash });
  }

  /** The recent-bundles cache, newest first. */
  async listRecent(): Promise<RecentBundle[]> {
    const msg = await this.request({ type: 'recentList', id: this.nextId++ });
    if (msg.type === 'recent') return msg.bundles;
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /** Forget one cached bundle, or all (null); returns what is left. */
  async forgetRecent(hash: string | null): Promise<RecentBundle[]> {
    const msg = await this.request({ type: 'recentForget', id: this.nextId++, hash });
    if (msg.type === 'recent') return msg.bundles;
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /** The loaded bundle as a zip (manifest, trace, payloads at its root); `name` is a file-safe form of its label. */
  async exportBundle(): Promise<{ name: string; zip: Uint8Array }> {
    const msg = await this.request({ type: 'exportBundle', id: this.nextId++ });
    if (msg.type === 'exported') return { name: msg.name, zip: msg.zip };
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /** Loads bundle `key` from the picker's list (kept, closed, for the way back to it). */
  pick(key: string): Promise<LoadOutcome> {
    const scanId = this.choice?.scanId;
    const bundle = this.choice?.groups.flatMap((g) => g.bundles).find((b) => b.key === key);
    if (scanId === undefined || !bundle) return Promise.resolve('failed');
    // The list stays (the worker keeps the scan's files until the next load), hidden: another pick needs no second drop.
    this.emit({ type: 'choiceHidden' });
    // The scan request is finished (it only waits for this choice): nothing to cancel.
    if (this.current?.id === scanId) this.current = null;
    mark('ctv:load-start');
    const id = this.nextId++;
    const outcome = this.track(id, bundle.name);
    this.emit({ type: 'begin', label: bundle.name });
    this.send({ type: 'select', id, scanId, key });
    return outcome;
  }

  /**
   * Summarises every bundle of the list on offer (a dropped trace root), for
   * the session list: `onSummary` once per bundle as the worker makes it,
   * `onDone` after the last. Returns a function that stops it.
   */
  summarizeChoice(
    skip: readonly string[],
    onSummary: (key: string, summary: SessionSummary, sizeBytes: number | null) => void,
    onDone: () => void,
  ): () => void {
    const scanId = this.choice?.scanId;
    if (scanId === undefined) {
      onDone();
      return () => {};
    }
    const id = this.nextId++;
    this.summaries.set(id, { onSummary, onDone });
    this.send({ type: 'summarizeScan', id, scanId, skip: [...skip] });
    return () => {
      if (!this.summaries.delete(id)) return;
      this.send({ type: 'cancel', id: this.nextId++, target: id });
    };
  }

  private readonly summaries = new Map<number, { onSummary(key: string, summary: SessionSummary, sizeBytes: number | null): void; onDone(): void }>();

  /**
   * A drop whose folders the page walks itself (the browser gave no
   * file-system handles in time): a folder of thousands of files takes
   * seconds to walk, so the load is shown from the drop on, and Cancel
   * stops it. Returns whether the walk may go on to `loadFiles`; `nothing()`
   * ends it when it found no files, `failed()` when the folder could not be read.
   */
  beginWalk(label: string): {
    cancelled(): boolean;
    nothing(): void;
    failed(error: TraceErrorInfo): void;
    progress(filesDone: number, bytesDone: number): void;
  } {
    this.cancel();
    // Cancelled, replaced by another walk, or overtaken by another load: it is no longer the one in hand.
    const walk = {};
    this.walk = walk;
    this.emit({ type: 'begin', label });
    return {
      cancelled: () => this.walk !== walk,
      nothing: () => {
        if (this.walk !== walk) return;
        this.walk = null;
        this.emit({ type: 'cancelled' });
      },
      failed: (error) => {
        if (this.walk !== walk) return;
        this.walk = null;
        this.emit({ type: 'failed', label, error, keeps: { live: true } });
      },
      progress: (filesDone, bytesDone) => {
        if (this.walk === walk) this.emit({ type: 'progress', progress: { bytesDone, bytesTotal: 0, eventsDone: 0, phase: 'walking', filesDone } });
      },
    };
  }

  private walk: object | null = null;

  /** The files of a dropped root not read yet, by path, for the load (scan) that named them. */
  private unread: { scanId: number; files: Map<string, () => Promise<Blob>>; folders: Map<string, () => Promise<UnreadFile[]>> } | null = null;

  /** Stops the running load (or dismisses the picker of a drop still waiting for a choice). */
  cancel(): void {
    const cur = this.current;
    this.closeChoice();
    if (this.walk) {
      this.walk = null;
      if (!cur) this.emit({ type: 'cancelled' });
    }
    if (!cur) return;
    this.current = null;
    if (this.live?.id === cur.id) this.live = null;
    this.send({ type: 'cancel', id: this.nextId++, target: cur.id });
    this.emit({ type: 'cancelled' });
    cur.settle('cancelled');
  }

  /**
   * The early load if it loads what `label` and `input` ask for, its kept
   * messages to be replayed; any other load cancels it. Asked once, by the
   * first load.
   */
  private claimEarly(label?: string, input?: LoadInputMsg): { id: number; kept: unknown[] } | null {
    this.ensureTransport();
    const early = this.early;
    if (!early) return null;
    this.early = null;
    const kept = early.claim();
    if (input?.kind === 'url' && input.baseUrl === early.baseUrl && label === early.label) return { id: early.id, kept };
    this.send({ type: 'cancel', id: this.nextId++, target: early.id });
    return null;
  }

  private track(id: number, label: string): Promise<LoadOutcome> {
    this.claimEarly();
    this.live = null;
    const prev = this.current;
    if (prev) {
      this.send({ type: 'cancel', id: this.nextId++, target: prev.id });
      prev.settle('cancelled');
    }
    return new Promise<LoadOutcome>((resolve) => {
      this.current = { id, label, servedName: null, settle: resolve };
    });
  }

  private start(label: string, input: LoadInputMsg): Promise<LoadOutcome> {
    mark('ctv:load-start');
    this.walk = null;
    this.unread = null;
    this.closeChoice();
    const early = this.claimEarly(label, input);
    const id = early?.id ?? this.nextId++;
    const outcome = this.track(id, label);
    if (input.kind === 'url') {
      this.current!.servedName = label;
      this.live = { id, landed: false, queue: [], running: false, state: null };
    }
    this.emit({ type: 'begin', label });
    if (!early) this.send({ type: 'load', id, label, input });
    // What the worker said of the early load so far, as if it came now.
    else for (const data of early.kept) this.onMessage(this.transport!, data);
    return outcome;
  }

  /** A payload body (parsed JSON) by bundle path (`payloads/3.json`) or payload id (`raw_payload:3`). */
  async readPayload(path: string): Promise<unknown> {
    const msg = await this.request({ type: 'readPayload', id: this.nextId++, path });
    if (msg.type === 'payload') return msg.data;
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /** Searches item text and tool calls of the loaded trace. */
  async search(query: string, limit = 50): Promise<SearchHit[]> {
    const msg = await this.request({ type: 'search', id: this.nextId++, query, limit });
    if (msg.type === 'searchResult') return msg.hits;
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /**
   * Searches every bundle of the dropped root on offer, as far as the worker
   * has summarised them (`summarizeChoice`), in the shape of `serve`'s search.
   * Aborting `signal` stops the worker's scan and rejects with an AbortError.
   */
  async searchSessions(query: string, signal?: AbortSignal): Promise<SearchResult> {
    const msg = await this.request({ type: 'searchSessions', id: this.nextId++, query }, signal);
    if (msg.type === 'sessionSearch') return msg.result;
    if (msg.type === 'cancelled') throw new DOMException('The search was replaced by a newer one.', 'AbortError');
    throw new Error(msg.type === 'error' ? formatTraceError(msg.error) : `unexpected ${msg.type} reply`);
  }

  /** Sends `msg` and resolves with the worker's answer; an aborted `signal` cancels the request in the worker and rejects at once. */
  private request(msg: WorkerRequest, signal?: AbortSignal): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      const abortError = () => (signal?.reason instanceof Error ? signal.reason : new DOMException('The request was aborted.', 'AbortError'));
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const onAbort = () => {
        if (!this.pending.delete(msg.id)) return;
        this.send({ type: 'cancel', id: this.nextId++, target: msg.id });
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(msg.id, {
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.send(msg);
    });
  }

  private onMessage(from: Transport, data: unknown): void {
    if (from !== this.transport) return;
    const parsed = parseResponse(data);
    if (!parsed.ok) {
      console.error('trace worker sent a malformed message', parsed.reason);
      const id = (data as { id?: unknown } | null)?.id;
      if (this.current && id === this.current.id) this.fail(plainError('The trace worker sent a malformed reply.', parsed.reason));
      return;
    }
    const msg = parsed.msg;
    if (msg.type === 'scanSummary') {
      const to = this.summaries.get(msg.id);
      if (!to) return;
      if (msg.summary) to.onSummary(msg.key, msg.summary, msg.sizeBytes ?? null);
      if (msg.done) {
        this.summaries.delete(msg.id);
        to.onDone();
      }
      return;
    }
    if (msg.type === 'needFiles') {
      this.sendUnread(msg.id, msg.paths, msg.folders);
      return;
    }
    if (msg.type === 'hash') {
      if (this.hashFor === msg.id) {
        this.hashFor = null;
        this.emit({ type: 'hash', hash: msg.contentHash });
      }
      return;
    }
    if (msg.type === 'live') {
      if (this.live?.id === msg.id) {
        this.live.queue.push(msg);
        void this.drainLive();
      }
      return;
    }
    const waiter = this.pending.get(msg.id);
    if (waiter) {
      this.pending.delete(msg.id);
      waiter.resolve(msg);
      return;
    }
    const cur = this.current;
    if (!cur || msg.id !== cur.id) return; // a cancelled or superseded load
    switch (msg.type) {
      case 'progress':
        this.emit({ type: 'progress', progress: { bytesDone: msg.bytesDone, bytesTotal: msg.bytesTotal, eventsDone: msg.eventsDone, phase: msg.phase } });
        return;
      case 'bundles':
        this.choice = { scanId: msg.id, label: msg.label, groups: msg.groups };
        this.emit({ type: 'choose', choice: this.choice });
        cur.settle('picking');
        return;
      case 'result':
        mark('ctv:result-received', msg.timings);
        void this.land(cur, msg);
        return;
      case 'error':
        // The worker replaces the bundle it holds only with a result: the shown one is still there.
        this.fail(msg.error, { live: false });
        return;
      case 'cancelled':
        return;
      default:
        return;
    }
  }

  /**
   * Parses the state and builds its indexes a slice at a time (a large trace
   * would otherwise hold the page for one long task), then hands both to the
   * listeners. A cancel or a newer load in the meantime drops this one.
   */
  private async land(cur: NonNullable<TraceClient['current']>, msg: Extract<WorkerResponse, { type: 'result' }>): Promise<void> {
    const slicer = timeSlicer();
    let state: RolloutTrace | null = null;
    let indexes: TraceIndexes | null = null;
    const parts = resultStateParts(msg);
    if (parts) {
      const parsed: Record<string, unknown> = {};
      for (const [key, json] of parts) {
        parsed[key] = JSON.parse(json());
        await slicer.maybeYield();
        if (this.current !== cur) return;
      }
      state = parsed as RolloutTrace;
      const steps = tryBuildTraceIndexesInSteps(state);
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          indexes = r.value;
          break;
        }
        await slicer.maybeYield();
        if (this.current !== cur) return;
      }
    }
    this.current = null;
    this.hashFor = msg.hashFollows ? cur.id : null;
    if (this.live?.id === cur.id) {
      this.live.landed = true;
      // What the worker's first live update changes.
      this.live.state = state as Record<string, unknown> | null;
    }
    this.emit({
      type: 'finished',
      result: {
        label: msg.label,
        manifest: msg.manifest,
        state,
        indexes,
        error: msg.error,
        diagnostics: msg.diagnostics,
        bundleKey: msg.bundleKey,
        hashFollows: msg.hashFollows ?? false,
        servedName: cur.servedName,
      },
    });
    mark('ctv:store-updated');
    cur.settle('ready');
    // The worker's work that can wait (the content hash, the recent-bundles copy) waits for the first frame. A state
    // that came as text goes back with it, parsed here: the worker lent it rather than copy it, and searches it.
    const text = msg.stateText?.bytes;
    if (msg.hashFollows || text)
      afterNextFrame(() =>
        this.send({ type: 'landed', id: this.nextId++, target: cur.id, ...(text ? { bytes: text } : {}) }, text ? [text.buffer as ArrayBuffer] : []),
      );
    void this.drainLive();
  }

  /** Holds (true) or resumes the updates of the followed bundle. */
  setLivePaused(paused: boolean): void {
    if (this.live) this.send({ type: 'livePause', id: this.nextId++, target: this.live.id, paused });
  }

  /**
   * Applies queued live messages in order: each one's change to the state
   * (only what changed is parsed), then, for the last in the queue, the
   * indexes, built a slice at a time.
   */
  private async drainLive(): Promise<void> {
    const live = this.live;
    if (!live || !live.landed || live.running) return;
    live.running = true;
    try {
      while (live.queue.length && this.live === live) {
        const msg = live.queue.shift()!;
        const later = live.queue.some((m) => m.state !== null);
        let update: LiveEvent['update'] = null;
        const slicer = timeSlicer();
        // This thread's time spent on the update, pauses left out (for `npm run bench:live`).
        let workMs = 0;
        let from = performance.now();
        const pause = async () => {
          workMs += performance.now() - from;
          await slicer.maybeYield();
          from = performance.now();
        };
        // Every change applies, a superseded one too: the next is a change to it.
        if (msg.state) {
          try {
            live.state = applyStateChange(live.state, msg.state);
          } catch (e) {
            // A change that does not fit what is shown: stop following rather than show a state that is not the bundle's.
            this.live = null;
            const note = `an update could not be applied (${(e as Error).message}); open the trace again to see it as it now is`;
            this.emit({ type: 'live', live: { status: 'ended', eventsApplied: msg.eventsApplied, note, writtenAt: msg.writtenAt, update: null } });
            return;
          }
        }
        if (msg.state && !later) {
          await pause();
          const state = live.state as unknown as RolloutTrace;
          const steps = tryBuildTraceIndexesInSteps(state);
          let indexes: TraceIndexes | null = null;
          for (let r = steps.next(); ; r = steps.next()) {
            if (r.done) {
              indexes = r.value;
              break;
            }
            await pause();
          }
          if (this.live !== live) return;
          update = { state, indexes, error: msg.error, diagnostics: msg.diagnostics };
        }
        workMs += performance.now() - from;
        mark('ctv:live-update', { eventsApplied: msg.eventsApplied, state: update !== null, workMs });
        this.emit({ type: 'live', live: { status: msg.status, eventsApplied: msg.eventsApplied, note: msg.note, writtenAt: msg.writtenAt, update } });
      }
    } finally {
      live.running = false;
    }
  }

  private fail(error: TraceErrorInfo, keeps?: { live: boolean }): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    if (this.live?.id === cur.id) this.live = null;
    this.emit({ type: 'failed', label: cur.label, error, keeps });
    cur.settle('failed');
  }

  private onCrash(from: Transport, err: Error): void {
    if (from !== this.transport) return;
    from.terminate();
    this.transport = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.closeChoice();
    // The hash the shown trace waited for will not come: it is unknown, not pending.
    if (this.hashFor !== null) {
      this.hashFor = null;
      this.emit({ type: 'hash', hash: null });
    }
    this.fail(plainError('The trace worker stopped unexpectedly.', err));
  }
}

export const traceClient = new TraceClient();
