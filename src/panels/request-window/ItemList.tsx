/** A virtualized list of fixed-height item rows. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';
import { ITEM_ROW_H } from './ItemLine';

export function ItemList({
  count,
  render,
  label,
  revealIndex,
  revealSeq,
  testId,
}: {
  count: number;
  render(index: number): ReactNode;
  label: string;
  /** Row to scroll into view when revealSeq changes. */
  revealIndex: number | null;
  revealSeq: number;
  testId: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count, getScrollElement: () => ref.current, estimateSize: () => ITEM_ROW_H, overscan: 10 });
  useEffect(() => {
    if (revealIndex !== null && revealIndex >= 0 && revealIndex < count) v.scrollToIndex(revealIndex, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealSeq, revealIndex]);
  return (
    <div className="rw-list-scroll" ref={ref} role="listbox" aria-label={label} data-testid={testId} tabIndex={0}>
      <div className="rw-list-canvas" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((it) => (
          <div key={it.key} className="rw-list-slot" style={{ transform: `translateY(${it.start}px)` }}>
            {render(it.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
