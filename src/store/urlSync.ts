/**
 * Two-way binding between the store's view and `location.hash` (`#view=<json>`).
 * - On install, a view in the URL is applied (or kept pending until a trace loads).
 * - Store changes rewrite the hash with history.replaceState (no browser history spam).
 * - Manual hash edits (hashchange) are applied.
 */
import { selectViewState } from './selectors';
import type { AppStore } from './types';
import { readViewStateFromHash, serializeViewState, writeViewStateToHash } from './viewState';

interface StoreLike {
  getState(): AppStore;
  subscribe(listener: (s: AppStore, prev: AppStore) => void): () => void;
}

export function installUrlSync(store: StoreLike, win: Window = window): () => void {
  const fromUrl = readViewStateFromHash(win.location.hash);
  if (fromUrl) store.getState().applyViewState(fromUrl);

  let lastWritten = '';
  const write = (s: AppStore) => {
    if (!s.state) return;
    const vs = selectViewState(s);
    const text = serializeViewState(vs);
    if (text === lastWritten) return;
    lastWritten = text;
    const hash = writeViewStateToHash(win.location.hash, vs);
    if (hash !== win.location.hash) win.history.replaceState(win.history.state, '', hash);
  };
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsub = store.subscribe((s, prev) => {
    if (
      s.state === prev.state &&
      s.selection === prev.selection &&
      s.activeThreadId === prev.activeThreadId &&
      s.viewport === prev.viewport &&
      s.filters === prev.filters &&
      s.panels === prev.panels
    )
      return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => write(store.getState()), 120);
  });
  const onHash = () => {
    const vs = readViewStateFromHash(win.location.hash);
    if (!vs) return;
    const text = serializeViewState(vs);
    if (text === lastWritten) return;
    lastWritten = text;
    store.getState().applyViewState(vs);
  };
  win.addEventListener('hashchange', onHash);
  return () => {
    unsub();
    if (timer) clearTimeout(timer);
    win.removeEventListener('hashchange', onHash);
  };
}
