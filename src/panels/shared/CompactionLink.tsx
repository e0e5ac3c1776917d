/**
 * A link to a compaction (installed, failed or untraced) that selects it and
 * opens the compaction panel: from a replaced item, one click reaches its
 * compaction. Looks and behaves like `RefLink` otherwise.
 */
import type { ReactNode } from 'react';
import { useStore } from '../../store';
import type { ObjectRef } from '../../trace/indexes/refs';

/** Id of the compaction panel in the panel registry (src/app/panels.ts). */
export const COMPACTION_PANEL_ID = 'compaction';

export function CompactionLink({
  target,
  children,
  title,
  fromItem,
}: {
  target: ObjectRef;
  children: ReactNode;
  title?: string;
  /** The item the link sits on: selected first, so the compaction panel can focus it and Back returns to it. */
  fromItem?: string;
}) {
  const select = useStore((s) => s.select);
  const setCenterPanel = useStore((s) => s.setCenterPanel);
  const current = useStore((s) => s.selection?.kind === target.kind && s.selection.id === target.id);
  return (
    <button
      type="button"
      className={`ref-link${current ? ' is-current' : ''}`}
      data-ref-kind={target.kind}
      data-ref-id={target.id}
      title={title ?? 'Open in the compaction panel'}
      onClick={(e) => {
        e.stopPropagation();
        if (fromItem) select({ kind: 'conversation_item', id: fromItem }, { link: true });
        select(target, { link: true });
        setCenterPanel(COMPACTION_PANEL_ID);
      }}
    >
      <span className="ref-label">{children}</span>
    </button>
  );
}
