/**
 * The served sessions as the app shows them: the session list (src/sessions)
 * fed from the server while it is open, opening a session or a search hit as
 * the trace view. Shown where the served bundle list would be, when the
 * server keeps a session list (`codex-trace-viewer serve`); a server without
 * one (the dev server) keeps the plain list.
 */
import { useCallback, useEffect } from 'react';
import { setPickerOpen, usePickerStore, type BundleGroup } from '../loader/pickerStore';
import type { SessionSummary } from '../trace/sessions/summary';
import { SessionList } from '../sessions/SessionList';
import { searchAllSessions, startSessionFeed } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';
import { asksForList, listLink, readListLink } from '../sessions/listLink';
import { DEFAULT_VIEW_STATE, useStore } from '../store';
import type { SearchHit } from '../trace/sessions/list';
import { traceClient } from '../worker/client';

/** Whether the session list replaces the bundle list now: served with a session list, or a dropped root of several bundles. */
export function useSessionsShown(): boolean {
  const served = usePickerStore((s) => s.source === 'served' && s.open);
  const dropped = usePickerStore((s) => s.source === 'scan' && s.open && (s.groups?.reduce((n, g) => n + g.bundles.length, 0) ?? 0) > 1);
  const available = useSessionsStore((s) => s.available);
  return (served && available !== false) || dropped;
}

/** Runs the feed while the list is open: the server's for a served root, the worker's summaries for a dropped one. */
export function SessionFeed() {
  const source = usePickerStore((s) => (s.open ? s.source : null));
  const groups = usePickerStore((s) => s.groups);
  useEffect(() => {
    if (source === 'served')
      return startSessionFeed(document.baseURI, {
        onList: (list) => useSessionsStore.setState({ list, available: true, error: null }),
        onUnavailable: () => useSessionsStore.setState({ available: false }),
        onError: (error) => useSessionsStore.setState({ error }),
      });
    if (source === 'scan' && groups) return startScanFeed(groups);
  }, [source, groups]);
  return null;
}

/** Summaries of a dropped root's bundles, kept per list: reopening the list after a pick does not reduce them again. */
const scanSummaries = new WeakMap<object, { summaries: Map<string, SessionSummary>; done: boolean }>();

/**
 * The session list of a dropped trace root: its bundles at once (pending),
 * then each bundle's summary as the worker makes it (the list is redrawn at
 * most every 200 ms while they arrive).
 */
function startScanFeed(groups: BundleGroup[]): () => void {
  const bundles = groups.flatMap((g) => g.bundles);
  let kept = scanSummaries.get(groups);
  if (!kept) scanSummaries.set(groups, (kept = { summaries: new Map(), done: false }));
  const cache = kept;
  const publish = () => {
    const sessions = bundles.map((b) => ({
      name: b.key,
      sizeBytes: b.sizeBytes ?? 0,
      modifiedMs: b.startedAtUnixMs ?? 0,
      recording: false,
      pending: !cache.summaries.has(b.key),
      summary: cache.summaries.get(b.key) ?? null,
    }));
    useSessionsStore.setState({ list: { total: sessions.length, summarised: cache.summaries.size, sessions }, available: null, error: null });
  };
  publish();
  if (cache.done) return () => {};
  let timer: ReturnType<typeof setTimeout> | null = null;
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = null;
      publish();
    }, 200);
  };
  const stop = traceClient.summarizeChoice(
    [...cache.summaries.keys()],
    (key, summary) => {
      cache.summaries.set(key, summary);
      soon();
    },
    () => {
      cache.done = cache.summaries.size >= bundles.length;
      if (timer) clearTimeout(timer);
      timer = null;
      publish();
    },
  );
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
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
