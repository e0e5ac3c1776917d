/** Selectors over the app store. Use with `useStore(selector)`. */
import { computeItemLifetime, type ItemLifetime } from '../trace/windows/lifetime';
import type { TraceErrorInfo } from '../trace/errors';
import type { AppStore, LoadState } from './types';
import type { ViewState } from './viewState';

export type { ItemLifetime, LifetimeEnd } from '../trace/windows/lifetime';

/**
 * The load of the trace on screen, or null when none is: `load` itself, save
 * while another load runs or after one was cancelled, when `load` describes
 * that other load and the shown trace's is kept in `shownLoad`.
 */
export const selectShownLoad = (s: AppStore): LoadState | null => {
  if (s.state === null) return null;
  return s.load.phase === 'loading' || s.load.phase === 'cancelled' ? s.shownLoad : s.load;
};

/** Where the shown trace's reduction stopped, or null (selectShownLoad). */
export const selectShownTraceError = (s: AppStore): TraceErrorInfo | null => selectShownLoad(s)?.error ?? null;

export const selectCanGoBack = (s: AppStore): boolean => (s.selection === null ? s.history.index >= 0 : s.history.index > 0);
export const selectCanGoForward = (s: AppStore): boolean => s.history.index + 1 < s.history.entries.length;

/** The current view as a URL view state. */
export function selectViewState(s: AppStore): ViewState {
  return {
    v: 2,
    trace: s.state ? { name: s.servedName, hash: s.bundleHash, label: s.bundleLabel } : null,
    thread: s.activeThreadId,
    selection: s.selection ? { kind: s.selection.kind, id: s.selection.id } : null,
    window: s.viewport ? { ...s.viewport } : null,
    filters: { ...s.filters, kinds: [...s.filters.kinds], statuses: [...s.filters.statuses], threadIds: [...s.filters.threadIds] },
    panels: { ...s.panels },
  };
}

/**
 * Lifetime of the selected conversation item: the inference calls whose
 * request window carried it (first → last), its producer call, gaps, and how
 * it left the window (src/trace/windows/lifetime.ts). Null unless a
 * conversation item is selected. Memoized: the same object is returned until
 * the trace or the selected item changes, so `useStore(selectItemLifetime)`
 * re-renders only then. Timelines highlight `callIds` / `startMs`–`endMs`.
 */
export const selectItemLifetime = (() => {
  let lastState: AppStore['state'] = null;
  let lastIndexes: AppStore['indexes'] = null;
  let lastId: string | null = null;
  let last: ItemLifetime | null = null;
  return (s: AppStore): ItemLifetime | null => {
    const id = s.selection?.kind === 'conversation_item' ? s.selection.id : null;
    if (s.state === lastState && s.indexes === lastIndexes && id === lastId) return last;
    lastState = s.state;
    lastIndexes = s.indexes;
    lastId = id;
    last = id && s.state && s.indexes ? computeItemLifetime(s.state, s.indexes, id) : null;
    return last;
  };
})();
