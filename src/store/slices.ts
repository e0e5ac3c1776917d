import type { StateCreator } from 'zustand';
import { runSteps, tryBuildTraceIndexesInSteps, type TraceIndexes } from '../trace/indexes/build';
import { objectExists, sameRef, own } from '../trace/indexes/refs';
import { threadOf } from '../trace/indexes/resolve';
import type { RolloutTrace } from '../trace/schema/state';
import type { AppStore, FiltersSlice, SelectionSlice, TraceSlice, ViewportSlice, ViewSlice } from './types';
import { selectShownLoad } from './selectors';
import { DEFAULT_FILTERS, DEFAULT_PANELS, type TraceRef, type ViewState } from './viewState';

type Slice<T> = StateCreator<AppStore, [], [], T>;

/** Maximum number of entries kept in the selection history. */
export const HISTORY_LIMIT = 200;

function safeIndexes(state: RolloutTrace | null): TraceIndexes | null {
  return state ? runSteps(tryBuildTraceIndexesInSteps(state)) : null;
}

function defaultThread(state: RolloutTrace | null, indexes: TraceIndexes | null): string | null {
  if (!state) return null;
  if (own(state.threads, state.root_thread_id)) return state.root_thread_id;
  return indexes?.threadTree.order[0] ?? Object.keys(state.threads)[0] ?? null;
}

/**
 * Whether a view's trace reference names the loaded trace: same content hash,
 * or (for served bundles, whose files may have grown since) the same served
 * name. A view without a reference (v1 links) fits any trace.
 */
export function viewFitsTrace(ref: TraceRef | null, loaded: { bundleHash: string | null; servedName: string | null }): boolean {
  if (!ref || (!ref.hash && !ref.name)) return true;
  if (ref.hash && loaded.bundleHash && ref.hash === loaded.bundleHash) return true;
  if (ref.name && loaded.servedName && ref.name === loaded.servedName) return true;
  return false;
}

/** Moves the history cursor to the entry equal to `sel` nearest the current one (browser back/forward), or keeps it. */
function historyAt(h: AppStore['history'], sel: AppStore['selection']): AppStore['history'] {
  if (!sel) return h;
  let best = -1;
  for (let i = 0; i < h.entries.length; i++) {
    if (sameRef(h.entries[i], sel) && (best < 0 || Math.abs(i - h.index) < Math.abs(best - h.index))) best = i;
  }
  return best < 0 ? h : { entries: h.entries, index: best };
}

/** The store fields a view state sets, validated against the loaded trace. */
function viewStatePatch(s: AppStore, vs: ViewState, fromHistory = false): Partial<AppStore> {
  const state = s.state!;
  // A link is text anyone can write: what it names is looked up among the trace's own ids, and what is not there is dropped and said so.
  const ignored: string[] = [];
  const threadKnown = vs.thread !== null && own(state.threads, vs.thread) !== undefined;
  if (vs.thread !== null && !threadKnown) ignored.push(`thread “${vs.thread}”`);
  const sel = vs.selection && objectExists(state, vs.selection) ? vs.selection : null;
  if (vs.selection && !sel) ignored.push(`selection ${vs.selection.kind} “${vs.selection.id}”`);
  const thread = threadKnown ? vs.thread : (sel && threadOf(state, s.indexes, sel)) || defaultThread(state, s.indexes);
  const threadIds = vs.filters.threadIds.filter((id) => own(state.threads, id) !== undefined);
  if (threadIds.length < vs.filters.threadIds.length)
    ignored.push(
      `thread filter ${vs.filters.threadIds
        .filter((id) => !threadIds.includes(id))
        .map((id) => `“${id}”`)
        .join(', ')}`,
    );
  return {
    activeThreadId: thread,
    selection: sel,
    selectionSeq: s.selectionSeq + 1,
    viewSelectionSeq: s.selectionSeq + 1,
    history: fromHistory ? historyAt(s.history, sel) : sel ? { entries: [sel], index: 0 } : { entries: [], index: -1 },
    viewport: vs.window,
    filters: { ...vs.filters, threadIds },
    panels: { ...vs.panels },
    pendingView: null,
    viewNotice: ignored.length ? { ignored, seq: (s.viewNotice?.seq ?? 0) + 1 } : null,
  };
}

/** A link's view waiting for its trace, as store fields, once the trace shown is the one it names; else null. */
function pendingViewPatch(s: AppStore): Partial<AppStore> | null {
  return s.state && s.pendingView && viewFitsTrace(s.pendingView.trace, s) ? viewStatePatch(s, s.pendingView) : null;
}

export const createTraceSlice: Slice<TraceSlice> = (set, get) => ({
  load: { phase: 'idle', label: null, progress: null, error: null, diagnostics: [] },
  manifest: null,
  state: null,
  bundleKey: null,
  bundleLabel: null,
  bundleHash: null,
  bundleHashPending: false,
  servedName: null,
  indexes: null,
  loadSeq: 0,
  live: null,
  shownLoad: null,
  openFailure: null,
  beginLoad: ({ label }) =>
    // The previous trace (if any) stays on screen while loading, so a cancel or a failure can fall back to it.
    set((s) => ({
      load: { phase: 'loading', label, progress: null, error: null, diagnostics: [] },
      shownLoad: selectShownLoad(s),
      openFailure: null,
    })),
  setLoadProgress: (p) => {
    if (get().load.phase !== 'loading') return;
    set((s) => ({ load: { ...s.load, progress: { ...p } } }));
  },
  finishLoad: ({ label, manifest, state, indexes: built, error, diagnostics, bundleKey, contentHash, hashFollows, servedName }) => {
    // A load that stopped before its first thread comes as an error, not a result (src/worker/reduce-job.ts).
    if (error && !state) {
      get().failLoad({ label, error });
      return;
    }
    const indexes = built !== undefined ? built : safeIndexes(state);
    set((s) => ({
      load: { phase: error ? 'failed' : 'ready', label, progress: s.load.progress, error, diagnostics: [...diagnostics] },
      shownLoad: null,
      openFailure: null,
      manifest,
      state,
      bundleKey,
      bundleLabel: label,
      bundleHash: contentHash ?? null,
      bundleHashPending: !contentHash && hashFollows === true,
      servedName: servedName ?? null,
      indexes,
      loadSeq: s.loadSeq + 1,
      live: null,
      selection: null,
      selectionSeq: s.selectionSeq + 1,
      history: { entries: [], index: -1 },
      viewport: null,
      activeThreadId: defaultThread(state, indexes),
      viewNotice: null,
    }));
    const fits = pendingViewPatch(get());
    if (fits) set(fits);
  },
  setBundleHash: (hash) => {
    if (!get().bundleHashPending) return;
    set({ bundleHash: hash, bundleHashPending: false });
    const fits = pendingViewPatch(get());
    if (fits) set(fits);
  },
  failLoad: ({ label, error, keeps }) => {
    const s = get();
    // A drop of the wrong folder must not take away the trace being read: it stays, with what went wrong above it.
    if (keeps && s.state !== null && s.shownLoad !== null) {
      set({
        load: s.shownLoad,
        shownLoad: null,
        openFailure: { label, error },
        live: keeps.live || s.live === null ? s.live : { ...s.live, status: 'ended', note: 'Following stopped when another bundle was opened.' },
      });
      return;
    }
    set((s) => ({
      load: { phase: 'failed', label, progress: s.load.progress, error, diagnostics: [] },
      shownLoad: null,
      openFailure: null,
      manifest: null,
      state: null,
      bundleKey: null,
      bundleLabel: null,
      bundleHash: null,
      bundleHashPending: false,
      servedName: null,
      indexes: null,
      loadSeq: s.loadSeq + 1,
      live: null,
      selection: null,
      selectionSeq: s.selectionSeq + 1,
      history: { entries: [], index: -1 },
      viewport: null,
      activeThreadId: null,
    }));
  },
  dismissOpenFailure: () => set({ openFailure: null }),
  cancelLoad: () => {
    if (get().load.phase !== 'loading') return;
    set((s) => ({ load: { ...s.load, phase: 'cancelled', progress: null } }));
  },
  applyLive: ({ status, eventsApplied, note, writtenAt, update }) => {
    const s = get();
    // A live message belongs to the trace on screen; none is shown (or another is loading) means it is stale.
    if (!s.state || s.load.phase === 'loading') return;
    const shownEvents = update ? eventsApplied : (s.live?.shownEvents ?? eventsApplied);
    const live = { status, eventsApplied, shownEvents, note, writtenAt };
    if (!update) {
      set({ live });
      return;
    }
    const { state, error, diagnostics } = update;
    const indexes = update.indexes ?? safeIndexes(state);
    const selection = s.selection && objectExists(state, s.selection) ? s.selection : null;
    const activeThreadId = s.activeThreadId !== null && own(state.threads, s.activeThreadId) !== undefined ? s.activeThreadId : defaultThread(state, indexes);
    set({
      state,
      indexes,
      live,
      load: { ...s.load, phase: error ? 'failed' : 'ready', error, diagnostics: [...diagnostics] },
      ...(selection !== s.selection ? { selection, selectionSeq: s.selectionSeq + 1 } : {}),
      activeThreadId,
    });
  },
});

/** Reveal: the thread a selection lives in becomes the active thread. */
function revealThread(s: AppStore, sel: AppStore['selection']): string | null {
  if (!sel || !s.state) return s.activeThreadId;
  return threadOf(s.state, s.indexes, sel) ?? s.activeThreadId;
}

export const createSelectionSlice: Slice<SelectionSlice> = (set) => ({
  selection: null,
  selectionSeq: 0,
  history: { entries: [], index: -1 },
  linkSeq: 0,
  select: (sel, opts) =>
    set((s) => {
      const linkSeq = opts?.link ? s.linkSeq + 1 : s.linkSeq;
      if (!sel) return { selection: null, selectionSeq: s.selectionSeq + 1, linkSeq };
      const next = { kind: sel.kind, id: sel.id } as NonNullable<typeof sel>;
      const { entries, index } = s.history;
      let history = s.history;
      if (!sameRef(entries[index], next)) {
        const kept = entries.slice(0, index + 1);
        kept.push(next);
        const drop = Math.max(0, kept.length - HISTORY_LIMIT);
        history = { entries: drop ? kept.slice(drop) : kept, index: kept.length - 1 - drop };
      }
      return { selection: next, selectionSeq: s.selectionSeq + 1, history, activeThreadId: revealThread(s, next), linkSeq };
    }),
  back: () =>
    set((s) => {
      const { entries, index } = s.history;
      // From a cleared selection, "back" returns to the last selected object.
      const target = s.selection === null ? index : index - 1;
      if (target < 0 || target >= entries.length) return {};
      const sel = entries[target];
      return { selection: sel, selectionSeq: s.selectionSeq + 1, history: { entries, index: target }, activeThreadId: revealThread(s, sel) };
    }),
  forward: () =>
    set((s) => {
      const { entries, index } = s.history;
      if (index + 1 >= entries.length) return {};
      const sel = entries[index + 1];
      return { selection: sel, selectionSeq: s.selectionSeq + 1, history: { entries, index: index + 1 }, activeThreadId: revealThread(s, sel) };
    }),
});

export const createViewportSlice: Slice<ViewportSlice> = (set) => ({
  viewport: null,
  setViewport: (w) =>
    set({
      viewport:
        w && Number.isFinite(w.startMs) && Number.isFinite(w.endMs) ? { startMs: Math.min(w.startMs, w.endMs), endMs: Math.max(w.startMs, w.endMs) } : null,
    }),
});

export const createFiltersSlice: Slice<FiltersSlice> = (set) => ({
  filters: { ...DEFAULT_FILTERS },
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
  resetFilters: () => set({ filters: { ...DEFAULT_FILTERS } }),
});

export const createViewSlice: Slice<ViewSlice> = (set, get) => ({
  activeThreadId: null,
  panels: { ...DEFAULT_PANELS },
  pendingView: null,
  viewNotice: null,
  viewSelectionSeq: -1,
  dismissViewNotice: () => set({ viewNotice: null }),
  dismissPendingView: () => set({ pendingView: null }),
  setActiveThread: (threadId) => {
    const st = get().state;
    if (threadId !== null && st && own(st.threads, threadId) === undefined) return;
    set({ activeThreadId: threadId });
  },
  setCenterPanel: (id) => set((s) => ({ panels: { ...s.panels, center: id } })),
  timelineWants: null,
  setTimelineWants: (px) => {
    if (get().timelineWants !== px) set({ timelineWants: px });
  },
  applyViewState: (vs, opts) => {
    const s = get();
    if (s.state && viewFitsTrace(vs.trace, s)) set(viewStatePatch(s, vs, opts?.fromHistory));
    else set({ pendingView: vs });
  },
});
