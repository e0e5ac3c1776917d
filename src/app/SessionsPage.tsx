/**
 * The served sessions as the app shows them: the session list (src/sessions)
 * fed from the server while it is open, opening a session or a search hit as
 * the trace view. Shown where the served bundle list would be, when the
 * server keeps a session list (`codex-trace-viewer serve`); a server without
 * one (the dev server) keeps the plain list. A chunk of its own (its table
 * is most of it), loaded by App through ./lazy.tsx; ./sessionsFeed.ts says
 * whether it is shown and keeps its list current.
 */
import { useCallback, useEffect } from 'react';
import { setPickerOpen, usePickerStore } from '../loader/pickerStore';
import { SessionList } from '../sessions/SessionList';
import { searchAllSessions } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';
import { asksForList, listLink, readListLink } from '../sessions/listLink';
import { DEFAULT_VIEW_STATE, useStore } from '../store';
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

/** A dropped root's list: rows open by the worker's pick; no index to search across sessions. */
function DroppedSessions() {
  // A picked bundle's load label is its key in the list.
  const current = useStore((s) => s.bundleLabel);
  const open = useCallback((key: string) => {
    setPickerOpen(false);
    void traceClient.pick(key);
  }, []);
  const hasTrace = useStore((s) => s.state !== null);
  const close = useCallback(() => setPickerOpen(false), []);
  return <SessionList onOpen={open} current={current} onClose={hasTrace ? close : undefined} />;
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
