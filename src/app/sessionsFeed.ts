/**
 * Whether the session list (./SessionsPage.tsx) is shown, and the feed that
 * keeps it current: apart from the list itself, so that the page knows
 * without loading the list's chunk.
 */
import { useEffect } from 'react';
import { usePickerStore } from '../loader/pickerStore';
import { startSessionFeed } from '../sessions/feed';
import { useSessionsStore } from '../sessions/sessionsStore';

/** Whether the session list replaces the served bundle list now. */
export function useSessionsShown(): boolean {
  const wanted = usePickerStore((s) => s.source === 'served' && s.open);
  const available = useSessionsStore((s) => s.available);
  return wanted && available !== false;
}

/** Runs the feed while the served list is open. */
export function SessionFeed(): null {
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

