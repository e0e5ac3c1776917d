/**
 * The Tokens panel: input, cached, output and reasoning tokens per session,
 * thread, turn and call as one tree table (@tanstack/react-table with
 * expandable rows, virtualized with @tanstack/react-virtual), the cost of each
 * under the user's price table when one is loaded, and what each compaction
 * saved. Clicking a row selects its thread, turn or call in the shared store.
 * Names from the trace (agents, models) are shown as text.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { flexRender, getCoreRowModel, getExpandedRowModel, useReactTable, type ColumnDef, type ExpandedState, type Row } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useStore } from '../../store';
import { getCompactionAnalysis } from '../../trace/compaction';
import { own, type ObjectRef } from '../../trace/indexes/refs';
import type { RolloutTrace } from '../../trace/schema/state';
import { cacheHitRatio, compactionSavings, isPartial, tokenTree, type CompactionSaving, type CostTotal, type TokenNode } from '../../trace/tokens';
import { formatInt, formatMoney, formatPercent } from '../../ui/format';
import { escapeInvisible } from '../../ui/invisible';
import { PriceTableControl } from '../../ui/PriceTableControl';
import { usePriceTable } from '../../ui/priceTable';
import './tokens.css';

const ROW_H = 24;
/** Expand down to the calls when there are this few; a longer trace opens at its turns. */
const OPEN_CALLS_UP_TO = 120;

const rowId = (n: TokenNode) => `${n.kind}:${n.id}`;

function refOf(n: TokenNode): ObjectRef | null {
  if (n.kind === 'call') return { kind: 'inference_call', id: n.id };
  if (n.kind === 'turn') return { kind: 'turn', id: n.id };
  if (n.kind === 'thread') return { kind: 'thread', id: n.id };
  return null;
}

function threadName(state: RolloutTrace, id: string): { name: string; path: string } {
  const t = own(state.threads, id);
  if (!t) return { name: id, path: '' };
  const name = t.nickname ?? (t.origin.type === 'root' ? 'root' : t.origin.task_name);
  return { name: escapeInvisible(name, 'text'), path: escapeInvisible(t.agent_path, 'text') };
}

function noUsageText(n: number): string {
  return `${n} call${n === 1 ? '' : 's'} had no usage: ${n === 1 ? 'its' : 'their'} tokens are unknown, not zero`;
}

function costTitle(c: CostTotal, currency: string): string {
  const parts = [`${formatMoney(c.amount)} ${currency}`];
  if (c.unpricedCalls)
    parts.push(
      `${c.unpricedCalls} call${c.unpricedCalls === 1 ? '' : 's'} not priced: no price for ${c.unpricedModels.map((m) => escapeInvisible(m, 'text')).join(', ')}`,
    );
  if (c.noUsageCalls) parts.push(`${c.noUsageCalls} call${c.noUsageCalls === 1 ? '' : 's'} without usage`);
  if (isPartial(c)) parts.push('partial: the calls left out are not counted');
  return parts.join('; ');
}

function CostCell({ node, currency }: { node: TokenNode; currency: string }) {
  const c = node.cost;
  if (!c) return null;
  if (node.kind === 'call') {
    if (!node.hasUsage)
      return (
        <span className="faint" title="No usage recorded: nothing to price">
          —
        </span>
      );
    if (c.unpricedCalls)
      return (
        <span className="tok-noprice" title={`No price for ${escapeInvisible(node.model ?? '', 'text')} in the price table`}>
          no price
        </span>
      );
    return <span title={costTitle(c, currency)}>{formatMoney(c.amount)}</span>;
  }
  const partial = isPartial(c);
  const allUnpriced = c.unpricedCalls + c.noUsageCalls === node.totals.calls;
  return (
    <span title={costTitle(c, currency)} data-partial={partial || undefined}>
      {allUnpriced && c.unpricedCalls > 0 ? <span className="tok-noprice">no price</span> : formatMoney(c.amount)}
      {partial && !(allUnpriced && c.unpricedCalls > 0) && <span className="tok-partial"> partial</span>}
    </span>
  );
}

interface ColMeta {
  width: number | null;
  right?: boolean;
  title: string;
}

function makeColumns(state: RolloutTrace, currency: string | null): ColumnDef<TokenNode>[] {
  const n = (f: (t: TokenNode) => number) => (node: TokenNode) => f(node);
  const num = (id: string, header: string, title: string, width: number, get: (t: TokenNode) => number): ColumnDef<TokenNode> => ({
    id,
    header,
    accessorFn: n(get),
    meta: { width, right: true, title } satisfies ColMeta,
    cell: ({ row }) => {
      const node = row.original;
      if (node.kind === 'call' && !node.hasUsage)
        return id === 'input' ? (
          <span className="tok-warn" title={noUsageText(1)}>
            no usage
          </span>
        ) : (
          <span className="faint">—</span>
        );
      return formatInt(get(node));
    },
  });
  const cols: ColumnDef<TokenNode>[] = [
    {
      id: 'name',
      header: 'Name',
      meta: { width: null, title: 'The session, its threads (agents), their turns and their inference calls' } satisfies ColMeta,
      cell: ({ row }) => <NameCell row={row} state={state} />,
    },
    {
      id: 'calls',
      header: 'Calls',
      accessorFn: (t) => t.totals.calls,
      meta: { width: 58, right: true, title: 'Inference calls (with usage or not)' } satisfies ColMeta,
      cell: ({ row }) => {
        const t = row.original.totals;
        if (row.original.kind === 'call') return <span className={row.original.hasUsage ? 'faint' : 'tok-warn'}>1</span>;
        return (
          <>
            {formatInt(t.calls)}
            {t.noUsage > 0 && (
              <span className="tok-warn" title={noUsageText(t.noUsage)}>
                {' '}
                ({t.noUsage}?)
              </span>
            )}
          </>
        );
      },
    },
    num('input', 'Input', 'Input tokens, cached ones included', 92, (t) => t.totals.input),
    num('cached', 'Cached', 'Cached input tokens (part of input)', 86, (t) => t.totals.cachedInput),
    {
      id: 'hit',
      header: 'Hit',
      accessorFn: (t) => cacheHitRatio(t.totals) ?? -1,
      meta: { width: 58, right: true, title: 'Cache-hit ratio: cached ÷ input' } satisfies ColMeta,
      cell: ({ row }) =>
        row.original.kind === 'call' && !row.original.hasUsage ? <span className="faint">—</span> : formatPercent(cacheHitRatio(row.original.totals)),
    },
    num('output', 'Output', 'Output tokens, reasoning ones included', 74, (t) => t.totals.output),
    num('reasoning', 'Reasoning', 'Reasoning tokens (part of output)', 92, (t) => t.totals.reasoning),
  ];
  if (currency) {
    cols.push({
      id: 'cost',
      header: `Cost (${currency})`,
      accessorFn: (t) => t.cost?.amount ?? 0,
      meta: {
        width: Math.max(100, 64 + currency.length * 8),
        right: true,
        title: `Cost in ${currency} under the loaded price table; "partial" when some calls could not be priced`,
      } satisfies ColMeta,
      cell: ({ row }) => <CostCell node={row.original} currency={currency} />,
    });
  }
  return cols;
}

function NameCell({ row, state }: { row: Row<TokenNode>; state: RolloutTrace }) {
  const node = row.original;
  const canExpand = row.getCanExpand();
  let label: React.ReactNode;
  let title: string;
  if (node.kind === 'session') {
    label = <span className="tok-strong">Session</span>;
    title = `Trace ${state.trace_id}`;
  } else if (node.kind === 'thread') {
    const { name, path } = threadName(state, node.id);
    label = (
      <>
        <span className="tok-strong">{name}</span> <span className="mono faint">{path}</span>
      </>
    );
    title = `${name} ${path} ${node.id}`;
  } else if (node.kind === 'turn') {
    label = `Turn ${node.ordinal}`;
    title = `Turn ${node.ordinal} (${node.id}): ${node.totals.calls} inference call${node.totals.calls === 1 ? '' : 's'}`;
  } else {
    const model = escapeInvisible(node.model ?? '', 'text');
    label = (
      <>
        <span className="mono">#{node.ordinal}</span> <span className="mono faint">{model}</span>
      </>
    );
    title = `Inference call ${node.ordinal} (${node.id}), ${model}`;
  }
  return (
    <span className="tok-name" style={{ paddingLeft: row.depth * 12 }} title={title}>
      {canExpand ? (
        <button
          type="button"
          className="tok-toggle"
          aria-label={row.getIsExpanded() ? 'Collapse' : 'Expand'}
          aria-expanded={row.getIsExpanded()}
          onClick={(e) => {
            e.stopPropagation();
            row.toggleExpanded();
          }}
        >
          {row.getIsExpanded() ? '▾' : '▸'}
        </button>
      ) : (
        <span className="tok-toggle-space" aria-hidden="true" />
      )}
      <span className="tok-label">{label}</span>
    </span>
  );
}

function initialExpanded(tree: TokenNode): ExpandedState {
  const out: Record<string, boolean> = { [rowId(tree)]: true };
  for (const th of tree.children) {
    out[rowId(th)] = true;
    if (tree.totals.calls <= OPEN_CALLS_UP_TO) for (const tu of th.children) out[rowId(tu)] = true;
  }
  return out;
}

export function TokensPanel() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const select = useStore((s) => s.select);
  const { table: prices } = usePriceTable();

  const tree = useMemo(() => (state ? tokenTree(state, prices) : null), [state, prices]);
  const savings = useMemo(() => (state && indexes ? compactionSavings(state, getCompactionAnalysis(state, indexes).events) : []), [state, indexes]);
  const currency = prices?.currency ?? null;
  const columns = useMemo(() => (state ? makeColumns(state, currency) : []), [state, currency]);
  const [expanded, setExpanded] = useState<ExpandedState>({});
  // A new trace opens with its own levels open; a new price table keeps what the reader opened.
  useEffect(() => {
    if (tree) setExpanded(initialExpanded(tree));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  const data = useMemo(() => (tree ? [tree] : []), [tree]);
  const table = useReactTable({
    data,
    columns,
    state: { expanded },
    onExpandedChange: setExpanded,
    getSubRows: (n) => n.children,
    getRowId: rowId,
    getCoreRowModel: getCoreRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
  });
  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 16 });

  // A call selected anywhere else: open its thread and turn here, and show it.
  const selectedId = selection ? `${selection.kind === 'inference_call' ? 'call' : selection.kind}:${selection.id}` : null;
  const pendingReveal = useRef<string | null>(null);
  useEffect(() => {
    if (!state || selection?.kind !== 'inference_call') return;
    const call = own(state.inference_calls, selection.id);
    if (!call) return;
    pendingReveal.current = `call:${call.inference_call_id}`;
    setExpanded((e) =>
      e === true ? e : { ...e, [`session:${state.trace_id}`]: true, [`thread:${call.thread_id}`]: true, [`turn:${call.codex_turn_id}`]: true },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectionSeq, state]);
  useEffect(() => {
    const id = pendingReveal.current;
    if (!id) return;
    const i = rows.findIndex((r) => r.id === id);
    if (i >= 0) {
      pendingReveal.current = null;
      virtual.scrollToIndex(i, { align: 'auto' });
    }
  });

  if (!state || !tree) return <div className="tok tok-empty dim">No trace loaded.</div>;

  const items = virtual.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtual.getTotalSize() - items[items.length - 1].end : 0;
  const totals = tree.totals;
  const leaves = table.getAllLeafColumns();

  return (
    <div className="tok" data-testid="tokens-panel">
      <div className="tok-toolbar">
        <span className="tok-summary" data-testid="tokens-summary">
          <span>
            {formatInt(totals.calls)} call{totals.calls === 1 ? '' : 's'}
          </span>
          <span>{formatInt(totals.input)} input</span>
          <span>{formatPercent(cacheHitRatio(totals))} cached</span>
          <span>{formatInt(totals.output)} output</span>
          {totals.noUsage > 0 && (
            <span className="tok-warn" data-testid="tokens-no-usage" title="Their tokens are unknown, not zero: they are left out of every sum">
              {totals.noUsage} call{totals.noUsage === 1 ? '' : 's'} had no usage
            </span>
          )}
          {tree.cost && currency && (
            <span className="tok-total-cost" data-testid="tokens-total-cost" title={costTitle(tree.cost, currency)}>
              Total cost {formatMoney(tree.cost.amount)} {currency}
              {isPartial(tree.cost) && <span className="tok-partial"> (partial)</span>}
            </span>
          )}
        </span>
        <PriceTableControl compact />
      </div>
      <div className="tok-scroll" ref={scrollRef}>
        <table className="tok-table" aria-label="Tokens per session, thread, turn and call">
          <colgroup>
            {leaves.map((c) => {
              const w = (c.columnDef.meta as ColMeta).width;
              return <col key={c.id} style={w ? { width: w } : undefined} />;
            })}
          </colgroup>
          <thead>
            <tr>
              {table.getHeaderGroups()[0].headers.map((h) => {
                const meta = h.column.columnDef.meta as ColMeta;
                return (
                  <th key={h.id} scope="col" className={meta.right ? 'is-right' : undefined} title={meta.title} data-col={h.id}>
                    {flexRender(h.column.columnDef.header, h.getContext())}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padTop }} colSpan={leaves.length} />
              </tr>
            )}
            {items.map((vi) => {
              const r = rows[vi.index];
              const node = r.original;
              const ref = refOf(node);
              const selected = r.id === selectedId;
              return (
                <tr
                  key={r.id}
                  className={`tok-row tok-${node.kind}${selected ? ' is-selected' : ''}`}
                  style={{ height: ROW_H }}
                  data-testid="tokens-row"
                  data-kind={node.kind}
                  data-id={node.id}
                  aria-selected={selected}
                  aria-expanded={r.getCanExpand() ? r.getIsExpanded() : undefined}
                  tabIndex={0}
                  onClick={() => (ref ? select(ref) : r.toggleExpanded())}
                  onKeyDown={(e) => {
                    // The tree from the keyboard: Enter selects, → opens a level, ← closes it.
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      if (ref) select(ref);
                      else r.toggleExpanded();
                    } else if (e.key === 'ArrowRight' && r.getCanExpand() && !r.getIsExpanded()) r.toggleExpanded(true);
                    else if (e.key === 'ArrowLeft' && r.getIsExpanded()) r.toggleExpanded(false);
                  }}
                >
                  {r.getVisibleCells().map((c) => (
                    <td key={c.id} className={(c.column.columnDef.meta as ColMeta).right ? 'is-right' : undefined} data-col={c.column.id}>
                      {flexRender(c.column.columnDef.cell, c.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padBottom }} colSpan={leaves.length} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Savings savings={savings} state={state} onPick={select} selectedKey={selection?.kind === 'compaction' ? selection.id : null} />
    </div>
  );
}

function Savings({
  savings,
  state,
  onPick,
  selectedKey,
}: {
  savings: CompactionSaving[];
  state: RolloutTrace;
  onPick: (r: ObjectRef) => void;
  selectedKey: string | null;
}) {
  const measured = savings.filter((s) => s.saved !== null);
  const total = measured.reduce((n, s) => n + s.saved!, 0);
  return (
    <section className="tok-savings" aria-label="What each compaction saved" data-testid="tokens-savings">
      <div className="tok-savings-head">
        <span className="tok-strong">Compactions</span>
        <span className="dim">
          {savings.length === 0
            ? 'none in this trace'
            : `input tokens of the last call before against the first call after${measured.length ? `; ${formatInt(total)} saved in all` : ''}`}
        </span>
      </div>
      {savings.length > 0 && (
        <div className="tok-savings-scroll">
          <table className="tok-table">
            <colgroup>
              <col />
              <col style={{ width: 140 }} />
              <col style={{ width: 108 }} />
              <col style={{ width: 100 }} />
              <col style={{ width: 96 }} />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Compaction</th>
                <th scope="col">Thread</th>
                <th scope="col" className="is-right" title="Input tokens of the thread's last inference call before the compaction">
                  Input before
                </th>
                <th scope="col" className="is-right" title="Input tokens of the thread's first inference call after it">
                  Input after
                </th>
                <th scope="col" className="is-right" title="Input before − input after">
                  Saved
                </th>
              </tr>
            </thead>
            <tbody>
              {savings.map((s) => {
                const { name } = threadName(state, s.threadId);
                return (
                  <tr
                    key={s.key}
                    className={`tok-row${selectedKey === s.ref.id ? ' is-selected' : ''}`}
                    data-testid="tokens-saving-row"
                    data-key={s.key}
                    onClick={() => onPick(s.ref)}
                    style={{ height: ROW_H }}
                  >
                    <td>
                      <span
                        className={s.kind === 'untraced' ? 'tok-warn' : undefined}
                        title={s.kind === 'untraced' ? 'Detected: a history shrink no compaction record explains' : undefined}
                      >
                        {s.label}
                      </span>
                    </td>
                    <td className="tok-ellipsis" title={name}>
                      {name}
                    </td>
                    <td className="is-right">{s.inputBefore === null ? <span className="faint">—</span> : formatInt(s.inputBefore)}</td>
                    <td className="is-right">{s.inputAfter === null ? <span className="faint">—</span> : formatInt(s.inputAfter)}</td>
                    <td className="is-right" title={s.unmeasurable ?? undefined} data-testid="tokens-saved">
                      {s.saved === null ? <span className="faint">not measurable</span> : formatInt(s.saved)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
