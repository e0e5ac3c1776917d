/**
 * Two-way binding between the store's view and the URL (`#view=<json>` in the hash).
 * - On install, a view in the URL is applied (or kept pending until its trace loads).
 * - `?trace=` is kept in step with the shown trace (the served bundle's name, or
 *   removed for a dropped bundle), so a reload or a copied address reopens it.
 * - A selection change adds a browser history entry (history.pushState), so the
 *   browser's Back and Forward step through selections (a rapid run of
 *   selections shares one entry, see HISTORY_COALESCE_MS, unless it follows a
 *   link); other view changes
 *   (timeline window, filters, panel) rewrite the current entry (replaceState).
 * - popstate (Back/Forward) and manual hash edits (hashchange) are applied;
 *   Back/Forward keep the store's selection history, moving its cursor.
 */
import { sameRef } from '../trace/indexes/refs';
import { selectViewState } from './selectors';
import type { AppStore } from './types';
import { readViewStateFromHash, serializeViewState, writeViewStateToHash, type ViewState } from './viewState';

interface StoreLike {
  getState(): AppStore;
  subscribe(listener: (s: AppStore, prev: AppStore) => void): () => void;
}

/** Delay before a non-selection change (e.g. dragging the timeline window) is written. */
export const URL_WRITE_DELAY_MS = 120;
/**
 * Selections closer together than this (holding an arrow key in a list) share
 * one history entry: Back returns to where the run started, and browsers,
 * which throttle pushState bursts, are not flooded.
 */
export const HISTORY_COALESCE_MS = 350;

export function installUrlSync(store: StoreLike, win: Window = window): () => void {
  const fromUrl = readViewStateFromHash(win.location.hash);
  if (fromUrl) store.getState().applyViewState(fromUrl);

  let lastWritten = '';
  /** The selection recorded in the current browser history entry (undefined before the first write). */
  let lastSelection: ViewState['selection'] | undefined;
  let lastLoadSeq = -1;
  let lastPushAt = -Infinity;
  const write = (s: AppStore, push: boolean) => {
    if (!s.state) return;
    const vs = selectViewState(s);
    const text = serializeViewState(vs);
    if (text === lastWritten) return;
    lastWritten = text;
    lastSelection = vs.selection;
    const hash = writeViewStateToHash(win.location.hash, vs);
    // `?trace=` follows the shown trace: a served bundle's name, none for a dropped one (its hash is in the view).
    const params = new URLSearchParams(win.location.search);
    if (vs.trace?.name) params.set('trace', vs.trace.name);
    else params.delete('trace');
    const query = params.toString() ? `?${params.toString()}` : '';
    const url = `${win.location.pathname}${query}${hash}`;
    if (push) win.history.pushState(null, '', url);
    else if (query !== win.location.search || hash !== win.location.hash) win.history.replaceState(win.history.state, '', url);
  };
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsub = store.subscribe((s, prev) => {
    if (
      s.state === prev.state &&
      s.bundleHash === prev.bundleHash &&
      s.selection === prev.selection &&
      s.activeThreadId === prev.activeThreadId &&
      s.viewport === prev.viewport &&
      s.filters === prev.filters &&
      s.panels === prev.panels
    )
      return;
    if (timer) clearTimeout(timer);
    timer = null;
    const newTrace = s.loadSeq !== lastLoadSeq;
    const selectionMoved = !newTrace && lastSelection !== undefined && s.state !== null && !sameRef(lastSelection ?? undefined, s.selection ?? undefined);
    if (selectionMoved && !applying) {
      // A click that selects something: its own history entry, written now. A followed link always is
      // one, even right after the selection it starts from (a link that first selects its own item).
      const now = Date.now();
      write(s, s.linkSeq !== prev.linkSeq || now - lastPushAt >= HISTORY_COALESCE_MS);
      lastPushAt = now;
      return;
    }
    writeSoon();
  });
  const writeSoon = () => {
    timer = setTimeout(() => {
      timer = null;
      const cur = store.getState();
      if (cur.state) lastLoadSeq = cur.loadSeq;
      write(cur, false);
    }, URL_WRITE_DELAY_MS);
  };
  // A trace already shown when this is installed (a served link's worker can have it reduced before the
  // app's first render): the URL says its view as it would have once the trace came.
  if (store.getState().state) writeSoon();
  let applying = false;
  const fromLocation = (fromHistory: boolean) => {
    const vs = readViewStateFromHash(win.location.hash);
    if (!vs) return;
    const text = serializeViewState(vs);
    if (text === lastWritten) return;
    lastWritten = text;
    lastSelection = vs.selection;
    applying = true;
    try {
      store.getState().applyViewState(vs, { fromHistory });
    } finally {
      applying = false;
    }
  };
  const onPop = () => fromLocation(true);
  const onHash = () => fromLocation(true);
  win.addEventListener('popstate', onPop);
  win.addEventListener('hashchange', onHash);
  return () => {
    unsub();
    if (timer) clearTimeout(timer);
    win.removeEventListener('popstate', onPop);
    win.removeEventListener('hashchange', onHash);
  };
}
