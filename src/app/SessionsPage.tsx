/**
 * The served sessions as the app shows them: the session list (src/sessions)
 * fed from the server while it is open, opening a session or a search hit as
 * the trace view. Shown where the served bundle list would be, when the
 * server keeps a session list (`codex-trace-viewer serve`); a server without
 * one (the dev server) keeps the plain list.
 */
import { useCallback, useEffect } from 'react';
import { setPickerOpen, usePickerStore } from '../loader/pickerStore';
import { SessionList } from '../sessions/SessionList';
import { searchAllSessions, startSessionFeed } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';
import { asksForList, listLink, readListLink } from '../sessions/listLink';
import { DEFAULT_VIEW_STATE, useStore } from '../store';
import type { SearchHit } from '../trace/sessions/list';
import { traceClient } from '../worker/client';

/** Whether the session list replaces the served bundle list now. */
export function useSessionsShown(): boolean {
  const wanted = usePickerStore((s) => s.source === 'served' && s.open);
  const available = useSessionsStore((s) => s.available);
  return wanted && available !== false;
}

/** Runs the feed while the served list is open. */
export function SessionFeed() {
  const wanted = usePickerStore((s) => s.source === 'served' && s.open);
  useEffect(() => {
    if (!wanted) return;
    return startSessionFeed(document.baseURI, {
      onList: (list) => useSessionsStore.setState({ list, available: true, error: null }),
      onUnavailable: () => useSessionsStore.setState({ available: false }),
      onError: (error) => useSessionsStore.setState({ error }),
    });
  }, [wanted]);
  return null;
}

/**
 * The URL follows the list while it is shown (`?sessions#list=…`, see
 * src/sessions/listLink.ts), so it can be copied like any view; when the
 * list closes, the URL it replaced comes back.
 */
function useListUrl(): void {
  useEffect(() => {
    const before = `${location.pathname}${location.search}${location.hash}`;
    const linked = readListLink(location.search, location.hash);
    if (linked) useSessionsStore.setState(linked);
    const write = () => {
      const s = useSessionsStore.getState();
      const url = listLink(location.pathname, s);
      if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
    };
    write();
    const unsubscribe = useSessionsStore.subscribe((s, p) => {
      if (s.query !== p.query || s.searchText !== p.searchText || s.statuses !== p.statuses || s.sorting !== p.sorting) write();
    });
    return () => {
      unsubscribe();
      if (asksForList(location.search)) history.replaceState(history.state, '', before.includes('?sessions') ? location.pathname : before);
    };
  }, []);
}

export function SessionsPage() {
  useListUrl();
  const current = useStore((s) => s.servedName);
  const open = useCallback((name: string) => {
    setPickerOpen(false);
    void traceClient.loadUrl(name);
  }, []);
  const openAt = useCallback((name: string, hit: SearchHit) => {
    setPickerOpen(false);
    // The hit's object is selected once its trace is in: a view waiting for that trace.
    useStore.getState().applyViewState({
      ...DEFAULT_VIEW_STATE,
      trace: { name, hash: null, label: null },
      thread: hit.threadId,
      selection: { kind: hit.kind, id: hit.ref },
    });
    void traceClient.loadUrl(name);
  }, []);
  const search = useCallback((q: string, signal: AbortSignal) => searchAllSessions(document.baseURI, q, signal), []);
  const hasTrace = useStore((s) => s.state !== null);
  const close = useCallback(() => setPickerOpen(false), []);
  useEffect(() => {
    if (!hasTrace) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [hasTrace, close]);
  return <SessionList onOpen={open} onOpenAt={openAt} search={search} current={current} onClose={hasTrace ? close : undefined} />;
}
