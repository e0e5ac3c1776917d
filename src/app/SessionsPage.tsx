/**
 * The served sessions as the app shows them: the session list (src/sessions)
 * fed from the server while it is open, opening a session or a search hit as
 * the trace view. Shown where the served bundle list would be, when the
 * server keeps a session list (`codex-trace-viewer serve`); a server without
 * one (the dev server) keeps the plain list. A dropped root of several
 * bundles gets the same list, summarised and searched by the worker. A chunk
 * of its own (its table is most of it), loaded by App through ./lazy.tsx;
 * ./sessionsFeed.ts says whether it is shown and keeps its list current.
 */
import { useCallback, useEffect } from 'react';
import { setPickerOpen, usePickerStore } from '../loader/pickerStore';
import { SessionList } from '../sessions/SessionList';
import { searchAllSessions } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';
import { asksForList, listLink, readListLink } from '../sessions/listLink';
import { DEFAULT_VIEW_STATE, useStore, type ViewState } from '../store';
import type { SearchHit } from '../trace/sessions/list';
import { traceClient } from '../worker/client';

/**
 * The URL follows the list while it is shown (`?sessions#list=…`, see
 * src/sessions/listLink.ts), so it can be copied like any view; when the
 * list closes, the URL it replaced comes back.
 */
function useListUrl(): void {
  useEffect(() => {
    const before = `${location.pathname}${location.search}${location.hash}`;
    const openedAsList = asksForList(location.search);
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
      if (asksForList(location.search)) history.replaceState(history.state, '', openedAsList ? location.pathname : before);
    };
  }, []);
}

export function SessionsPage() {
  const dropped = usePickerStore((s) => s.source === 'scan');
  return dropped ? <DroppedSessions /> : <ServedSessions />;
}

/**
 * A dropped root's list: rows open by the worker's pick, and the search
 * across sessions is the worker's scan of what it has summarised.
 */
function DroppedSessions() {
  // A picked bundle's load label is its key in the list.
  const current = useStore((s) => s.bundleLabel);
  const open = useCallback((key: string) => {
    setPickerOpen(false);
    void traceClient.pick(key);
  }, []);
  const openAt = useCallback((key: string, hit: SearchHit) => {
    setPickerOpen(false);
    // A dropped bundle has no name a waiting view could know it by (its hash is known once it is read):
    // the hit is selected when this pick has landed, and not if another load came first.
    void traceClient.pick(key).then((outcome) => {
      if (outcome === 'ready') useStore.getState().applyViewState(hitView(null, hit));
    });
  }, []);
  const search = useCallback((q: string, signal: AbortSignal) => traceClient.searchSessions(q, signal), []);
  const hasTrace = useStore((s) => s.state !== null);
  const close = useCallback(() => setPickerOpen(false), []);
  return <SessionList onOpen={open} onOpenAt={openAt} search={search} current={current} onClose={hasTrace ? close : undefined} />;
}

/** The view that opens a search hit: its thread, the object selected. */
function hitView(trace: ViewState['trace'], hit: SearchHit): ViewState {
  return { ...DEFAULT_VIEW_STATE, trace, thread: hit.threadId, selection: { kind: hit.kind, id: hit.ref } };
}

function ServedSessions() {
  useListUrl();
  const current = useStore((s) => s.servedName);
  const open = useCallback((name: string) => {
    setPickerOpen(false);
    void traceClient.loadUrl(name);
  }, []);
  const openAt = useCallback((name: string, hit: SearchHit) => {
    setPickerOpen(false);
    // The hit's object is selected once its trace is in: a view waiting for that trace.
    useStore.getState().applyViewState(hitView({ name, hash: null, label: null }, hit));
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
