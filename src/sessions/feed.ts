/**
 * The served session list as it changes: one fetch of /bundles/sessions.json,
 * then another each time /bundles/sessions/events says the list changed
 * (bursts coalesced, one fetch in flight at a time). Only same-origin
 * requests to the server that served the page.
 */
import { SearchResultSchema, SessionListSchema, type SearchResult, type SessionList } from '../trace/sessions/list';

export interface FeedHandlers {
  onList(list: SessionList): void;
  /** The server has no session list (not `codex-trace-viewer serve`, or an older one). */
  onUnavailable(): void;
  onError(message: string): void;
}

export function startSessionFeed(baseURI: string, h: FeedHandlers): () => void {
  let stopped = false;
  let inFlight = false;
  let again = false;
  const fetchList = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const res = await fetch(new URL('bundles/sessions.json', baseURI), { headers: { accept: 'application/json' } });
      if (stopped) return;
      if (res.status === 404 || !(res.headers.get('content-type') ?? '').includes('json')) {
        h.onUnavailable();
        return;
      }
      const parsed = SessionListSchema.safeParse(await res.json());
      if (stopped) return;
      if (parsed.success) h.onList(parsed.data);
      else h.onError('The server sent a session list this page cannot read.');
    } catch (e) {
      if (!stopped) h.onError(`Could not fetch the session list: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      inFlight = false;
      if (again && !stopped) {
        again = false;
        void fetchList();
      }
    }
  };
  void fetchList();
  let events: EventSource | null = null;
  if (typeof EventSource !== 'undefined') {
    events = new EventSource(new URL('bundles/sessions/events', baseURI));
    events.addEventListener('sessions', () => void fetchList());
  }
  return () => {
    stopped = true;
    events?.close();
  };
}

/** One cross-session search (GET /bundles/search?q=); aborted when a newer one starts. */
export async function searchAllSessions(baseURI: string, q: string, signal: AbortSignal): Promise<SearchResult> {
  const url = new URL('bundles/search', baseURI);
  url.searchParams.set('q', q);
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`search failed: HTTP ${res.status}`);
  const parsed = SearchResultSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error('The server sent search results this page cannot read.');
  return parsed.data;
}
