/**
 * One compaction in detail: when, its attempts, what it replaced and what took
 * its place, its size, and the before/after histories aligned side by side.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useStore } from '../../store';
import { firstCallWithout, lastCallWith, type CompactionEvent, type RowRelation } from '../../trace/compaction';
import { payloadsOf, type TraceIndexes } from '../../trace/indexes/build';
import { shortItemId } from '../../trace/indexes/resolve';
import type { ConversationItem, RolloutTrace } from '../../trace/schema/state';
import { Badge, StatusBadge } from '../../ui/Badge';
import { formatBytes, formatClock, formatCompact, formatDuration, formatInt, formatRelative } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { TimeText } from '../../ui/TimeText';
import { PayloadSection } from '../../ui/PayloadSection';
import { TabStrip, type TabDef } from '../../ui/TabStrip';
import { ItemCell } from './ItemCell';
import { own } from '../../trace/indexes/refs';

/** Lists longer than this are virtualized. */
export const VIRTUALIZE_ABOVE = 300;
const ROW_H = 26;

export type CompactionTab = 'diff' | 'items' | 'requests';

const KIND_BADGE: Record<CompactionEvent['kind'], { tone: 'compaction' | 'err' | 'warn'; text: string; title: string }> = {
  installed: { tone: 'compaction', text: 'installed', title: 'A compaction record: the history was rewritten' },
  failed: { tone: 'err', text: 'not installed', title: 'Compaction requests that never led to an install: the history was not rewritten' },
  untraced: {
    tone: 'warn',
    text: 'untraced',
    title: 'No compaction record: the request window shrank between two inference calls (e.g. a local compaction, which records nothing)',
  },
};

function isSummaryItem(it: ConversationItem | undefined): boolean {
  return !!it && (it.channel === 'summary' || it.body.parts.some((p) => p.type === 'encoded' || p.type === 'summary'));
}

/** A link to an inference call labelled "Inference N" (its ordinal in the thread). */
function CallLink({ id }: { id: string }) {
  const n = useStore((st) => st.indexes?.inferenceOrdinal.get(id));
  return <RefLink target={{ kind: 'inference_call', id }}>{n ? `Inference ${n}` : undefined}</RefLink>;
}

function itemLink(id: string) {
  return <RefLink target={{ kind: 'conversation_item', id }}>#{shortItemId(id)}</RefLink>;
}

// ---------------------------------------------------------------- size bars

function SizeBar({
  label,
  before,
  after,
  fmt,
  note,
}: {
  label: string;
  before: number | null;
  after: number | null;
  fmt: (n: number) => string;
  note?: string;
}) {
  if (before === null && after === null) return null;
  const max = Math.max(before ?? 0, after ?? 0, 1);
  const delta = before !== null && after !== null ? after - before : null;
  const pct = delta !== null && before ? Math.round((delta / before) * 100) : null;
  return (
    <div className="cmp-size" data-testid={`cmp-size-${label.toLowerCase()}`} title={note}>
      <div className="cmp-size-top">
        <span className="cmp-size-label">{label}</span>
        <span className="cmp-size-figs mono">
          {before === null ? '—' : fmt(before)} <span className="faint">→</span> {after === null ? '—' : fmt(after)}
          {delta !== null && delta !== 0 && (
            <span className={delta < 0 ? 'cmp-saved' : 'cmp-grew'}>
              {' '}
              {delta < 0 ? '−' : '+'}
              {fmt(Math.abs(delta))}
              {pct !== null && pct !== 0 ? ` (${pct > 0 ? '+' : ''}${pct}%)` : ''}
            </span>
          )}
        </span>
      </div>
      <span className="cmp-size-bars" aria-hidden>
        <span className="cmp-bar cmp-bar-before" style={{ width: `${((before ?? 0) / max) * 100}%` }} />
        <span className="cmp-bar cmp-bar-after" style={{ width: `${((after ?? 0) / max) * 100}%` }} />
      </span>
    </div>
  );
}

// ---------------------------------------------------------------- header

function DetailHeader({ e, state, idx, selectedItem }: { e: CompactionEvent; state: RolloutTrace; idx: TraceIndexes; selectedItem: string | null }) {
  const start = state.started_at_unix_ms;
  const thread = own(state.threads, e.threadId);
  const badge = KIND_BADGE[e.kind];
  const focus = selectedItem && e.replacedIds.includes(selectedItem) ? selectedItem : null;
  const focusLast = focus ? lastCallWith(state, idx, e, focus) : null;
  const focusFirstWithout = focus ? firstCallWithout(state, idx, e, focus) : null;
  const select = useStore((st) => st.select);
  const setCenterPanel = useStore((st) => st.setCenterPanel);
  /** Select `target` and switch the centre region to the conversation, which reveals it. */
  const showInConversation = (id: string) => {
    select({ kind: 'conversation_item', id }, { link: true });
    setCenterPanel('conversation');
  };
  // An untraced compaction that ran as a turn of its own (a manual /compact): neither call around it is of that turn.
  const turnOfCall = (id: string | null) => own(state.inference_calls, id)?.codex_turn_id;
  const ownTurn = e.kind === 'untraced' && e.turnId !== turnOfCall(e.firstAfterCallId) && e.turnId !== turnOfCall(e.lastBeforeCallId);
  const anchorItem =
    e.markerId ?? (e.after?.itemIds.find((id) => e.replacementIds.includes(id)) || null) ?? e.before?.itemIds[e.before.itemIds.length - 1] ?? null;
  return (
    <div className="cmp-head" data-testid="cmp-detail-head">
      <div className="cmp-title-row">
        <h2 className="cmp-title">{e.label}</h2>
        <Badge tone={badge.tone} title={badge.title}>
          {badge.text}
        </Badge>
        {e.kind !== 'untraced' && e.status !== 'none' && <StatusBadge status={e.status} title="Status of the request attempt that decided it" />}
        {e.failedAttempts > 0 && e.kind === 'installed' && (
          <Badge tone="warn">
            {e.failedAttempts} failed attempt{e.failedAttempts === 1 ? '' : 's'}
          </Badge>
        )}
        <span className="cmp-title-sep" />
        {thread && <RefLink target={{ kind: 'thread', id: e.threadId }}>{thread.agent_path}</RefLink>}
        {e.turnId && <RefLink target={{ kind: 'turn', id: e.turnId }} />}
        <span className="cmp-when">
          {e.kind === 'untraced' && e.sinceMs !== null ? (
            <span
              data-testid="cmp-when-range"
              title={
                ownTurn
                  ? `During the turn that compacted (${formatClock(e.sinceMs)} – ${formatClock(e.atMs)}), which made no traced request`
                  : `Between the end of the last call before (${formatClock(e.sinceMs)}) and the start of the first call after (${formatClock(e.atMs)})`
              }
            >
              <span className="mono">{formatRelative(e.sinceMs, start)}</span> – <span className="mono">{formatRelative(e.atMs, start)}</span>
            </span>
          ) : (
            <span title={e.kind === 'installed' ? 'Installed at' : 'First attempt started at'}>
              <TimeText ms={e.atMs} startMs={start} />
            </span>
          )}
          {e.durationMs !== null && (
            <span className="faint" title={e.kind === 'installed' ? 'From the first attempt to the install' : 'From the first attempt to the last one’s end'}>
              {' · '}
              <span className="mono">{formatDuration(e.durationMs)}</span>
            </span>
          )}
        </span>
        {anchorItem && (
          <button
            type="button"
            className="btn cmp-goto"
            data-testid="cmp-show-in-conversation"
            title={e.markerId ? 'Open the conversation at the compaction marker' : 'Open the conversation where the history shrank'}
            onClick={() => showInConversation(anchorItem)}
          >
            In conversation ↗
          </button>
        )}
      </div>

      <div className="cmp-facts">
        {e.kind === 'installed' && (
          <span>
            Replaced <b>{e.replacedIds.length}</b> item{e.replacedIds.length === 1 ? '' : 's'}{' '}
            <span className="faint">({formatBytes(e.replacedSize.bytes)})</span>
            {' → '}installed <b>{e.replacementIds.length}</b> <span className="faint">({formatBytes(e.replacementSize.bytes)})</span>
            {e.markerId && <> · marker {itemLink(e.markerId)}</>}
          </span>
        )}
        {e.kind === 'untraced' && (
          <span>
            The request window lost <b>{e.replacedIds.length}</b> item{e.replacedIds.length === 1 ? '' : 's'} of the history
            {e.replacementIds.length > 0 && (
              <>
                {' '}
                and gained <b data-testid="cmp-gained">{e.replacementIds.length}</b> new
                {e.summaryId && <> (summary {itemLink(e.summaryId)})</>}
              </>
            )}
            {e.nextTurnIds.length > 0 && (
              <span className="faint" title="Items of the next turn, not counted as the compaction's">
                {' '}
                (the next turn then adds {e.nextTurnIds.length})
              </span>
            )}
            , with no compaction record in the trace: detected from the request windows.
          </span>
        )}
        {e.kind === 'failed' && <span>Never installed: the history was not rewritten.</span>}
        <span className="cmp-calls">
          {e.lastBeforeCallId && (
            <span>
              last request before <CallLink id={e.lastBeforeCallId} />
            </span>
          )}
          {e.firstAfterCallId && (
            <span>
              first after <CallLink id={e.firstAfterCallId} />
            </span>
          )}
        </span>
      </div>

      {e.kind !== 'failed' && (
        <div className="cmp-sizes">
          <SizeBar label="Items" before={e.before?.size.items ?? null} after={e.after?.size.items ?? null} fmt={formatInt} />
          <SizeBar
            label="Bytes"
            before={e.before?.size.bytes ?? null}
            after={e.after?.size.bytes ?? null}
            fmt={formatBytes}
            note="Body bytes of the items as reduced (json summaries are cut at 240 bytes, payload references count 0)"
          />
          <SizeBar
            label="Tokens"
            before={e.tokensBefore}
            after={e.tokensAfter}
            fmt={formatCompact}
            note="Before: input + output tokens of the last call before. After: input tokens of the first call after (reported usage)."
          />
        </div>
      )}

      {focus && (
        <div className="cmp-focus" data-testid="cmp-focus" role="note">
          Selected {itemLink(focus)} was {e.kind === 'untraced' ? 'dropped' : 'replaced'} here
          {focusLast ? (
            <>
              {' '}
              · last carried by <CallLink id={focusLast} />
            </>
          ) : (
            <span className="faint"> · never sent to the model before</span>
          )}
          {focusFirstWithout ? (
            <>
              {' '}
              · first call without it: <CallLink id={focusFirstWithout} />
            </>
          ) : (
            <span className="faint"> · no later call</span>
          )}
          <button type="button" className="link-btn cmp-focus-goto" onClick={() => showInConversation(focus)}>
            show in conversation
          </button>
        </div>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- lists

/** A list that renders plainly when short and virtualizes when long. */
function RowList<T>({
  rows,
  render,
  rowKey,
  label,
  revealIndex,
  revealSeq,
  testId,
}: {
  rows: T[];
  render: (row: T, index: number) => ReactNode;
  rowKey: (row: T, index: number) => string;
  label: string;
  revealIndex: number;
  revealSeq: number;
  testId: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const v = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });
  useEffect(() => {
    if (revealIndex < 0) return;
    if (virtual) v.scrollToIndex(revealIndex, { align: 'auto' });
    else scrollRef.current?.querySelector<HTMLElement>(`[data-row="${revealIndex}"]`)?.scrollIntoView?.({ block: 'nearest' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealIndex, revealSeq, virtual]);
  return (
    <div className="cmp-list-scroll" ref={scrollRef} role="list" aria-label={label} data-testid={testId} data-virtual={virtual || undefined}>
      {virtual ? (
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((vi) => (
            <div
              key={rowKey(rows[vi.index], vi.index)}
              role="listitem"
              data-row={vi.index}
              className="cmp-vrow"
              style={{ transform: `translateY(${vi.start}px)`, height: ROW_H }}
            >
              {render(rows[vi.index], vi.index)}
            </div>
          ))}
        </div>
      ) : (
        rows.map((r, i) => (
          <div key={rowKey(r, i)} role="listitem" data-row={i} className="cmp-prow">
            {render(r, i)}
          </div>
        ))
      )}
    </div>
  );
}

const GLYPH: Record<RowRelation, { g: string; title: string }> = {
  same: { g: '=', title: 'The same item, still in the history' },
  resent: { g: '≈', title: 'Kept: same content under a new item id' },
  removed: { g: '−', title: 'Removed from the history' },
  new: { g: '+', title: 'New in the history after' },
};

function originTag(o: string | undefined) {
  if (o === 'response')
    return (
      <Badge tone="outline" title="Produced by the last call before (its response)">
        response
      </Badge>
    );
  if (o === 'pending')
    return (
      <Badge tone="outline" title="In the compaction's input history but in no request window yet">
        not sent
      </Badge>
    );
  return null;
}

function afterTag(e: CompactionEvent, id: string, rel: RowRelation, item: ConversationItem | undefined) {
  if (e.kind === 'installed' && e.replacementIds.includes(id)) {
    if (rel === 'resent')
      return (
        <Badge tone="ok" title="Installed by the compaction with the text of an item it replaced">
          kept
        </Badge>
      );
    if (isSummaryItem(item))
      return (
        <Badge tone="compaction" title="The compaction summary">
          summary
        </Badge>
      );
    return (
      <Badge tone="compaction" title="Installed by the compaction">
        installed
      </Badge>
    );
  }
  if (rel === 'resent')
    return (
      <Badge tone="neutral" title="Sent again under a new item id with the same content">
        re-sent
      </Badge>
    );
  if (e.summaryId === id)
    return (
      <Badge tone="compaction" title="The summary the compaction put in place of the history it dropped">
        summary
      </Badge>
    );
  if (e.nextTurnIds.includes(id))
    return (
      <Badge tone="outline" title="Of the next turn (its prompt…): came after the compaction, not from it">
        next turn
      </Badge>
    );
  if (rel === 'new')
    return (
      <Badge tone="info" title="Not in the history before">
        new
      </Badge>
    );
  return null;
}

function BeforeAfterView({
  e,
  state,
  selectedItem,
  onSelectItem,
  revealSeq,
}: {
  e: CompactionEvent;
  state: RolloutTrace;
  selectedItem: string | null;
  onSelectItem: (id: string) => void;
  revealSeq: number;
}) {
  const al = e.alignment;
  const before = e.before!;
  const after = e.after!;
  const replaced = useMemo(() => new Set(e.replacedIds), [e]);
  const installed = useMemo(() => new Set(e.replacementIds), [e]);
  const rows = al!.rows;
  const revealIndex = selectedItem
    ? rows.findIndex((r) => (r.before >= 0 && before.itemIds[r.before] === selectedItem) || (r.after >= 0 && after.itemIds[r.after] === selectedItem))
    : -1;
  const counts = { same: 0, resent: 0, removed: 0, new: 0 } as Record<RowRelation, number>;
  for (const r of al!.beforeRelation) counts[r]++;
  const newCount = al!.afterRelation.filter((r) => r === 'new').length;
  const originCounts = (before.origins ?? []).reduce<Record<string, number>>((m, o) => ((m[o] = (m[o] ?? 0) + 1), m), {});

  const render = (r: (typeof rows)[number]) => {
    const bid = r.before >= 0 ? before.itemIds[r.before] : null;
    const aid = r.after >= 0 ? after.itemIds[r.after] : null;
    const counterpart =
      r.relation === 'resent' && (bid === null || aid === null)
        ? bid !== null
          ? after.itemIds[al!.beforeMatch[r.before]]
          : before.itemIds[al!.afterMatch[r.after]]
        : null;
    return (
      <div className={`cmp-ba-row rel-${r.relation}`} data-testid="cmp-ba-row" data-relation={r.relation}>
        <div
          className={`cmp-ba-cell cmp-ba-before${bid ? '' : ' is-empty'}${bid && replaced.has(bid) ? ' is-replaced' : ''}`}
          data-testid={bid ? 'cmp-before-cell' : undefined}
          data-item-id={bid ?? undefined}
          data-replaced={bid && replaced.has(bid) ? 'true' : undefined}
          data-relation={bid ? al!.beforeRelation[r.before] : undefined}
        >
          {bid && (
            <ItemCell
              itemId={bid}
              item={own(state.conversation_items, bid)}
              selected={selectedItem === bid}
              onSelect={onSelectItem}
              tags={
                <>
                  {originTag(before.origins?.[r.before])}
                  {counterpart && aid === null && <span className="cmp-moved faint">≈ #{shortItemId(counterpart)}</span>}
                </>
              }
            />
          )}
        </div>
        <div className="cmp-ba-gutter mono" title={GLYPH[r.relation].title}>
          {GLYPH[r.relation].g}
        </div>
        <div
          className={`cmp-ba-cell cmp-ba-after${aid ? '' : ' is-empty'}${aid && installed.has(aid) ? ' is-installed' : ''}`}
          data-testid={aid ? 'cmp-after-cell' : undefined}
          data-item-id={aid ?? undefined}
          data-installed={aid && installed.has(aid) ? 'true' : undefined}
          data-relation={aid ? al!.afterRelation[r.after] : undefined}
        >
          {aid && (
            <ItemCell
              itemId={aid}
              item={own(state.conversation_items, aid)}
              selected={selectedItem === aid}
              onSelect={onSelectItem}
              tags={
                <>
                  {afterTag(e, aid, al!.afterRelation[r.after], own(state.conversation_items, aid))}
                  {counterpart && bid === null && <span className="cmp-moved faint">≈ #{shortItemId(counterpart)}</span>}
                </>
              }
            />
          )}
        </div>
      </div>
    );
  };

  return (
    <div className="cmp-ba" data-testid="cmp-before-after">
      <div className="cmp-ba-head">
        <div className="cmp-ba-colhead">
          <span className="cmp-colhead-title">Before</span>
          {before.callId ? <CallLink id={before.callId} /> : <span className="faint">no call before</span>}
          <span className="faint">
            {originCounts.request ?? 0} in window
            {originCounts.response ? ` + ${originCounts.response} response` : ''}
            {originCounts.pending ? ` + ${originCounts.pending} not sent` : ''} · {formatBytes(before.size.bytes)}
          </span>
        </div>
        <div className="cmp-ba-gutter" />
        <div className="cmp-ba-colhead">
          <span className="cmp-colhead-title">After</span>
          {after.callId ? (
            <CallLink id={after.callId} />
          ) : (
            <span className="faint" title="No inference call followed: showing the installed replacement">
              replacement (no call after)
            </span>
          )}
          <span className="faint">
            {after.size.items} in window · {formatBytes(after.size.bytes)}
          </span>
        </div>
      </div>
      <RowList
        rows={rows}
        render={render}
        rowKey={(r) => `${r.before}:${r.after}`}
        label="Before and after, aligned"
        revealIndex={revealIndex}
        revealSeq={revealSeq}
        testId="cmp-ba-list"
      />
      <div className="cmp-legend faint">
        <span>
          <b className="mono">−</b> removed {counts.removed}
        </span>
        <span>
          <b className="mono">≈</b> kept under a new id {counts.resent}
        </span>
        <span>
          <b className="mono">=</b> unchanged {counts.same}
        </span>
        <span>
          <b className="mono">+</b> new {newCount}
        </span>
      </div>
    </div>
  );
}

type ChangeRow =
  { t: 'head'; key: string; text: ReactNode } | { t: 'replaced'; id: string } | { t: 'marker'; id: string | null } | { t: 'installed'; id: string };

function ChangesView({
  e,
  state,
  idx,
  selectedItem,
  onSelectItem,
  revealSeq,
}: {
  e: CompactionEvent;
  state: RolloutTrace;
  idx: TraceIndexes;
  selectedItem: string | null;
  onSelectItem: (id: string) => void;
  revealSeq: number;
}) {
  const rows = useMemo<ChangeRow[]>(() => {
    const out: ChangeRow[] = [];
    const untraced = e.kind === 'untraced';
    out.push({
      t: 'head',
      key: 'h-replaced',
      text: (
        <>
          {untraced ? 'Dropped' : 'Replaced'}{' '}
          <span className="faint">
            · {e.replacedIds.length} items · {formatBytes(e.replacedSize.bytes)}
          </span>
        </>
      ),
    });
    for (const id of e.replacedIds) out.push({ t: 'replaced', id });
    out.push({ t: 'marker', id: e.markerId });
    out.push({
      t: 'head',
      key: 'h-installed',
      text: (
        <>
          {untraced ? 'New in the window after' : 'Installed'}{' '}
          <span className="faint">
            · {e.replacementIds.length} items · {formatBytes(e.replacementSize.bytes)}
          </span>
        </>
      ),
    });
    for (const id of e.replacementIds) out.push({ t: 'installed', id });
    return out;
  }, [e]);
  const keyIndex = useMemo(() => {
    const m = new Map<string, number>();
    if (!e.alignment || !e.after || !e.before) return m;
    e.after.itemIds.forEach((id, j) => {
      const i = e.alignment!.afterMatch[j];
      if (i >= 0) m.set(id, i);
    });
    return m;
  }, [e]);
  const revealIndex = selectedItem ? rows.findIndex((r) => (r.t === 'replaced' || r.t === 'installed' || r.t === 'marker') && r.id === selectedItem) : -1;

  const render = (r: ChangeRow) => {
    switch (r.t) {
      case 'head':
        return <div className="cmp-ch-head">{r.text}</div>;
      case 'marker':
        return (
          <div className="cmp-ch-marker" data-testid="cmp-marker" data-item-id={r.id ?? undefined}>
            <span className="cmp-marker-rule" />
            {r.id ? (
              <button type="button" className={`cmp-marker-btn${selectedItem === r.id ? ' is-selected' : ''}`} onClick={() => onSelectItem(r.id!)}>
                history compacted here · marker #{shortItemId(r.id)}
              </button>
            ) : (
              <span className="cmp-marker-btn is-untraced">{e.kind === 'untraced' ? 'history shrank here · no marker (untraced)' : 'no install'}</span>
            )}
            <span className="cmp-marker-rule" />
          </div>
        );
      case 'replaced': {
        const last = lastCallWith(state, idx, e, r.id);
        const without = firstCallWithout(state, idx, e, r.id);
        const producer = last ? null : (idx.itemProducerCalls.get(r.id)?.[0] ?? null);
        return (
          <div className="cmp-ch-row is-replaced" data-testid="cmp-replaced" data-item-id={r.id}>
            <ItemCell itemId={r.id} item={own(state.conversation_items, r.id)} selected={selectedItem === r.id} onSelect={onSelectItem} />
            <span className="cmp-ch-links">
              {last ? (
                <span title="Last inference call whose request window carried it">
                  last in <CallLink id={last} />
                </span>
              ) : producer ? (
                <span title="Produced by this call (its response); no later request carried it before the compaction">
                  output of <CallLink id={producer} />
                </span>
              ) : (
                <span className="faint" title="No request window carried it before the compaction">
                  never sent
                </span>
              )}
              {without ? (
                <span title="First inference call after the compaction that no longer carried it">
                  gone from <CallLink id={without} />
                </span>
              ) : null}
            </span>
          </div>
        );
      }
      case 'installed': {
        const it = own(state.conversation_items, r.id);
        const i = keyIndex.get(r.id);
        const orig = i !== undefined && e.before ? e.before.itemIds[i] : null;
        const tag =
          orig && orig !== r.id ? (
            <Badge tone="ok" title="Same content as an item of the history before">
              kept
            </Badge>
          ) : isSummaryItem(it) || e.summaryId === r.id ? (
            <Badge tone="compaction" title="The summary the compaction put in place of the history">
              summary
            </Badge>
          ) : null;
        return (
          <div className="cmp-ch-row is-installed" data-testid="cmp-installed" data-item-id={r.id}>
            <ItemCell itemId={r.id} item={it} selected={selectedItem === r.id} onSelect={onSelectItem} tags={tag} />
            <span className="cmp-ch-links">{orig && orig !== r.id && <span>same as {itemLink(orig)}</span>}</span>
          </div>
        );
      }
    }
  };

  if (e.kind === 'failed') return <div className="cmp-note">Nothing was replaced: this compaction was never installed.</div>;
  return (
    <RowList
      rows={rows}
      render={render}
      rowKey={(r, i) => (r.t === 'head' ? r.key : `${r.t}:${'id' in r ? r.id : i}`)}
      label="Replaced and installed items"
      revealIndex={revealIndex}
      revealSeq={revealSeq}
      testId="cmp-changes"
    />
  );
}

function RequestsView({ e, state, idx }: { e: CompactionEvent; state: RolloutTrace; idx: TraceIndexes }) {
  const start = state.started_at_unix_ms;
  const checkpoint = e.compactionId && e.kind === 'installed' ? payloadsOf(idx, { kind: 'compaction', id: e.compactionId }) : [];
  return (
    <div className="cmp-reqs" data-testid="cmp-requests">
      {e.requestIds.length === 0 && (
        <div className="cmp-note">
          {e.kind === 'untraced'
            ? 'No compaction request was recorded: a local compaction summarizes through a request the trace does not record. The requests on either side show the history before and after.'
            : 'No compaction request was recorded for this install.'}
        </div>
      )}
      {e.requestIds.map((rid, n) => {
        const r = own(state.compaction_requests, rid);
        if (!r) return null;
        const dur = r.execution.ended_at_unix_ms != null ? r.execution.ended_at_unix_ms - r.execution.started_at_unix_ms : null;
        return (
          <section key={rid} className="cmp-req" data-testid="cmp-request" data-request-id={rid}>
            <div className="cmp-req-head">
              <span className="cmp-req-n faint">Attempt {n + 1}</span>
              <RefLink target={{ kind: 'compaction_request', id: rid }} />
              <StatusBadge status={r.execution.status} />
              <span className="mono">{r.model}</span>
              <span className="faint">{r.provider_name}</span>
              <span className="cmp-title-sep" />
              <TimeText ms={r.execution.started_at_unix_ms} startMs={start} />
              <span className="mono" title="Duration">
                {dur === null ? 'unfinished' : formatDuration(dur)}
              </span>
            </div>
            <PayloadSection payloadId={r.raw_request_payload_id} payload={own(state.raw_payloads, r.raw_request_payload_id)} role="request" />
            {r.raw_response_payload_id ? (
              <PayloadSection payloadId={r.raw_response_payload_id} payload={own(state.raw_payloads, r.raw_response_payload_id)} role="response" />
            ) : (
              <div className="cmp-noresp faint">No response payload{r.execution.status === 'failed' ? ' (the attempt failed)' : ''}.</div>
            )}
          </section>
        );
      })}
      {checkpoint.length > 0 && (
        <section className="cmp-req">
          <div className="cmp-req-head">
            <span className="cmp-req-n faint">Install</span>
            <span>checkpoint (input and replacement history as the runtime wrote them)</span>
          </div>
          {checkpoint.map((p) => (
            <PayloadSection key={p.payloadId} payloadId={p.payloadId} payload={own(state.raw_payloads, p.payloadId)} role={p.role} inferred={p.inferred} />
          ))}
        </section>
      )}
      {e.kind === 'untraced' &&
        [e.lastBeforeCallId, e.firstAfterCallId].map((cid, k) => {
          const c = cid ? own(state.inference_calls, cid) : undefined;
          if (!c) return null;
          return (
            <section key={cid} className="cmp-req">
              <div className="cmp-req-head">
                <span className="cmp-req-n faint">{k === 0 ? 'Last request before' : 'First request after'}</span>
                <RefLink target={{ kind: 'inference_call', id: c.inference_call_id }} />
                <StatusBadge status={c.execution.status} />
                <span className="mono">{c.model}</span>
                <span className="cmp-title-sep" />
                <TimeText ms={c.execution.started_at_unix_ms} startMs={start} />
              </div>
              <PayloadSection payloadId={c.raw_request_payload_id} payload={own(state.raw_payloads, c.raw_request_payload_id)} role="request" />
            </section>
          );
        })}
    </div>
  );
}

// ---------------------------------------------------------------- detail

export function CompactionDetail({ e, tab, onTab }: { e: CompactionEvent; tab: CompactionTab; onTab: (t: CompactionTab) => void }) {
  const state = useStore((s) => s.state)!;
  const idx = useStore((s) => s.indexes)!;
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const select = useStore((s) => s.select);
  // The item in focus: the selected item, or the item the user came from (a "replaced by" mark selects it, then the compaction).
  const prev = useStore((s) => (s.history.index > 0 && s.selection ? s.history.entries[s.history.index - 1] : null));
  const selectedItem =
    selection?.kind === 'conversation_item'
      ? selection.id
      : prev?.kind === 'conversation_item' && (e.replacedIds.includes(prev.id) || e.replacementIds.includes(prev.id))
        ? prev.id
        : null;
  const onSelectItem = (id: string) => select({ kind: 'conversation_item', id });
  const hasDiff = !!(e.alignment && e.before && e.after);
  const effectiveTab: CompactionTab = tab === 'diff' && !hasDiff ? (e.kind === 'failed' ? 'requests' : 'items') : tab;
  const tabs: TabDef<CompactionTab>[] = [
    { id: 'diff', label: 'Before / after', disabled: !hasDiff },
    { id: 'items', label: e.kind === 'untraced' ? `Dropped → new` : `Replaced → installed` },
    { id: 'requests', label: `Requests${e.requestIds.length ? ` (${e.requestIds.length})` : ''}` },
  ];
  return (
    <div className="cmp-detail" data-testid="cmp-detail" data-event-key={e.key}>
      <DetailHeader e={e} state={state} idx={idx} selectedItem={selectedItem} />
      <TabStrip tabs={tabs} active={effectiveTab} onPick={onTab} label="Compaction detail" className="cmp-tabs" tabClassName="cmp-tab" />
      <div className="cmp-tab-body" role="tabpanel">
        {effectiveTab === 'diff' && hasDiff && (
          <BeforeAfterView e={e} state={state} selectedItem={selectedItem} onSelectItem={onSelectItem} revealSeq={selectionSeq} />
        )}
        {effectiveTab === 'items' && (
          <ChangesView e={e} state={state} idx={idx} selectedItem={selectedItem} onSelectItem={onSelectItem} revealSeq={selectionSeq} />
        )}
        {effectiveTab === 'requests' && <RequestsView e={e} state={state} idx={idx} />}
      </div>
    </div>
  );
}
