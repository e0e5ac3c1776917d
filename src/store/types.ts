import type { DiagnosticGroup, TraceErrorInfo } from '../trace/errors';
import type { TraceIndexes } from '../trace/indexes/build';
import type { ObjectRef } from '../trace/indexes/refs';
import type { Manifest } from '../trace/schema/manifest';
import type { RolloutTrace } from '../trace/schema/state';
import type { Filters, PanelsState, ViewState } from './viewState';

export type { ObjectKind, ObjectRef } from '../trace/indexes/refs';
export type { Filters, PanelsState, TraceRef, ViewState } from './viewState';

/** The one selection shared by every panel. */
export type Selection = ObjectRef | null;

export type LoadPhase = 'idle' | 'loading' | 'ready' | 'failed' | 'cancelled';

/** How far a load is, as the worker reports it. */
export interface LoadProgress {
  bytesDone: number;
  bytesTotal: number;
  eventsDone: number;
  /**
   * 'walking': the page walks a dropped folder (files found and their bytes; no total yet);
   * 'reading': dropped files are being read into the worker (bytes only); 'reducing' (the default): events are being replayed;
   * 'server': `serve` reduces the bundle (too large for the tab, or finished and opened sooner there); 'receiving': its state arrives (bytes of state.json).
   */
  phase?: 'walking' | 'reading' | 'reducing' | 'server' | 'receiving';
  /** Files walked so far ('walking'). */
  filesDone?: number;
}

export interface LoadState {
  phase: LoadPhase;
  /** What is being (or was last) loaded: a directory or archive name. */
  label: string | null;
  progress: LoadProgress | null;
  error: TraceErrorInfo | null;
  /** Skipped events, one group per kind and type. */
  diagnostics: DiagnosticGroup[];
}

export interface FinishLoadArgs {
  label: string;
  manifest: Manifest | null;
  /** Complete on success; may be partial when `error` is set (it is shown anyway); null if nothing could be reduced. */
  state: RolloutTrace | null;
  /** The state's indexes when the caller has built them already (the worker client builds them in slices); built here otherwise. */
  indexes?: TraceIndexes | null;
  error: TraceErrorInfo | null;
  /** Skipped events, one group per kind and type. */
  diagnostics: DiagnosticGroup[];
  /** Identifies the loaded bundle (e.g. a hash or name+size); used to key per-bundle UI state. */
  bundleKey: string | null;
  /** SHA-256 (hex) of the bundle's manifest, trace and payloads, when the worker could compute it. */
  contentHash?: string | null;
  /** The content hash is still being computed: setBundleHash brings it. */
  hashFollows?: boolean;
  /** The bundle's name under /bundles/ when it was opened from `serve` (what `?trace=` carries). */
  servedName?: string | null;
}

/** A served bundle followed while Codex records it (issue 19). */
export interface LiveState {
  /** following: updates are applied as they come; paused: held; ended: the recording completed (or following stopped). */
  status: 'following' | 'paused' | 'ended';
  /** Events the worker has applied. */
  eventsApplied: number;
  /** Events in the state shown (fewer than eventsApplied while paused). */
  shownEvents: number;
  /** Why following ended, when not with the recording. */
  note: string | null;
  /** When the bundle was last written (wall-clock ms); null when not known. */
  writtenAt: number | null;
}

export interface LiveUpdateArgs {
  status: LiveState['status'];
  eventsApplied: number;
  note: string | null;
  writtenAt: number | null;
  /** The new state with its indexes; null when only the status changed. */
  update: { state: RolloutTrace; indexes: TraceIndexes | null; error: TraceErrorInfo | null; diagnostics: DiagnosticGroup[] } | null;
}

export interface TraceSlice {
  load: LoadState;
  manifest: Manifest | null;
  state: RolloutTrace | null;
  bundleKey: string | null;
  /** Label of the bundle whose state is shown (the load label at finish time). */
  bundleLabel: string | null;
  /** Content hash of the shown bundle (see FinishLoadArgs.contentHash). */
  bundleHash: string | null;
  /** The shown bundle's content hash is still being computed (the worker hashes after the state is shown). */
  bundleHashPending: boolean;
  /** Name under /bundles/ of the shown bundle when it came from `serve`; null for dropped bundles. */
  servedName: string | null;
  /** Derived indexes, computed once per finished load. */
  indexes: TraceIndexes | null;
  /** Bumps on every finishLoad: panels reset per-trace UI state when it changes (not on live updates). */
  loadSeq: number;
  /** Set while the shown trace follows its bundle; null for a trace that does not. */
  live: LiveState | null;
  /** The shown trace's load while another loads: a load that fails before replacing it falls back to it. */
  shownLoad: LoadState | null;
  /** A load that failed while a trace was shown, which stays: what did not open, and why. */
  openFailure: { label: string; error: TraceErrorInfo } | null;
  beginLoad(args: { label: string }): void;
  setLoadProgress(p: LoadProgress): void;
  finishLoad(args: FinishLoadArgs): void;
  /** The shown bundle's content hash, once computed; applies a link's view waiting for it. */
  setBundleHash(hash: string | null): void;
  /**
   * `keeps`: the worker still holds the shown trace (the failed load never replaced it), so it can stay;
   * `live` says whether its following goes on (a load the worker began stopped it).
   */
  failLoad(args: { label: string; error: TraceErrorInfo; keeps?: { live: boolean } }): void;
  dismissOpenFailure(): void;
  cancelLoad(): void;
  /**
   * The followed bundle's new state or status. The selection, filters,
   * timeline window and panels stay: the state only grows, so what they name
   * is still there.
   */
  applyLive(args: LiveUpdateArgs): void;
}

export interface SelectionHistory {
  entries: ObjectRef[];
  /** Index of the current entry; -1 when empty. */
  index: number;
}

export interface SelectionSlice {
  selection: Selection;
  /** Bumps on every select/back/forward, even when re-selecting the same object, so panels reveal it again. */
  selectionSeq: number;
  history: SelectionHistory;
  /**
   * Bumps when a selection is made by following a link (`select(…, { link: true })`):
   * that selection gets its own browser history entry, however soon it follows the last one.
   */
  linkSeq: number;
  /** Select an object (or clear with null). Records history and reveals it in every panel (switches the active thread). */
  select(sel: Selection, opts?: { link?: boolean }): void;
  back(): void;
  forward(): void;
}

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface ViewportSlice {
  /** Visible time window (unix ms) for the timeline; null = whole trace. */
  viewport: TimeWindow | null;
  setViewport(w: TimeWindow | null): void;
}

export interface FiltersSlice {
  filters: Filters;
  setFilters(patch: Partial<Filters>): void;
  resetFilters(): void;
}

export interface ViewSlice {
  /** Thread shown by per-thread panels (conversation). */
  activeThreadId: string | null;
  panels: PanelsState;
  /**
   * A view state read from a link before its trace was loaded. It is applied by
   * the finishLoad of a matching trace (same content hash, or same served name;
   * any trace when the view names none) and waits otherwise.
   */
  pendingView: ViewState | null;
  /**
   * What the last applied view state (a link, a hash edit) named that the
   * loaded trace does not have: it was ignored, and the app says so. `seq`
   * tells one notice from the next.
   */
  viewNotice: { ignored: string[]; seq: number } | null;
  /**
   * The selectionSeq of the last selection set by a view state (a link, Back /
   * Forward, a hash edit). Such a selection comes with its own time window:
   * panels reveal it without moving that window.
   */
  viewSelectionSeq: number;
  dismissViewNotice(): void;
  /** Forget a pending view (the user gave up on the linked bundle). */
  dismissPendingView(): void;
  setActiveThread(threadId: string | null): void;
  setCenterPanel(id: string): void;
  /**
   * The height the bottom region needs to show every track of the timeline
   * without scrolling, as the timeline measured it; null before it did. The
   * workspace sizes the region to it until the user drags the splitter.
   */
  timelineWants: number | null;
  setTimelineWants(px: number | null): void;
  /**
   * Apply a (URL) view state now if a matching trace is loaded, else keep it
   * until finishLoad. `fromHistory` (browser back/forward): keep the selection
   * history, moving its cursor to the restored selection.
   */
  applyViewState(vs: ViewState, opts?: { fromHistory?: boolean }): void;
}

export type AppStore = TraceSlice & SelectionSlice & ViewportSlice & FiltersSlice & ViewSlice;
