/** One conversation item as a dense one-line cell: number, role, kind, tags, preview, size. */
import type { ReactNode } from 'react';
import { itemBytes, itemBytesIsLowerBound, itemKindLabel, itemPreview } from '../../trace/compaction';
import { shortItemId } from '../../trace/indexes/resolve';
import type { ConversationItem } from '../../trace/schema/state';
import { formatBytes, formatInt } from '../../ui/format';

export function ItemCell({
  itemId,
  item,
  tags,
  selected,
  onSelect,
  testId,
}: {
  itemId: string;
  item: ConversationItem | undefined;
  tags?: ReactNode;
  selected: boolean;
  onSelect: (itemId: string) => void;
  testId?: string;
}) {
  const bytes = itemBytes(item);
  const lower = itemBytesIsLowerBound(item);
  return (
    <button
      type="button"
      className={`cmp-item${selected ? ' is-selected' : ''}`}
      data-item-id={itemId}
      data-testid={testId}
      aria-pressed={selected}
      title={`${itemId} · ${item ? `${item.role} ${itemKindLabel(item)}` : 'not in trace'} · ${formatInt(bytes)}${lower ? '+' : ''} bytes`}
      onClick={(e) => {
        e.stopPropagation();
        onSelect(itemId);
      }}
    >
      <span className="cmp-item-num mono">#{shortItemId(itemId)}</span>
      <span className={`cmp-item-role role-${item?.role ?? 'system'}`}>{item?.role ?? '?'}</span>
      <span className="cmp-item-kind">{itemKindLabel(item)}</span>
      {tags}
      <span className="cmp-item-preview">{itemPreview(item)}</span>
      <span className="cmp-item-size mono">
        {formatBytes(bytes)}
        {lower ? '+' : ''}
      </span>
    </button>
  );
}
