/**
 * The served session list as it changes: one fetch of /bundles/sessions.json,
 * then, each time /bundles/sessions/events says the list changed, a fetch of
 * the rows changed since (bursts coalesced, one fetch in flight at a time, at
 * most one a second while the list is being summarised, and at once when an
 * event says the last summary is in). Only same-origin requests to the
 * server that served the page.
 */
import {
  SearchResultSchema,
  SessionCountsSchema,
  SessionListChangesSchema,
  SessionListSchema,
  type SearchResult,
  type SessionList,
  type SessionRow,
} from '../trace/sessions/list';

export interface FeedHandlers {
  onList(list: SessionList): void;
  /** The server has no session list (not `codex-trace-viewer serve`, or an older one). */
  onUnavailable(): void;
  onError(message: string): void;
}

/**
 * Least time between two fetches of the list. While a cold root is
 * summarised it changes many times a second, and each redraw of a thousand
 * rows took the page half a core from the summarisers (a list of 1,000
 * bundles complete in 19-22 s with the page open, 13 s at one redraw a
 * second): then once a second; otherwise a few times a second, so that a new
 * recording shows at once.
 */
const FETCH_INTERVAL_MS = { summarising: 1000, settled: 250 };

export function startSessionFeed(baseURI: string, h: FeedHandlers): () => void {
  let stopped = false;
  let inFlight = false;
  let again = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  let later: ReturnType<typeof setTimeout> | null = null;
  // The rows as the server last told them; after the first fetch, only what changed since `version` is fetched.
  const rows = new Map<string, SessionRow>();
  let epoch: string | null = null;
  let version = 0;
  let summarising = false;
  let laterAt = 0;
  /** A fetch as soon as the interval since the last one allows; one asked for meanwhile is the same fetch. */
  const fetchList = () => {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    const wait = FETCH_INTERVAL_MS[summarising ? 'summarising' : 'settled'] - (Date.now() - lastStart);
    // One already waiting stays, unless the list has just been completed and may be fetched sooner.
    if (later && laterAt <= Date.now() + wait) return;
    if (later) clearTimeout(later);
    later = null;
    if (wait <= 0) void fetchNow();
    else {
      laterAt = Date.now() + wait;
      later = setTimeout(() => {
        later = null;
        void fetchNow();
      }, wait);
    }
  };
  /**
   * A change event: its counts say whether the list is complete now. The last summary is then fetched
   * after the short interval rather than the long one (a user watching a cold list waited up to a second
   * more for it).
   */
  const onEvent = (e: Event) => {
    const data = (e as MessageEvent).data;
    if (typeof data === 'string') {
      let counts: unknown = null;
      try {
        counts = JSON.parse(data);
      } catch {
        // Not counts: a fetch all the same.
      }
      const c = SessionCountsSchema.safeParse(counts);
      if (c.success && c.data.summarised >= c.data.total) summarising = false;
    }
    fetchList();
  };
  const fetchNow = async () => {
    inFlight = true;
    lastStart = Date.now();
    try {
      const url = new URL('bundles/sessions.json', baseURI);
      url.searchParams.set('since', String(version));
      if (epoch) url.searchParams.set('epoch', epoch);
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      if (stopped) return;
      if (res.status === 404 || !(res.headers.get('content-type') ?? '').includes('json')) {
        h.onUnavailable();
        return;
      }
      const body: unknown = await res.json();
      if (stopped) return;
      const changes = SessionListChangesSchema.safeParse(body);
      if (changes.success) {
        const c = changes.data;
        if (c.full) rows.clear();
        for (const r of c.sessions) rows.set(r.name, r);
        for (const name of c.removed) rows.delete(name);
        epoch = c.epoch;
        version = c.version;
        summarising = c.summarised < c.total;
        h.onList({ total: c.total, summarised: c.summarised, sessions: [...rows.values()] });
        return;
      }
      // A server that answers the whole list whatever is asked (an older serve).
      const whole = SessionListSchema.safeParse(body);
      if (whole.success) h.onList(whole.data);
      else h.onError('The server sent a session list this page cannot read.');
    } catch (e) {
      if (!stopped) h.onError(`Could not fetch the session list: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        fetchList();
      }
    }
  };
  fetchList();
  let events: EventSource | null = null;
  if (typeof EventSource !== 'undefined') {
    events = new EventSource(new URL('bundles/sessions/events', baseURI));
    events.addEventListener('sessions', onEvent);
  }
  return () => {
    stopped = true;
    if (later) clearTimeout(later);
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
