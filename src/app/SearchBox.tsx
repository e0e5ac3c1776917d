/**
 * The search box (`/` focuses it). A query finds objects by any id or name
 * the UI shows (`call_0009`, `resp_0011`, `#8`, `Inference 26`…, matched on
 * the page over the loaded state) and, through the data path's `search` (the
 * worker), text in item bodies and tool calls. Clicking or Enter on a hit selects it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../store';
import { findById } from '../trace/indexes/idSearch';
import { KIND_LABEL, type ObjectRef } from '../trace/indexes/refs';
import { labelOf } from '../trace/indexes/resolve';
import { Badge } from '../ui/Badge';
import { MarkedSnippet } from '../ui/MarkedSnippet';
import { useServices, type SearchHit } from './services';

export const SEARCH_INPUT_ID = 'ctv-search';
const LIMIT = 50;
const ID_LIMIT = 20;

/** One row of the results: an id match (found on the page) or a text match (from the worker). */
interface Hit {
  ref: ObjectRef;
  threadId: string | null;
  /** Text shown under the title: the matching snippet, or which id matched. */
  detail: string;
  byId: boolean;
}

type Status = { kind: 'idle' } | { kind: 'searching' } | { kind: 'done'; hits: SearchHit[] } | { kind: 'error'; message: string };

/** Focus the search box (the `/` shortcut). */
export function focusSearch(): boolean {
  const el = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
  if (!el) return false;
  el.focus();
  el.select();
  return true;
}

export function SearchBox() {
  const { search } = useServices();
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const loadSeq = useStore((s) => s.loadSeq);
  const select = useStore((s) => s.select);
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const reqSeq = useRef(0);

  // A new trace: old hits are meaningless.
  useEffect(() => {
    setStatus({ kind: 'idle' });
    setQuery('');
  }, [loadSeq]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      reqSeq.current++;
      setStatus({ kind: 'idle' });
      return;
    }
    const seq = ++reqSeq.current;
    setStatus({ kind: 'searching' });
    const t = setTimeout(() => {
      search(q, LIMIT).then(
        (hits) => seq === reqSeq.current && (setStatus({ kind: 'done', hits }), setActive(0)),
        (err: unknown) => seq === reqSeq.current && setStatus({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
    }, 120);
    return () => clearTimeout(t);
  }, [query, search, loadSeq]);

  const idHits = useMemo<Hit[]>(
    () =>
      state && query.trim()
        ? findById(state, indexes, query, ID_LIMIT).map((h) => ({ ref: h.ref, threadId: null, detail: `${h.field}: ${h.value}`, byId: true }))
        : [],
    [state, indexes, query],
  );
  const hits = useMemo<Hit[]>(() => {
    const text = status.kind === 'done' ? status.hits : [];
    const seen = new Set(idHits.map((h) => `${h.ref.kind}:${h.ref.id}`));
    return [
      ...idHits,
      ...text
        .filter((h) => !seen.has(`${h.kind}:${h.id}`))
        .map((h) => ({ ref: { kind: h.kind, id: h.id }, threadId: h.threadId, detail: h.snippet, byId: false })),
    ];
  }, [idHits, status]);
  const choose = (h: Hit) => {
    select(h.ref);
    setOpen(false);
    inputRef.current?.blur();
  };

  const threadLabel = (id: string) => (state ? labelOf(state, indexes, { kind: 'thread', id }) : id);

  return (
    <div className="search" role="search">
      <input
        ref={inputRef}
        id={SEARCH_INPUT_ID}
        className="search-input"
        type="search"
        placeholder="Search text or ids"
        aria-label="Search the trace"
        aria-controls="ctv-search-results"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        // Closes a moment after the box loses focus (a click on a hit lands first), unless it got the focus back meanwhile.
        onBlur={() => setTimeout(() => document.activeElement !== inputRef.current && setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            if (open && query) setOpen(false);
            else inputRef.current?.blur();
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(hits.length - 1, a + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter' && hits[active]) {
            e.preventDefault();
            choose(hits[active]);
          }
        }}
      />
      <kbd className="search-kbd" aria-hidden="true">
        /
      </kbd>
      {open && query.trim() && (
        <div className="search-results" id="ctv-search-results" role="listbox" aria-label="Search results" data-testid="search-results">
          {status.kind === 'searching' && <div className="search-note dim">Searching…</div>}
          {status.kind === 'error' && (
            <div className="search-note search-error" role="alert">
              Search failed: {status.message}
            </div>
          )}
          {status.kind === 'done' && hits.length === 0 && <div className="search-note dim">No matches.</div>}
          {hits.map((h, i) => (
            <button
              type="button"
              key={`${h.byId ? 'id' : 'text'}:${h.ref.kind}:${h.ref.id}`}
              role="option"
              aria-selected={i === active}
              className={`search-hit${i === active ? ' is-active' : ''}`}
              data-testid="search-hit"
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(i)}
              onClick={() => choose(h)}
            >
              <span className="search-hit-head">
                <Badge tone={h.ref.kind === 'tool_call' ? 'info' : 'neutral'}>
                  {h.ref.kind === 'tool_call' ? 'tool' : h.ref.kind === 'conversation_item' ? 'item' : KIND_LABEL[h.ref.kind].toLowerCase()}
                </Badge>
                <span className="search-hit-title">{state ? labelOf(state, indexes, h.ref) : h.ref.id}</span>
                {h.byId && <span className="search-hit-by faint">id</span>}
                {h.threadId && <span className="search-hit-thread faint">{threadLabel(h.threadId)}</span>}
              </span>
              <MarkedSnippet className="search-hit-snippet" text={h.detail} />
            </button>
          ))}
          {hits.length >= LIMIT && <div className="search-note faint">Showing the first {LIMIT} matches.</div>}
        </div>
      )}
    </div>
  );
}
