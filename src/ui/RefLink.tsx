/** A clickable reference to any trace object: clicking selects it (every panel then reveals it). */
import type { TraceIndexes } from '../trace/indexes/build';
import { KIND_LABEL, objectExists, type ObjectRef } from '../trace/indexes/refs';
import { labelOf } from '../trace/indexes/resolve';
import type { RolloutTrace } from '../trace/schema/state';
import { escapeInvisible } from './invisible';
import { SafeText } from './SafeText';

/**
 * Where RefLinks read the trace and send clicks. Hooks, so that each link
 * re-renders only when what it shows changes (its own selected state), not on
 * every selection.
 */
export interface RefLinkSource {
  useState(): RolloutTrace | null;
  useIndexes(): TraceIndexes | null;
  useIsSelected(target: ObjectRef): boolean;
  /** `link`: a followed link, always its own step in the browser history. */
  select(target: ObjectRef, opts?: { link?: boolean }): void;
}

const NO_TRACE: RefLinkSource = { useState: () => null, useIndexes: () => null, useIsSelected: () => false, select: () => {} };
let source: RefLinkSource = NO_TRACE;

/** Connects every RefLink to the app's trace and selection; done once at startup (src/app/refLinks.ts). */
export function connectRefLinks(s: RefLinkSource): void {
  source = s;
}

export function RefLink({ target, children, showKind = false }: { target: ObjectRef; children?: React.ReactNode; showKind?: boolean }) {
  const state = source.useState();
  const indexes = source.useIndexes();
  const selected = source.useIsSelected(target);
  const select = source.select;
  if (!state)
    return (
      <span className="mono">
        <SafeText text={target.id} mode="id" ansi={false} />
      </span>
    );
  const exists = objectExists(state, target);
  const label = typeof children === 'string' ? <SafeText text={children} mode="id" ansi={false} /> : (children ?? labelOf(state, indexes, target));
  if (!exists) {
    return (
      <span className="ref-link ref-missing" title={`${KIND_LABEL[target.kind]} ${escapeInvisible(target.id)} is not in this trace`}>
        {showKind && <span className="ref-kind">{KIND_LABEL[target.kind]}</span>}
        <span className="mono">
          <SafeText text={target.id} mode="id" ansi={false} />
        </span>
        <span className="dim"> (not in trace)</span>
      </span>
    );
  }
  return (
    <button
      type="button"
      className={`ref-link${selected ? ' is-current' : ''}`}
      data-ref-kind={target.kind}
      data-ref-id={target.id}
      title={`${KIND_LABEL[target.kind]} ${escapeInvisible(target.id)}`}
      onClick={(e) => {
        e.stopPropagation();
        select(target, { link: true });
      }}
    >
      {showKind && <span className="ref-kind">{KIND_LABEL[target.kind]}</span>}
      <span className="ref-label">{label}</span>
    </button>
  );
}
