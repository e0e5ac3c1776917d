/**
 * The table of all compactions (installed, failed, untraced), sortable by any
 * column and filterable by thread, kind/status, time, items replaced and size
 * saved (@tanstack/react-table). Clicking a row selects the compaction in the
 * shared store; the row of the compaction shown in the detail is highlighted.
 */
import { createColumnHelper, flexRender, type ColumnFiltersState, type FilterFn } from '@tanstack/react-table';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CompactionEvent } from '../../trace/compaction';
import type { RolloutTrace } from '../../trace/schema/state';
import type { TraceIndexes } from '../../trace/indexes/build';
import { Badge, StatusBadge } from '../../ui/Badge';
import { formatBytes, formatClock, formatCompact, formatDateTime, formatRelative } from '../../ui/format';
import { ariaSort, SortMark, useSortableTable } from '../../ui/table';
import { own } from '../../trace/indexes/refs';

export interface CompactionRow {
  event: CompactionEvent;
  key: string;
  label: string;
  kind: CompactionEvent['kind'];
  threadId: string;
  threadLabel: string;
  /** Seconds from the trace start. */
  timeS: number;
  turn: string;
  replaced: number;
  itemsBefore: number | null;
  itemsAfter: number | null;
  bytesBefore: number | null;
  bytesAfter: number | null;
  saved: number | null;
  tokensBefore: number | null;
  tokensAfter: number | null;
  /** 'completed' | 'failed' | … | 'untraced' | 'no request'. */
  status: string;
}

export function toRows(events: readonly CompactionEvent[], state: RolloutTrace, idx: TraceIndexes): CompactionRow[] {
  return events.map((e) => {
    const t = own(state.threads, e.threadId);
    const turnN = e.turnId ? idx.turnOrdinal.get(e.turnId) : undefined;
    return {
      event: e,
      key: e.key,
      label: e.label,
      kind: e.kind,
      threadId: e.threadId,
      threadLabel: t ? (t.nickname ? `${t.nickname} ${t.agent_path}` : t.agent_path) : e.threadId,
      timeS: (e.atMs - state.started_at_unix_ms) / 1000,
      turn: turnN ? `Turn ${turnN}` : '—',
      replaced: e.replacedIds.length,
      itemsBefore: e.before?.size.items ?? null,
      itemsAfter: e.after?.size.items ?? null,
      bytesBefore: e.before?.size.bytes ?? null,
      bytesAfter: e.after?.size.bytes ?? null,
      saved: e.savedBytes,
      tokensBefore: e.tokensBefore,
      tokensAfter: e.tokensAfter,
      status: e.kind === 'untraced' ? 'untraced' : e.status === 'none' ? 'no request' : e.status,
    };
  });
}

/** Inclusive [min, max] on a number column; an empty bound is open. Rows with no value pass only when both bounds are open. */
const numberRange: FilterFn<CompactionRow> = (row, columnId, value: [number | null, number | null]) => {
  const [min, max] = value ?? [null, null];
  if (min === null && max === null) return true;
  const v = row.getValue<number | null>(columnId);
  if (v === null || v === undefined) return false;
  return (min === null || v >= min) && (max === null || v <= max);
};
numberRange.autoRemove = (v: [number | null, number | null] | undefined) => !v || (v[0] === null && v[1] === null);

const equalsString: FilterFn<CompactionRow> = (row, columnId, value: string) => !value || row.getValue<string>(columnId) === value;
equalsString.autoRemove = (v: string | undefined) => !v;

/** "300", "1.5k", "2 KiB", "1M" → bytes; "" → null; garbage → NaN. */
export function parseSize(s: string): number | null {
  const t = s.trim();
  if (!t) return null;
  const m = /^(-?\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(t);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const u = (m[2] ?? 'b').toLowerCase();
  return Math.round(u.startsWith('k') ? n * 1024 : u.startsWith('m') ? n * 1024 * 1024 : n);
}
function parseNum(s: string): number | null {
  const t = s.trim().replace(/^\+/, '').replace(/s$/, '');
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
}

const col = createColumnHelper<CompactionRow>();

function Arrow({ a, b, fmt }: { a: number | null; b: number | null; fmt: (n: number) => string }) {
  if (a === null && b === null) return <span className="faint">—</span>;
  return (
    <span className="cmp-arrow mono">
      {a === null ? '—' : fmt(a)}
      <span className="faint"> → </span>
      {b === null ? '—' : fmt(b)}
    </span>
  );
}

function makeColumns(startMs: number) {
  return [
    col.accessor('label', {
      id: 'label',
      header: 'Compaction',
      sortingFn: (a, b) => a.original.event.atMs - b.original.event.atMs,
      cell: (c) => (
        <span className="cmp-cell-label">
          <span className={`cmp-dot kind-${c.row.original.kind}`} />
          <span className="cmp-label-text">{c.getValue()}</span>
        </span>
      ),
    }),
    col.accessor('threadId', {
      id: 'thread',
      header: 'Thread',
      filterFn: equalsString,
      sortingFn: (a, b) => a.original.threadLabel.localeCompare(b.original.threadLabel),
      cell: (c) => (
        <span className="mono cmp-ellipsis" title={c.row.original.threadLabel}>
          {c.row.original.threadLabel}
        </span>
      ),
    }),
    col.accessor('timeS', {
      id: 'time',
      header: 'Time',
      filterFn: numberRange,
      cell: (c) => {
        const e = c.row.original.event;
        return (
          <span className="mono" title={`${formatDateTime(e.atMs)} · ${formatClock(e.atMs)}`}>
            {formatRelative(e.atMs, startMs)}
          </span>
        );
      },
    }),
    col.accessor('turn', { id: 'turn', header: 'Turn', sortingFn: (a, b) => a.original.event.atMs - b.original.event.atMs }),
    col.accessor('replaced', {
      id: 'replaced',
      header: 'Replaced',
      filterFn: numberRange,
      meta: { num: true },
      cell: (c) => <span className="mono">{c.getValue()}</span>,
    }),
    col.accessor((r) => r.itemsBefore, {
      id: 'items',
      header: 'Items',
      meta: { num: true },
      sortingFn: (a, b) => (a.original.event.savedItems ?? -Infinity) - (b.original.event.savedItems ?? -Infinity),
      cell: (c) => <Arrow a={c.row.original.itemsBefore} b={c.row.original.itemsAfter} fmt={String} />,
    }),
    col.accessor((r) => r.bytesBefore, {
      id: 'bytes',
      header: 'Bytes',
      meta: { num: true },
      cell: (c) => <Arrow a={c.row.original.bytesBefore} b={c.row.original.bytesAfter} fmt={formatBytes} />,
    }),
    col.accessor('saved', {
      id: 'saved',
      header: 'Saved',
      filterFn: numberRange,
      meta: { num: true },
      sortUndefined: 'last',
      sortingFn: (a, b) => (a.original.saved ?? -Infinity) - (b.original.saved ?? -Infinity),
      cell: (c) => {
        const v = c.getValue();
        if (v === null) return <span className="faint">—</span>;
        const before = c.row.original.bytesBefore ?? 0;
        const pct = before > 0 ? Math.round((v / before) * 100) : 0;
        // A sign alone is ambiguous under "Saved" (is −266 B a saving or a loss?): a loss says "grew".
        return (
          <span
            className={`mono ${v > 0 ? 'cmp-saved' : v < 0 ? 'cmp-grew' : ''}`}
            data-testid="cmp-saved"
            title={
              v >= 0
                ? `The history is ${v} bytes smaller after it (${pct}% of the history before)`
                : `The history is ${-v} bytes larger after it (${-pct}% more than before)`
            }
          >
            {v < 0 ? `grew ${formatBytes(-v)}` : formatBytes(v)}
          </span>
        );
      },
    }),
    col.accessor((r) => r.tokensBefore, {
      id: 'tokens',
      header: 'Tokens',
      meta: { num: true },
      sortingFn: (a, b) => (a.original.tokensBefore ?? 0) - (a.original.tokensAfter ?? 0) - ((b.original.tokensBefore ?? 0) - (b.original.tokensAfter ?? 0)),
      cell: (c) => <Arrow a={c.row.original.tokensBefore} b={c.row.original.tokensAfter} fmt={formatCompact} />,
    }),
    col.accessor('status', {
      id: 'status',
      header: 'Request',
      filterFn: equalsString,
      cell: (c) => {
        const e = c.row.original.event;
        return (
          <span className="cmp-status">
            {e.kind === 'untraced' ? (
              <Badge tone="warn" title="No compaction record: detected from the request windows">
                untraced
              </Badge>
            ) : e.status === 'none' ? (
              <span className="faint">no request</span>
            ) : (
              <StatusBadge status={e.status} />
            )}
            {e.requestIds.length > 1 && (
              <span className="faint" title={`${e.requestIds.length} attempts`}>
                ×{e.requestIds.length}
              </span>
            )}
          </span>
        );
      },
    }),
  ];
}

export interface CompactionTableProps {
  rows: CompactionRow[];
  startMs: number;
  threads: { id: string; label: string }[];
  currentKey: string | null;
  onPick: (row: CompactionRow) => void;
}

interface FilterInputs {
  thread: string;
  status: string;
  timeFrom: string;
  timeTo: string;
  replacedMin: string;
  savedMin: string;
}
const NO_FILTERS: FilterInputs = { thread: '', status: '', timeFrom: '', timeTo: '', replacedMin: '', savedMin: '' };

function filtersToState(f: FilterInputs): { state: ColumnFiltersState; invalid: (keyof FilterInputs)[] } {
  const invalid: (keyof FilterInputs)[] = [];
  const num = (k: keyof FilterInputs, parse: (s: string) => number | null) => {
    const v = parse(f[k]);
    if (v !== null && Number.isNaN(v)) {
      invalid.push(k);
      return null;
    }
    return v;
  };
  const state: ColumnFiltersState = [];
  if (f.thread) state.push({ id: 'thread', value: f.thread });
  if (f.status) state.push({ id: 'status', value: f.status });
  const from = num('timeFrom', parseNum);
  const to = num('timeTo', parseNum);
  if (from !== null || to !== null) state.push({ id: 'time', value: [from, to] });
  const rmin = num('replacedMin', parseNum);
  if (rmin !== null) state.push({ id: 'replaced', value: [rmin, null] });
  const smin = num('savedMin', parseSize);
  if (smin !== null) state.push({ id: 'saved', value: [smin, null] });
  return { state, invalid };
}

/** Columns left out, in this order, when the table is wider than its panel (their figures are in the detail too). */
const FIT_DROP_ORDER = ['saved', 'tokens', 'turn', 'replaced', 'time'] as const;

export function CompactionTable({ rows, startMs, threads, currentKey, onPick }: CompactionTableProps) {
  const [inputs, setInputs] = useState<FilterInputs>(NO_FILTERS);
  const { state: columnFilters, invalid } = useMemo(() => filtersToState(inputs), [inputs]);
  const columns = useMemo(() => makeColumns(startMs), [startMs]);
  const statuses = useMemo(() => [...new Set(rows.map((r) => r.status))].sort(), [rows]);

  // Fit the panel: columns whose figures are also elsewhere (saved = bytes before − after) go first, rather than the last ones being cut.
  const scrollRef = useRef<HTMLDivElement>(null);
  const [hideN, setHideN] = useState(0);
  // After every render: any change (rows, filters, widths) can make the table overflow again.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && hideN < FIT_DROP_ORDER.length) setHideN((n) => n + 1);
  });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let w = el.clientWidth;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth !== w) {
        w = el.clientWidth;
        setHideN(0);
      }
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const hiddenCols = FIT_DROP_ORDER.slice(0, hideN);
  const { table } = useSortableTable({
    data: rows,
    columns,
    columnFilters,
    columnVisibility: { thread: threads.length > 1, ...Object.fromEntries(hiddenCols.map((id) => [id, false])) },
    getRowId: (r) => r.key,
  });

  // Keep the current row in view when it changes (selection from elsewhere).
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    if (!currentKey) return;
    const el = bodyRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(currentKey)}"]`);
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [currentKey]);

  const set = (k: keyof FilterInputs) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setInputs({ ...inputs, [k]: e.target.value });
  const shown = table.getRowModel().rows;
  const active = columnFilters.length > 0;

  return (
    <div className="cmp-table-box">
      <div className="cmp-filters" role="group" aria-label="Filter compactions">
        {threads.length > 1 && (
          <label className="cmp-filter">
            <span>Thread</span>
            <select aria-label="Filter by thread" value={inputs.thread} onChange={set('thread')}>
              <option value="">all</option>
              {threads.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="cmp-filter">
          <span>Request</span>
          <select aria-label="Filter by request status" value={inputs.status} onChange={set('status')}>
            <option value="">any</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="cmp-filter">
          <span>Time +</span>
          <input
            aria-label="From time (s)"
            className={invalid.includes('timeFrom') ? 'is-invalid' : ''}
            placeholder="from s"
            value={inputs.timeFrom}
            onChange={set('timeFrom')}
          />
          <span className="faint">–</span>
          <input
            aria-label="To time (s)"
            className={invalid.includes('timeTo') ? 'is-invalid' : ''}
            placeholder="to s"
            value={inputs.timeTo}
            onChange={set('timeTo')}
          />
        </label>
        <label className="cmp-filter">
          <span>Replaced ≥</span>
          <input
            aria-label="Minimum items replaced"
            className={invalid.includes('replacedMin') ? 'is-invalid' : ''}
            placeholder="items"
            value={inputs.replacedMin}
            onChange={set('replacedMin')}
          />
        </label>
        <label className="cmp-filter">
          <span>Saved ≥</span>
          <input
            aria-label="Minimum size saved"
            className={invalid.includes('savedMin') ? 'is-invalid' : ''}
            placeholder="e.g. 2k"
            value={inputs.savedMin}
            onChange={set('savedMin')}
          />
        </label>
        {active && (
          <button type="button" className="link-btn" onClick={() => setInputs(NO_FILTERS)}>
            clear
          </button>
        )}
        <span
          className="cmp-filter-count faint"
          data-testid="cmp-row-count"
          title={
            hiddenCols.length ? `Columns not shown, to fit the panel: ${hiddenCols.join(', ')} (the selected compaction's detail has their figures)` : undefined
          }
        >
          {shown.length === rows.length ? `${rows.length} shown` : `${shown.length} of ${rows.length} shown`}
        </span>
      </div>
      <div className="cmp-table-scroll" ref={scrollRef} data-hidden-columns={hiddenCols.join(' ') || undefined}>
        <table className="cmp-table" aria-label="Compactions">
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const dir = h.column.getIsSorted();
                  const num = (h.column.columnDef.meta as { num?: boolean } | undefined)?.num;
                  return (
                    <th key={h.id} className={num ? 'num' : undefined} aria-sort={ariaSort(dir)}>
                      <button type="button" className="cmp-sort" onClick={h.column.getToggleSortingHandler()} title="Sort">
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <SortMark dir={dir} className="cmp-sort-mark" />
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody ref={bodyRef}>
            {shown.map((r) => (
              <tr
                key={r.id}
                data-key={r.original.key}
                data-testid="cmp-row"
                className={`cmp-tr kind-${r.original.kind}${r.original.key === currentKey ? ' is-current' : ''}`}
                aria-selected={r.original.key === currentKey}
                tabIndex={r.original.key === currentKey ? 0 : -1}
                onClick={() => onPick(r.original)}
                onKeyDown={(ev) => {
                  const i = shown.findIndex((x) => x.id === r.id);
                  const to = ev.key === 'ArrowDown' ? shown[i + 1] : ev.key === 'ArrowUp' ? shown[i - 1] : ev.key === 'Enter' || ev.key === ' ' ? r : null;
                  if (!to) return;
                  ev.preventDefault();
                  onPick(to.original);
                  bodyRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(to.original.key)}"]`)?.focus();
                }}
              >
                {r.getVisibleCells().map((c) => {
                  const num = (c.column.columnDef.meta as { num?: boolean } | undefined)?.num;
                  return (
                    <td key={c.id} className={num ? 'num' : undefined}>
                      {flexRender(c.column.columnDef.cell, c.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="cmp-none faint">
                  No compaction matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
