/** RefLinks (src/ui) read the loaded trace and the selection from the app store. */
import { useStore } from '../store';
import { connectRefLinks, type RefLinkSource } from '../ui/RefLink';

export const storeRefLinks: RefLinkSource = {
  useState: () => useStore((s) => s.state),
  useIndexes: () => useStore((s) => s.indexes),
  useIsSelected: (target) => useStore((s) => s.selection?.kind === target.kind && s.selection.id === target.id),
  select: (target, opts) => useStore.getState().select(target, opts),
};

export function connectRefLinksToStore(): void {
  connectRefLinks(storeRefLinks);
}
