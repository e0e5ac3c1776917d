/**
 * Measuring rows of a virtualized list without forcing layouts mid-commit.
 * The library's default reads each new row's height from its ref, during
 * React's commit: every read after a DOM change forces a layout, and a list
 * that mounts twenty rows did twenty. Here a row's first size is the cached
 * or estimated one, and the real one comes from the ResizeObserver the
 * library already attaches, which reports right after the browser's own
 * layout and before paint, so nothing is drawn at the estimated size.
 */
import type { Virtualizer } from '@tanstack/react-virtual';

export function measureAfterLayout<S extends Element | Window, E extends Element>(
  element: E,
  entry: ResizeObserverEntry | undefined,
  instance: Virtualizer<S, E>,
): number {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(instance.options.horizontal ? box.inlineSize : box.blockSize);
  const index = instance.indexFromElement(element);
  return instance.itemSizeCache.get(instance.options.getItemKey(index)) ?? instance.options.estimateSize(index);
}
