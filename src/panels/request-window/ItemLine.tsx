/** One conversation item in a window / diff / response list: position, diff mark, id, role, kind, size, where it came from, preview. */
import { memo, type ReactNode } from 'react';
import type { TraceIndexes } from '../../trace/indexes/build';
import type { ObjectRef } from '../../trace/indexes/refs';
import { shortItemId } from '../../trace/indexes/resolve';
import type { ConversationItem, RolloutTrace } from '../../trace/schema/state';
import type { AddOrigin } from '../../trace/windows/diff';
import { addOriginText } from '../../trace/windows/diff';
import type { Stratum } from '../../trace/windows/sizes';
import { formatBytes, formatInt } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { itemPreview, kindLabel } from './itemText';

export const ITEM_ROW_H = 26;

function ordinalLabel(idx: TraceIndexes, kind: 'inference_call' | 'compaction', id: string): string {
  if (kind === 'inference_call') {
    const n = idx.inferenceOrdinal.get(id);
    return n ? `Inference ${n}` : 'Inference';
  }
  const n = idx.compactionOrdinal.get(id);
  return n ? `Compaction ${n}` : 'Compaction';
}

/** Where an item came from: its producers, or the request that first sent it. */
export function ItemSource({ idx, item, origin }: { idx: TraceIndexes; item: ConversationItem; origin?: AddOrigin }) {
  if (origin?.type === 'resent') {
    return (
      <span className="rw-src">
        <span className="faint">re-sent of</span>
        <RefLink target={{ kind: 'conversation_item', id: origin.ofItemId }}>#{shortItemId(origin.ofItemId)}</RefLink>
      </span>
    );
  }
  if (origin?.type === 'returning') {
    return (
      <span className="rw-src">
        <span className="faint">back; last in</span>
        <RefLink target={{ kind: 'inference_call', id: origin.lastCallId }}>{ordinalLabel(idx, 'inference_call', origin.lastCallId)}</RefLink>
      </span>
    );
  }
  const refs: { ref: ObjectRef; label: string }[] = [];
  for (const p of item.produced_by) {
    if (p.type === 'inference')
      refs.push({ ref: { kind: 'inference_call', id: p.inference_call_id }, label: ordinalLabel(idx, 'inference_call', p.inference_call_id) });
    else if (p.type === 'tool') refs.push({ ref: { kind: 'tool_call', id: p.tool_call_id }, label: `tool ${p.tool_call_id}` });
    else if (p.type === 'code_cell') refs.push({ ref: { kind: 'code_cell', id: p.code_cell_id }, label: `cell ${p.code_cell_id.replace(/^code_cell:/, '')}` });
    else if (p.type === 'compaction') refs.push({ ref: { kind: 'compaction', id: p.compaction_id }, label: ordinalLabel(idx, 'compaction', p.compaction_id) });
    else if (p.type === 'interaction_edge') refs.push({ ref: { kind: 'interaction_edge', id: p.edge_id }, label: 'edge' });
  }
  if (refs.length > 0) {
    return (
      <span className="rw-src">
        <span className="faint">←</span>
        {refs.map((r) => (
          <RefLink key={`${r.ref.kind}:${r.ref.id}`} target={r.ref}>
            {r.label}
          </RefLink>
        ))}
      </span>
    );
  }
  if (item.agent_message) {
    const edge = idx.edgesByAnchor.get(`conversation_item:${item.item_id}`)?.[0];
    return (
      <span className="rw-src">
        <span className="faint">from</span>
        {edge ? (
          <RefLink target={{ kind: 'interaction_edge', id: edge }}>{item.agent_message.author}</RefLink>
        ) : (
          <span className="mono">{item.agent_message.author}</span>
        )}
      </span>
    );
  }
  const first = idx.itemRequestSpan.get(item.item_id)?.first;
  return (
    <span className="rw-src">
      <span className="faint">input{first ? ', first in' : ''}</span>
      {first && <RefLink target={{ kind: 'inference_call', id: first }}>{ordinalLabel(idx, 'inference_call', first)}</RefLink>}
    </span>
  );
}

export interface ItemLineProps {
  state: RolloutTrace;
  idx: TraceIndexes;
  item: ConversationItem;
  /** 1-based position in the list. */
  position: number;
  stratum: Stratum;
  bytes: number;
  partialSize: boolean;
  /** Largest item in the list, for the size bar. */
  maxBytes: number;
  mark: 'added' | 'carried' | null;
  origin?: AddOrigin;
  cached?: 'full' | 'partial' | null;
  selected: boolean;
  /** Replaces the source column (e.g. a drop reason). */
  extra?: ReactNode;
  /** A wider source column (diff lists). */
  wide?: boolean;
  testId: string;
  onSelect(itemId: string): void;
}

function ItemLineImpl(p: ItemLineProps) {
  const { item } = p;
  const pct = p.maxBytes > 0 ? Math.max(p.bytes > 0 ? 2 : 0, (p.bytes / p.maxBytes) * 100) : 0;
  return (
    <div
      className={`rw-item${p.wide ? ' rw-item-wide' : ''}${p.selected ? ' is-selected' : ''}${p.mark === 'added' ? ' is-added' : ''}${p.cached ? ` is-cached-${p.cached}` : ''}`}
      data-testid={p.testId}
      data-item-id={item.item_id}
      data-diff={p.mark ?? undefined}
      role="option"
      aria-selected={p.selected}
      onClick={() => p.onSelect(item.item_id)}
      title={p.mark === 'added' && p.origin ? `New in this window: ${addOriginText(p.origin)}` : undefined}
    >
      <span className="rw-pos mono">{p.position}</span>
      <span className={`rw-mark${p.mark === 'added' ? ' rw-plus' : ''}`}>{p.mark === 'added' ? '+' : ''}</span>
      <span className="rw-id mono">#{shortItemId(item.item_id)}</span>
      <span className={`rw-role rw-role-${item.role}`}>{item.role}</span>
      <span className="rw-kind" title={kindLabel(item)}>
        <span className={`rw-swatch rw-sw-${p.stratum}`} />
        <span className="rw-kind-text">{kindLabel(item)}</span>
      </span>
      <span className="rw-size" title={`${formatInt(p.bytes)} bytes of body${p.partialSize ? ' (some content is only in the raw payload)' : ''}`}>
        <span className="rw-size-bar">
          <span className={`rw-size-fill rw-bg-${p.stratum}`} style={{ width: `${pct}%` }} />
        </span>
        <span className="mono">
          {formatBytes(p.bytes)}
          {p.partialSize ? '+' : ''}
        </span>
      </span>
      <span className="rw-from">{p.extra ?? <ItemSource idx={p.idx} item={item} origin={p.origin} />}</span>
      <span className="rw-preview">{itemPreview(item)}</span>
    </div>
  );
}

export const ItemLine = memo(ItemLineImpl);
