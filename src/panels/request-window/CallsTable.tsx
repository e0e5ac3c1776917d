/**
 * Every inference call (and compaction request) of the trace as a sortable,
 * filterable table (@tanstack/react-table) with virtualized rows
 * (@tanstack/react-virtual). Clicking a row selects the request.
 */
import { createColumnHelper, flexRender, type ColumnFiltersState, type FilterFn } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Badge, StatusBadge } from '../../ui/Badge';
import { formatBytes, formatDuration, formatInt, formatRelative } from '../../ui/format';
import { ariaSort, SortMark, useSortableTable } from '../../ui/table';
import { estimateTokens } from '../../trace/windows/sizes';
import type { ChartMetric } from './strataModel';
import { matchesNumeric, parseNumericFilter } from './filters';
import type { RequestRow } from './rows';

export const TABLE_ROW_H = 24;
/** Height of the sticky header (titles + filters + border): rows start below it. */
const HEAD_H = 47;

const numericFilter: FilterFn<RequestRow> = (row, columnId, value: string) => {
  const f = parseNumericFilter(value, columnId === 'start' || columnId === 'duration');
  if (!f) return true;
  return matchesNumeric(f, row.getValue<number | undefined>(columnId));
};
const equalsFilter: FilterFn<RequestRow> = (row, columnId, value: string) => !value || String(row.getValue(columnId)) === value;

type FilterKind = 'number' | 'time' | 'select' | 'none';

interface ColMeta {
  width: number;
  align?: 'right';
  filter: FilterKind;
  placeholder?: string;
  title: string;
}

const col = createColumnHelper<RequestRow>();
const u = <T,>(v: T | null) => (v === null ? undefined : v);

function makeColumns(metric: ChartMetric, t0: number) {
  return [
    col.accessor('ordinal', {
      id: 'label',
      header: '#',
      meta: { width: 56, filter: 'none', title: 'Position of the call in its thread (C = compaction request)' } satisfies ColMeta,
      cell: (c) =>
        c.row.original.kind === 'compaction_request' ? (
          <Badge tone="compaction" title="Compaction request">
            {c.row.original.label}
          </Badge>
        ) : (
          <span className="mono">#{c.row.original.label}</span>
        ),
    }),
    col.accessor('agentPath', {
      id: 'thread',
      header: 'Thread',
      filterFn: equalsFilter,
      meta: { width: 118, filter: 'select', title: 'Thread (agent path)' } satisfies ColMeta,
      cell: (c) => <span className="mono rw-ellipsis">{c.getValue()}</span>,
    }),
    col.accessor('turn', {
      id: 'turn',
      header: 'Turn',
      filterFn: equalsFilter,
      meta: { width: 52, align: 'right', filter: 'select', title: 'Turn of the thread' } satisfies ColMeta,
      cell: (c) => <span className="mono">{c.getValue() || '—'}</span>,
    }),
    col.accessor('start', {
      id: 'start',
      header: 'Start',
      filterFn: numericFilter,
      meta: {
        width: 84,
        align: 'right',
        filter: 'time',
        placeholder: '>2s',
        title: 'Start, relative to the trace start. Filter: >2s, <500ms, 1s-3s',
      } satisfies ColMeta,
      cell: (c) => <span className="mono">{formatRelative(c.getValue() + t0, t0)}</span>,
    }),
    col.accessor((r) => u(r.duration), {
      id: 'duration',
      header: 'Duration',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: { width: 74, align: 'right', filter: 'time', placeholder: '>100ms', title: 'Duration. Filter: >100ms, <2s' } satisfies ColMeta,
      cell: (c) => <span className="mono">{formatDuration(c.getValue())}</span>,
    }),
    col.accessor('status', {
      id: 'status',
      header: 'Status',
      filterFn: equalsFilter,
      meta: { width: 94, filter: 'select', title: 'Execution status' } satisfies ColMeta,
      cell: (c) => <StatusBadge status={c.getValue()} />,
    }),
    col.accessor((r) => u(r.inTokens), {
      id: 'in',
      header: 'In',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: { width: 72, align: 'right', filter: 'number', placeholder: '>50k', title: 'Input tokens (usage). Filter: >50k, 10k-20k' } satisfies ColMeta,
      cell: (c) => <span className="mono">{c.getValue() === undefined ? '—' : formatInt(c.getValue()!)}</span>,
    }),
    col.accessor((r) => u(r.cached), {
      id: 'cached',
      header: 'Cached',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: { width: 70, align: 'right', filter: 'number', placeholder: '>0', title: 'Cached input tokens (usage)' } satisfies ColMeta,
      cell: (c) => <span className="mono">{c.getValue() === undefined ? '—' : formatInt(c.getValue()!)}</span>,
    }),
    col.accessor((r) => u(r.out), {
      id: 'out',
      header: 'Out',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: { width: 58, align: 'right', filter: 'number', placeholder: '>100', title: 'Output tokens (usage)' } satisfies ColMeta,
      cell: (c) => <span className="mono">{c.getValue() === undefined ? '—' : formatInt(c.getValue()!)}</span>,
    }),
    col.accessor((r) => u(r.items), {
      id: 'items',
      header: 'Items',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: {
        width: 58,
        align: 'right',
        filter: 'number',
        placeholder: '>20',
        title: 'Items in the request window (compaction requests: items of the compaction input)',
      } satisfies ColMeta,
      cell: (c) => <span className="mono">{c.getValue() ?? '—'}</span>,
    }),
    col.accessor((r) => u(r.added), {
      id: 'new',
      header: 'New',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: {
        width: 52,
        align: 'right',
        filter: 'number',
        placeholder: '>1',
        title: 'Items new in this window (not in the previous request of the thread)',
      } satisfies ColMeta,
      cell: (c) => (c.getValue() === undefined ? <span className="faint">—</span> : <span className="mono rw-plus">+{c.getValue()}</span>),
    }),
    col.accessor((r) => u(r.dropped), {
      id: 'dropped',
      header: 'Dropped',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: {
        width: 68,
        align: 'right',
        filter: 'number',
        placeholder: '>0',
        title: 'Items of the previous request / response no longer in the window',
      } satisfies ColMeta,
      cell: (c) => {
        const v = c.getValue();
        if (v === undefined) return <span className="faint">—</span>;
        const unexplained = c.row.original.unexplained;
        return (
          <span
            className={`mono ${v > 0 ? 'rw-minus' : 'faint'}${unexplained > 0 ? ' rw-warn-text' : ''}`}
            title={unexplained > 0 ? `${unexplained} not explained by any traced event` : undefined}
          >
            {v > 0 ? `−${v}` : '0'}
            {unexplained > 0 && ' ⚠'}
          </span>
        );
      },
    }),
    col.accessor((r) => u(r.bytes), {
      id: 'size',
      header: metric === 'tokens' ? 'Est. tok' : 'Size',
      sortUndefined: 'last',
      filterFn: numericFilter,
      meta: {
        width: 76,
        align: 'right',
        filter: 'number',
        placeholder: '>10k',
        title:
          metric === 'tokens'
            ? 'Window body bytes ÷ 4 (estimate). Filter in bytes.'
            : 'Window body size (UTF-8 bytes of the items’ bodies). Filter in bytes: >10k',
      } satisfies ColMeta,
      cell: (c) => {
        const v = c.getValue();
        if (v === undefined) return <span className="faint">—</span>;
        return <span className="mono">{metric === 'tokens' ? `≈${formatInt(estimateTokens(v))}` : formatBytes(v)}</span>;
      },
    }),
    col.accessor('model', {
      id: 'model',
      header: 'Model',
      filterFn: equalsFilter,
      meta: { width: 110, filter: 'select', title: 'Model' } satisfies ColMeta,
      cell: (c) => <span className="mono rw-ellipsis faint">{c.getValue()}</span>,
    }),
  ];
}

export interface CallsTableProps {
  rows: RequestRow[];
  t0: number;
  metric: ChartMetric;
  focusedId: string | null;
  /** Ids of the calls that carried the selected item (lifetime), marked in a gutter. */
  carriers: ReadonlySet<string> | null;
  onPick(row: RequestRow): void;
  /** Bumps when the focus was changed from outside the table: scroll the focused row into view. */
  revealSeq: number;
}

/**
 * Columns dropped, in this order, when the table is wider than its panel:
 * first those that say the same on every row (one thread, one turn, one
 * model), then the least read. The first three and the status always stay.
 */
const DROP_ORDER = ['cached', 'dropped', 'new', 'out', 'duration', 'turn', 'thread', 'model', 'start', 'items', 'size'] as const;

export function columnsToHide(widths: ReadonlyMap<string, number>, available: number, sameOnEveryRow: ReadonlySet<string>): string[] {
  let total = 14 + [...widths.values()].reduce((a, b) => a + b, 0);
  const hidden: string[] = [];
  const order = [...DROP_ORDER.filter((id) => sameOnEveryRow.has(id)), ...DROP_ORDER.filter((id) => !sameOnEveryRow.has(id))];
  for (const id of order) {
    if (total <= available) break;
    const w = widths.get(id);
    if (w === undefined) continue;
    hidden.push(id);
    total -= w;
  }
  return hidden;
}

function CallsTableImpl({ rows, t0, metric, focusedId, carriers, onPick, revealSeq }: CallsTableProps) {
  const [filters, setFilters] = useState<ColumnFiltersState>([]);
  const columns = useMemo(() => makeColumns(metric, t0), [metric, t0]);
  // Fit the panel: measure it, and drop columns (said in the foot) rather than cut the last ones off.
  const scrollRef = useRef<HTMLDivElement>(null);
  const [available, setAvailable] = useState(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setAvailable(el.clientWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const hiddenCols = useMemo(() => {
    if (available <= 0) return [];
    const widths = new Map(columns.map((c) => [c.id!, (c.meta as ColMeta).width]));
    const same = new Set<string>();
    const uniform = (f: (r: RequestRow) => unknown) => rows.length > 0 && rows.every((r) => f(r) === f(rows[0]));
    if (uniform((r) => r.agentPath)) same.add('thread');
    if (uniform((r) => r.turn)) same.add('turn');
    if (uniform((r) => r.model)) same.add('model');
    return columnsToHide(widths, available, same);
  }, [available, columns, rows]);
  const columnVisibility = useMemo(() => Object.fromEntries(hiddenCols.map((id) => [id, false])), [hiddenCols]);
  const { table, sorting, setSorting } = useSortableTable({ data: rows, columns, columnFilters: filters, onColumnFiltersChange: setFilters, columnVisibility });
  const options = useMemo(() => {
    const uniq = (f: (r: RequestRow) => string | number) =>
      [...new Set(rows.map(f))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1)).map(String);
    return { thread: uniq((r) => r.agentPath), status: uniq((r) => r.status), turn: uniq((r) => r.turn), model: uniq((r) => r.model) } as Record<
      string,
      string[]
    >;
  }, [rows]);

  const visible = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => TABLE_ROW_H,
    overscan: 12,
    scrollMargin: HEAD_H,
    scrollPaddingStart: HEAD_H,
  });

  useEffect(() => {
    if (!focusedId) return;
    const i = visible.findIndex((r) => r.original.id === focusedId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealSeq]);

  const headers = table.getHeaderGroups()[0].headers;
  const template = `14px ${headers.map((h) => `${(h.column.columnDef.meta as ColMeta).width}px`).join(' ')}`;
  const totalWidth = 14 + headers.reduce((n, h) => n + (h.column.columnDef.meta as ColMeta).width, 0);
  const filtered = filters.length > 0;

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const cur = visible.findIndex((r) => r.original.id === focusedId);
    const next = Math.max(0, Math.min(visible.length - 1, cur + (e.key === 'ArrowDown' ? 1 : -1)));
    if (visible[next]) {
      onPick(visible[next].original);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    }
  };

  return (
    <div className="rw-table" data-testid="rw-table">
      <div
        className="rw-table-scroll"
        ref={scrollRef}
        tabIndex={0}
        role="grid"
        aria-label="Inference calls"
        aria-rowcount={visible.length}
        onKeyDown={onKeyDown}
      >
        <div className="rw-table-inner" style={{ width: totalWidth, minWidth: '100%' }}>
          <div className="rw-thead" role="rowgroup">
            <div className="rw-tr rw-tr-head" role="row" style={{ gridTemplateColumns: template }}>
              <span />
              {headers.map((h) => {
                const meta = h.column.columnDef.meta as ColMeta;
                const dir = h.column.getIsSorted();
                return (
                  <button
                    key={h.id}
                    type="button"
                    role="columnheader"
                    aria-sort={ariaSort(dir)}
                    className={`rw-th${meta.align === 'right' ? ' is-right' : ''}${dir ? ' is-sorted' : ''}`}
                    title={`${meta.title}. Click to sort.`}
                    data-col={h.id}
                    onClick={h.column.getToggleSortingHandler()}
                  >
                    {flexRender(h.column.columnDef.header, h.getContext())}
                    <SortMark dir={dir} className="rw-sort" />
                  </button>
                );
              })}
            </div>
            <div className="rw-tr rw-tr-filter" role="row" style={{ gridTemplateColumns: template }}>
              <span />
              {headers.map((h) => {
                const meta = h.column.columnDef.meta as ColMeta;
                const value = (h.column.getFilterValue() as string | undefined) ?? '';
                if (meta.filter === 'none') return <span key={h.id} />;
                if (meta.filter === 'select') {
                  return (
                    <select
                      key={h.id}
                      className="rw-filter"
                      aria-label={`Filter ${String(h.column.columnDef.header)}`}
                      value={value}
                      onChange={(e) => h.column.setFilterValue(e.target.value || undefined)}
                    >
                      <option value="">all</option>
                      {(options[h.id] ?? []).map((o) => (
                        <option key={o} value={o}>
                          {o}
                        </option>
                      ))}
                    </select>
                  );
                }
                const bad = value !== '' && parseNumericFilter(value, meta.filter === 'time') === null;
                return (
                  <input
                    key={h.id}
                    className={`rw-filter${bad ? ' is-bad' : ''}`}
                    aria-label={`Filter ${String(h.column.columnDef.header)}`}
                    placeholder={meta.placeholder}
                    title={meta.title}
                    value={value}
                    onChange={(e) => h.column.setFilterValue(e.target.value || undefined)}
                  />
                );
              })}
            </div>
          </div>
          <div className="rw-tbody" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((v) => {
              const row = visible[v.index];
              const r = row.original;
              const focused = r.id === focusedId;
              const carried = carriers?.has(r.id) ?? false;
              return (
                <div
                  key={r.id}
                  role="row"
                  aria-selected={focused}
                  className={`rw-tr rw-row${focused ? ' is-focused' : ''}${carried ? ' is-carrier' : ''}${r.kind === 'compaction_request' ? ' is-compaction' : ''}`}
                  style={{ gridTemplateColumns: template, transform: `translateY(${v.start - HEAD_H}px)` }}
                  data-testid="rw-call-row"
                  data-id={r.id}
                  data-kind={r.kind}
                  onClick={() => onPick(r)}
                >
                  <span className="rw-gutter" title={carried ? 'This request carried the selected item' : undefined}>
                    {carried ? '●' : ''}
                  </span>
                  {row.getVisibleCells().map((cell) => {
                    const meta = cell.column.columnDef.meta as ColMeta;
                    return (
                      <span key={cell.id} role="gridcell" className={`rw-td${meta.align === 'right' ? ' is-right' : ''}`} data-col={cell.column.id}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </span>
                    );
                  })}
                </div>
              );
            })}
          </div>
          {visible.length === 0 && <div className="rw-empty dim">No request matches the filters.</div>}
        </div>
      </div>
      <div className="rw-table-foot faint">
        <span data-testid="rw-table-count">{visible.length === rows.length ? `${rows.length} requests` : `${visible.length} of ${rows.length} requests`}</span>
        {filtered && (
          <button type="button" className="link-btn" onClick={() => setFilters([])}>
            Clear filters
          </button>
        )}
        {sorting.length > 0 && (
          <button type="button" className="link-btn" onClick={() => setSorting([])}>
            Time order
          </button>
        )}
        {hiddenCols.length > 0 && (
          <span
            className="rw-hidden-cols"
            data-testid="rw-hidden-columns"
            title={`Not shown, to fit the panel: ${hiddenCols.map((id) => String(columns.find((c) => c.id === id)?.header ?? id)).join(', ')}. Widen the panel (or narrow the inspector) to see them; the inspector shows every figure of the selected call.`}
          >
            {hiddenCols.length} column{hiddenCols.length === 1 ? '' : 's'} hidden to fit
          </span>
        )}
      </div>
    </div>
  );
}

export const CallsTable = memo(CallsTableImpl);
