/**
 * Search across every session of the served roots (or of a dropped root,
 * which the worker searches): the hits of one query, grouped by session
 * (best first), each opening its trace with the hit selected. Snippets are
 * bundle text: the matched words are marked by splitting the text, never by
 * building markup from it.
 */
import { useEffect, useState } from 'react';
import type { SearchHit, SearchResult } from '../trace/sessions/list';
import { Badge } from '../ui/Badge';
import { formatInt } from '../ui/format';
import { MarkedSnippet } from '../ui/MarkedSnippet';
import { MAX_KEPT_TEXT } from '../trace/sessions/kept';
import { useSessionsStore } from './sessionsStore';

const KIND_LABEL: Record<SearchHit['kind'], string> = {
  conversation_item: 'item',
  tool_call: 'tool call',
  terminal_operation: 'terminal',
  inference_call: 'call',
  raw_payload: 'payload',
};

function hitCount(r: SearchResult): string {
  const hits = r.groups.reduce((n, g) => n + g.hits.length + g.more, 0);
  return `${hits} hit${hits === 1 ? '' : 's'} in ${r.groups.length} session${r.groups.length === 1 ? '' : 's'}`;
}

/** How often an answer from an index still being written is asked for again. */
const INDEX_RETRY_MS = 1000;

export function SearchResults({
  query,
  search,
  onOpenAt,
}: {
  query: string;
  search: (q: string, signal: AbortSignal) => Promise<SearchResult>;
  onOpenAt: (name: string, hit: SearchHit) => void;
}) {
  const [state, setState] = useState<{ result: SearchResult | null; error: string | null; busy: boolean }>({ result: null, error: null, busy: false });
  const list = useSessionsStore((s) => s.list);
  // The index follows the list (the server summarises first and indexes after): while it is incomplete, ask again now and then.
  const [retry, setRetry] = useState(0);
  const incomplete = !!state.result?.available && state.result.indexed < state.result.total;
  useEffect(() => {
    if (!incomplete || state.busy) return;
    const t = setTimeout(() => setRetry((n) => n + 1), INDEX_RETRY_MS);
    return () => clearTimeout(t);
  }, [incomplete, state.busy, state.result]);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, busy: true }));
    // A short pause while typing, then one request; a newer query aborts the older one.
    const t = setTimeout(() => {
      search(query, ac.signal).then(
        (result) => setState({ result, error: null, busy: false }),
        (e) => {
          if (!ac.signal.aborted) setState({ result: null, error: (e as Error)?.message ?? String(e), busy: false });
        },
      );
    }, 150);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
    // The summarised count changing means more is indexed: ask again.
  }, [query, search, list?.summarised, retry]);

  const prompts = new Map((list?.sessions ?? []).map((s) => [s.name, s.summary?.firstPrompt ?? null]));
  const r = state.result;
  return (
    <div className="sess-search" data-testid="session-search-results" aria-busy={state.busy}>
      {state.error && (
        <div className="sess-error" role="alert">
          {state.error}
        </div>
      )}
      {r && !r.available && <div className="sess-empty">{r.message}</div>}
      {r?.available && (
        <div className="sess-search-head dim">
          {r.groups.length ? hitCount(r) : 'No hits'}
          {r.indexed < r.total && ` · ${r.indexed} of ${r.total} bundles indexed so far: more hits may follow`}
        </div>
      )}
      {r?.available && !!r.unsearchable && (
        <div className="sess-search-note" role="note">
          {r.unsearchable === 1 ? '1 bundle is' : `${formatInt(r.unsearchable)} bundles are`} not searched: the tab keeps at most {MAX_KEPT_TEXT / 2 ** 20} MiB
          of text for search, and {r.unsearchable === 1 ? 'its text does' : 'theirs does'} not fit. Open a bundle to search inside it, or serve the folder with{' '}
          <code>codex-trace-viewer serve</code>, which indexes it all.
        </div>
      )}
      {r?.groups.map((g) => (
        <section key={g.name} className="sess-search-group" aria-label={g.name}>
          <h3 className="sess-search-session">
            <span className="sess-prompt">{prompts.get(g.name) ?? g.name}</span>
            <span className="sess-name mono">{g.name}</span>
          </h3>
          <ul className="sess-hits">
            {g.hits.map((h) => (
              <li key={`${h.kind}:${h.ref}`}>
                <button type="button" className="sess-hit" data-testid="search-hit" onClick={() => onOpenAt(g.name, h)}>
                  <Badge tone="outline">{KIND_LABEL[h.kind]}</Badge>
                  <span className="sess-hit-title">{h.title}</span>
                  <span className="sess-hit-ref mono dim">{h.ref}</span>
                  <MarkedSnippet className="sess-snippet" text={h.snippet} />
                </button>
              </li>
            ))}
            {g.more > 0 && <li className="dim sess-more">and {g.more} more in this session</li>}
          </ul>
        </section>
      ))}
    </div>
  );
}
