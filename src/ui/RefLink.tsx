/** A clickable reference to any trace object: clicking selects it (every panel then reveals it). */
import { useStore } from '../store';
import { KIND_LABEL, objectExists, type ObjectRef } from '../trace/indexes/refs';
import { labelOf } from '../trace/indexes/resolve';
import { escapeInvisible } from './invisible';
import { SafeText } from './SafeText';

export function RefLink({ target, children, showKind = false }: { target: ObjectRef; children?: React.ReactNode; showKind?: boolean }) {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const select = useStore((s) => s.select);
  const selected = useStore((s) => s.selection?.kind === target.kind && s.selection.id === target.id);
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
