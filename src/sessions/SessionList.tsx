/**
 * The session list: every bundle of the served trace roots as a sortable,
 * filterable, virtualized table (@tanstack/react-table and react-virtual), a
 * resumed session's later bundles under it, rows filling in as the server
 * summarises them, a bundle being recorded marked live. Opening a row opens
 * that trace. Text from bundles (prompts, names, models) is shown as text.
 */
import { useMemo, useRef, type KeyboardEvent } from 'react';
import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type ExpandedState, type Row } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useState } from 'react';
import { Badge, type Tone } from '../ui/Badge';
import { formatBytes, formatCompact, formatDateTime, formatDuration, formatInt, formatMoney } from '../ui/format';
import { PriceTableControl } from '../ui/PriceTableControl';
import { usePriceTable } from '../ui/priceTable';
import { costOfModels, isPartial, sumCosts, type CostTotal, type PriceTable } from '../trace/tokens';
import { groupResumes, matchesQuery, matchesStatus, shownStatus, type ListRow } from './rows';
import { SHOWN_STATUSES, useSessionsStore, type ShownStatus } from './sessionsStore';
import { SearchResults } from './SearchResults';
import type { SearchHit, SearchResult } from '../trace/sessions/list';
import './sessions.css';

const STATUS_TONE: Record<ShownStatus, Tone> = { recording: 'run', complete: 'ok', unclosed: 'warn', partial: 'warn', failed: 'err' };
const STATUS_HELP: Record<ShownStatus, string> = {
  recording: 'Codex is writing this bundle now (not closed, changed in the last 15 s)',
  complete: 'The recorder closed this bundle',
  unclosed: 'Not closed: Codex stopped without closing it',
  partial: 'The reducer stopped at a bad event; what came before is shown',
  failed: 'Nothing could be reduced',
};

const num = (f: (r: ListRow) => number | undefined) => (r: ListRow) => f(r) ?? -1;

function costText(c: CostTotal, currency: string): string {
  const left: string[] = [];
  if (c.unpricedCalls)
    left.push(`${c.unpricedCalls} call${c.unpricedCalls === 1 ? '' : 's'} of ${c.unpricedModels.join(', ')}, which the price table does not name`);
  if (c.noUsageCalls) left.push(`${c.noUsageCalls} call${c.noUsageCalls === 1 ? '' : 's'} without usage`);
  return `${formatMoney(c.amount)} ${currency}${left.length ? `; partial, leaving out ${left.join(' and ')}` : ''}`;
}

function columns(prices: PriceTable | null): ColumnDef<ListRow>[] {
  const cost: ColumnDef<ListRow>[] = prices
    ? [
        {
          id: 'cost',
          header: `Cost (${prices.currency})`,
          accessorFn: num((r) => (r.summary ? costOfModels(prices, r.summary.tokensByModel).amount : undefined)),
          cell: ({ row }) => {
            const s = row.original.summary;
            // Nothing was reduced of a failed bundle: its cost is unknown, not 0.
            if (!s || s.status === 'failed') return '—';
            const c = costOfModels(prices, s.tokensByModel);
            const nothing = c.unpricedCalls > 0 && c.amount === 0;
            return (
              <div className="sess-two" title={costText(c, prices.currency)} data-testid="session-cost">
                <span>{nothing ? <span className="dim">no price</span> : formatMoney(c.amount)}</span>
                {isPartial(c) && !nothing && <span className="dim sess-partial">partial</span>}
              </div>
            );
          },
        },
      ]
    : [];
  return [
    {
      id: 'started',
      header: 'Started',
      accessorFn: (r) => r.summary?.startedAtMs ?? 0,
      cell: ({ row }) => {
        const ms = row.original.summary?.startedAtMs;
        const [date, time] = ms ? formatDateTime(ms).split(' ') : ['—', ''];
        return (
          <div className="sess-two sess-started">
            <span>{date}</span>
            {/* A resume's mark goes before its time, the shorter line: before the date it cut the date to "2026-1…". */}
            <span className="dim">
              {row.depth > 0 && (
                <span className="sess-resume-mark" aria-hidden="true">
                  ↳{' '}
                </span>
              )}
              {time}
            </span>
          </div>
        );
      },
    },
    {
      id: 'status',
      header: 'Status',
      accessorFn: (r) => shownStatus(r) ?? '',
      cell: ({ row }) => {
        const s = shownStatus(row.original);
        if (!s) return <span className="dim">{row.original.pending ? 'summarising…' : '—'}</span>;
        return (
          <Badge tone={STATUS_TONE[s]} title={row.original.summary?.error ?? STATUS_HELP[s]} className={s === 'recording' ? 'sess-live' : undefined}>
            {s}
          </Badge>
        );
      },
    },
    {
      id: 'session',
      header: 'Session',
      enableSorting: false,
      cell: ({ row }) => {
        const r = row.original;
        return (
          <div className="sess-what">
            <div className="sess-prompt" title={r.summary?.firstPrompt ?? undefined}>
              {r.summary?.firstPrompt ?? <span className="dim">{r.summary?.error ?? (r.pending ? 'summarising…' : 'no prompt')}</span>}
            </div>
            <div className="sess-name mono" title={r.name}>
              <span className="sess-name-text">{r.name}</span>
              {r.resumes.length > 0 && (
                <button
                  type="button"
                  className="sess-resumes"
                  onClick={(e) => {
                    e.stopPropagation();
                    row.toggleExpanded();
                  }}
                  aria-expanded={row.getIsExpanded()}
                >
                  {row.getIsExpanded() ? '▾' : '▸'} resumed {r.resumes.length}×
                </button>
              )}
            </div>
          </div>
        );
      },
    },
    {
      id: 'duration',
      header: 'Duration',
      accessorFn: num((r) => r.summary?.durationMs ?? undefined),
      cell: ({ row }) => formatDuration(row.original.summary?.durationMs),
    },
    {
      id: 'schema',
      header: 'Schema',
      accessorFn: num((r) => r.summary?.schemaVersion ?? undefined),
      cell: ({ row }) => {
        const s = row.original.summary;
        return s?.schemaVersion != null ? (
          <span title={s.releases ? `written by Codex ${s.releases}` : 'no Codex release writes this schema'}>{s.schemaVersion}</span>
        ) : (
          '—'
        );
      },
    },
    {
      id: 'models',
      header: 'Models',
      accessorFn: (r) => r.summary?.models.join(', ') ?? '',
      cell: ({ row }) => (
        <span className="sess-models" title={row.original.summary?.models.join(', ')}>
          {row.original.summary?.models.join(', ') || '—'}
        </span>
      ),
    },
    { id: 'agents', header: 'Agents', accessorFn: num((r) => r.summary?.agents), cell: ({ getValue }) => count(getValue<number>()) },
    { id: 'turns', header: 'Turns', accessorFn: num((r) => r.summary?.turns), cell: ({ getValue }) => count(getValue<number>()) },
    { id: 'calls', header: 'Calls', accessorFn: num((r) => r.summary?.inferenceCalls), cell: ({ getValue }) => count(getValue<number>()) },
    { id: 'tools', header: 'Tools', accessorFn: num((r) => r.summary?.toolCalls), cell: ({ getValue }) => count(getValue<number>()) },
    {
      id: 'compactions',
      header: 'Compactions',
      accessorFn: num((r) => (r.summary ? r.summary.compactionsTraced + r.summary.compactionsDetected : undefined)),
      cell: ({ row }) => {
        const s = row.original.summary;
        if (!s) return '—';
        return (
          <span title={`${s.compactionsTraced} traced (recorded by Codex), ${s.compactionsDetected} detected (a history shrink no record explains)`}>
            {s.compactionsTraced}
            {s.compactionsDetected > 0 && <span className="dim"> + {s.compactionsDetected}</span>}
          </span>
        );
      },
    },
    {
      id: 'input',
      header: 'Input tokens',
      accessorFn: num((r) => r.summary?.tokens.input),
      cell: ({ row }) => {
        const t = row.original.summary?.tokens;
        return t ? (
          <div className="sess-two" title={`${formatInt(t.input)} input tokens, ${formatInt(t.cachedInput)} of them cached`}>
            <span>{formatCompact(t.input)}</span>
            <span className="dim">{formatCompact(t.cachedInput)} cached</span>
          </div>
        ) : (
          '—'
        );
      },
    },
    {
      id: 'output',
      header: 'Output tokens',
      accessorFn: num((r) => r.summary?.tokens.output),
      cell: ({ row }) => {
        const t = row.original.summary?.tokens;
        return t ? (
          <div className="sess-two" title={`${formatInt(t.output)} output tokens, ${formatInt(t.reasoning)} of them reasoning`}>
            <span>{formatCompact(t.output)}</span>
            <span className="dim">{formatCompact(t.reasoning)} reasoning</span>
          </div>
        ) : (
          '—'
        );
      },
    },
    ...cost,
    {
      id: 'size',
      header: 'Size',
      accessorFn: num((r) => r.sizeBytes ?? undefined),
      cell: ({ row }) => (row.original.sizeBytes === null ? '—' : formatBytes(row.original.sizeBytes)),
    },
  ];
}

/** Every bundle of the rows shown, a session's resumes included. */
function bundlesOf(rows: readonly ListRow[]): ListRow[] {
  return rows.flatMap((r) => [r, ...r.resumes]);
}

/** Totals of the sessions the filters let through: what the list adds up to. */
function Totals({ rows, prices }: { rows: readonly ListRow[]; prices: PriceTable | null }) {
  const t = useMemo(() => {
    const bundles = bundlesOf(rows);
    const sum = { bundles: bundles.length, summarised: 0, calls: 0, noUsage: 0, input: 0, cachedInput: 0, output: 0, reasoning: 0 };
    for (const b of bundles) {
      const s = b.summary;
      if (!s) continue;
      sum.summarised++;
      sum.calls += s.inferenceCalls;
      sum.noUsage += s.tokensByModel.reduce((n, m) => n + m.noUsage, 0);
      sum.input += s.tokens.input;
      sum.cachedInput += s.tokens.cachedInput;
      sum.output += s.tokens.output;
      sum.reasoning += s.tokens.reasoning;
    }
    const cost = prices ? sumCosts(bundles.flatMap((b) => (b.summary ? [costOfModels(prices, b.summary.tokensByModel)] : []))) : null;
    return { ...sum, cost };
  }, [rows, prices]);
  return (
    <span className="sess-totals" data-testid="session-totals">
      <span>
        Total of {formatInt(t.bundles)} bundle{t.bundles === 1 ? '' : 's'}
        {t.summarised < t.bundles && <span className="dim"> ({formatInt(t.summarised)} summarised)</span>}
      </span>
      <span title={`${formatInt(t.calls)} inference calls`}>{formatInt(t.calls)} calls</span>
      <span title={`${formatInt(t.input)} input tokens, ${formatInt(t.cachedInput)} of them cached`}>
        {formatCompact(t.input)} input <span className="dim">({formatCompact(t.cachedInput)} cached)</span>
      </span>
      <span title={`${formatInt(t.output)} output tokens, ${formatInt(t.reasoning)} of them reasoning`}>
        {formatCompact(t.output)} output <span className="dim">({formatCompact(t.reasoning)} reasoning)</span>
      </span>
      {t.noUsage > 0 && (
        <span className="sess-warn" title="Their tokens are unknown, not zero">
          {formatInt(t.noUsage)} call{t.noUsage === 1 ? '' : 's'} had no usage
        </span>
      )}
      {t.cost && prices && (
        <span
          className="sess-total-cost"
          data-testid="session-total-cost"
          title={`${costText(t.cost, prices.currency)}${t.summarised < t.bundles ? `; ${formatInt(t.bundles - t.summarised)} bundles not summarised yet` : ''}`}
        >
          {formatMoney(t.cost.amount)} {prices.currency}
          {/* Bundles not summarised yet cost something unknown: the sum so far is a lower bound. */}
          {(isPartial(t.cost) || t.summarised < t.bundles) && <span className="dim"> (partial)</span>}
        </span>
      )}
    </span>
  );
}

const ROW_H = 44;

function count(n: number): string {
  return n < 0 ? '—' : formatInt(n);
}

export function SessionList({
  onOpen,
  current,
  search,
  onOpenAt,
  onClose,
}: {
  onOpen: (name: string) => void;
  current?: string | null;
  /** Search inside every session (the server's index); absent where there is none. */
  search?: (q: string, signal: AbortSignal) => Promise<SearchResult>;
  onOpenAt?: (name: string, hit: SearchHit) => void;
  /** Back to the open trace, when there is one. */
  onClose?: () => void;
}) {
  const searchText = useSessionsStore((s) => s.searchText);
  const searching = !!search && searchText.trim().length >= 2;
  const list = useSessionsStore((s) => s.list);
  const error = useSessionsStore((s) => s.error);
  const query = useSessionsStore((s) => s.query);
  const statuses = useSessionsStore((s) => s.statuses);
  const storedSorting = useSessionsStore((s) => s.sorting);
  const [expanded, setExpanded] = useState<ExpandedState>({});
  const data = useMemo(() => groupResumes(list?.sessions ?? []).filter((r) => matchesQuery(r, query) && matchesStatus(r, statuses)), [list, query, statuses]);
  const { table: prices } = usePriceTable();
  const cols = useMemo(() => columns(prices), [prices]);
  // Sorted by cost, then the prices cleared: the column is gone, so is its sort.
  const sorting = useMemo(() => storedSorting.filter((x) => x.id !== 'cost' || prices !== null), [storedSorting, prices]);
  const table = useReactTable({
    data,
    columns: cols,
    state: { sorting, expanded },
    onSortingChange: (u) => useSessionsStore.setState((s) => ({ sorting: typeof u === 'function' ? u(s.sorting) : u })),
    onExpandedChange: setExpanded,
    getSubRows: (r) => r.resumes,
    getRowId: (r) => r.name,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  // Sessions in the table's order; an expanded session's resumes under it in the order they were made, whatever the sort.
  const top = table.getRowModel().rows;
  const rows = useMemo(() => {
    const out: Row<ListRow>[] = [];
    for (const r of top) {
      out.push(r);
      if (r.getIsExpanded()) out.push(...[...r.subRows].sort((a, b) => (a.original.summary?.startedAtMs ?? 0) - (b.original.summary?.startedAtMs ?? 0)));
    }
    return out;
    // The row model keeps its identity when a group opens: `expanded` is what changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [top, expanded]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // Every row is ROW_H tall (two lines, each cut to one line): no measuring, so 5,000 rows cost a window of them.
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 12 });
  const items = virtual.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtual.getTotalSize() - items[items.length - 1].end : 0;

  const counts = useMemo(() => {
    const c: Record<ShownStatus, number> = { recording: 0, complete: 0, unclosed: 0, partial: 0, failed: 0 };
    for (const s of list?.sessions ?? []) {
      const st = shownStatus(s);
      if (st) c[st]++;
    }
    return c;
  }, [list]);

  const open = (r: Row<ListRow>) => onOpen(r.original.name);
  const onKey = (e: KeyboardEvent, r: Row<ListRow>) => {
    if (e.key === 'Enter') open(r);
  };

  return (
    <section className="sess" aria-label="Sessions" data-testid="session-list">
      <div className="sess-bar">
        <h2 className="sess-title">Sessions</h2>
        <input
          className="sess-filter"
          type="search"
          placeholder="Filter by prompt, id, model or name"
          aria-label="Filter sessions"
          value={query}
          onChange={(e) => useSessionsStore.setState({ query: e.target.value.slice(0, 500) })}
        />
        {search && (
          <input
            className="sess-search-input"
            type="search"
            placeholder="Search all sessions: text, ids, output"
            aria-label="Search inside all sessions"
            value={searchText}
            onChange={(e) => useSessionsStore.setState({ searchText: e.target.value.slice(0, 500) })}
          />
        )}
        <div className="sess-chips" role="group" aria-label="Status">
          {SHOWN_STATUSES.map((s) => {
            const on = statuses.includes(s);
            return (
              <button
                key={s}
                type="button"
                className={`sess-chip${on ? ' is-on' : ''}`}
                aria-pressed={on}
                title={STATUS_HELP[s]}
                onClick={() => useSessionsStore.setState({ statuses: on ? statuses.filter((x) => x !== s) : [...statuses, s] })}
              >
                {s} <span className="dim">{counts[s]}</span>
              </button>
            );
          })}
        </div>
        <Progress />
        {onClose && (
          <button type="button" className="ctv-btn ctv-btn--small" onClick={onClose} title="Back to the open trace (Esc)">
            Back to {current ?? 'the trace'}
          </button>
        )}
      </div>
      {error && (
        <div className="sess-error" role="alert">
          {error}
        </div>
      )}
      {searching && <SearchResults query={searchText} search={search!} onOpenAt={(name, hit) => (onOpenAt ?? ((n) => onOpen(n)))(name, hit)} />}
      <div className="sess-scroll" ref={scrollRef} hidden={searching}>
        <table className="sess-table" aria-rowcount={rows.length}>
          <colgroup>
            {table.getAllLeafColumns().map((c) => (
              <col key={c.id} className={`sess-col-${c.id}`} />
            ))}
          </colgroup>
          <thead>
            {table.getHeaderGroups().map((g) => (
              <tr key={g.id}>
                {g.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                      className={h.column.getCanSort() ? 'is-sortable' : undefined}
                      onClick={h.column.getToggleSortingHandler()}
                    >
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      {sorted && <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : ' ▼'}</span>}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padTop }} colSpan={cols.length} />
              </tr>
            )}
            {items.map((vi) => {
              const r = rows[vi.index];
              return (
                <tr
                  key={r.id}
                  data-index={vi.index}
                  style={{ height: ROW_H }}
                  tabIndex={0}
                  className={`sess-row${r.depth ? ' is-resume' : ''}${r.original.name === current ? ' is-current' : ''}`}
                  data-testid="session-row"
                  data-name={r.original.name}
                  aria-current={r.original.name === current || undefined}
                  onClick={() => open(r)}
                  onKeyDown={(e) => onKey(e, r)}
                >
                  {r.getVisibleCells().map((c) => (
                    <td key={c.id} className={`sess-cell-${c.column.id}`}>
                      {flexRender(c.column.columnDef.cell, c.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padBottom }} colSpan={cols.length} />
              </tr>
            )}
          </tbody>
        </table>
        {list && rows.length === 0 && (
          <div className="sess-empty">{list.total === 0 ? 'No bundles under the served roots yet.' : 'No session matches these filters.'}</div>
        )}
        {!list && !error && <div className="sess-empty">Reading the session list…</div>}
      </div>
      {!searching && (
        <div className="sess-foot">
          {list && <Totals rows={data} prices={prices} />}
          <PriceTableControl />
        </div>
      )}
    </section>
  );
}

function Progress() {
  const list = useSessionsStore((s) => s.list);
  if (!list || list.summarised >= list.total) return list ? <span className="sess-count">{formatInt(list.total)} bundles</span> : null;
  const pct = list.total ? Math.round((list.summarised / list.total) * 100) : 0;
  return (
    <span className="sess-progress" role="status" aria-live="polite">
      Summarising {formatInt(list.summarised)} of {formatInt(list.total)}
      <span className="sess-progress-bar" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}
