/**
 * Whether the session list (./SessionsPage.tsx) is shown, and the feed that
 * keeps it current (the server's, or the worker's summaries of a dropped root): apart from the list itself, so that the page knows
 * without loading the list's chunk.
 */
import { useEffect } from 'react';
import { pickerCount, usePickerStore, type BundleGroup } from '../loader/pickerStore';
import type { SessionSummary } from '../trace/sessions/summary';
import { traceClient } from '../worker/client';
import { startSessionFeed } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';

/** Whether the session list replaces the bundle list now: served with a session list, or a dropped root of several bundles. */
export function useSessionsShown(): boolean {
  const served = usePickerStore((s) => s.source === 'served' && s.open);
  const dropped = usePickerStore((s) => s.source === 'scan' && s.open && pickerCount(s) > 1);
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
const scanSummaries = new WeakMap<object, { summaries: Map<string, SessionSummary>; sizes: Map<string, number>; done: boolean }>();

/**
 * The session list of a dropped trace root: its bundles at once (pending),
 * then each bundle's summary as the worker makes it (the list is redrawn at
 * most every 200 ms while they arrive).
 */
function startScanFeed(groups: BundleGroup[]): () => void {
  const bundles = groups.flatMap((g) => g.bundles);
  let kept = scanSummaries.get(groups);
  if (!kept) scanSummaries.set(groups, (kept = { summaries: new Map(), sizes: new Map(), done: false }));
  const cache = kept;
  const publish = () => {
    const sessions = bundles.map((b) => ({
      name: b.key,
      // A bundle of a dropped root is measured when it is read, to be summarised.
      sizeBytes: b.sizeBytes ?? cache.sizes.get(b.key) ?? null,
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
    (key, summary, sizeBytes) => {
      cache.summaries.set(key, summary);
      if (sizeBytes !== null) cache.sizes.set(key, sizeBytes);
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
