/**
 * The served sessions as the app shows them: the session list (src/sessions)
 * fed from the server while it is open, opening a session or a search hit as
 * the trace view. Shown where the served bundle list would be, when the
 * server keeps a session list (`codex-trace-viewer serve`); a server without
 * one (the dev server) keeps the plain list. A chunk of its own (its table
 * is most of it), loaded by App through ./lazy.tsx; ./sessionsFeed.ts says
 * whether it is shown.
 */
import { useCallback, useEffect } from 'react';
import { setPickerOpen } from '../loader/pickerStore';
import { SessionList } from '../sessions/SessionList';
import { searchAllSessions } from '../sessions/feed';
import { DEFAULT_VIEW_STATE, useStore } from '../store';
import type { SearchHit } from '../trace/sessions/list';
import { traceClient } from '../worker/client';

export function SessionsPage() {
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
