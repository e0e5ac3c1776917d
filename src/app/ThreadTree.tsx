/** Left sidebar: the thread tree (root first, sub-agents nested), and the active thread's turns. */
import { useStore } from '../store';
import type { ThreadNode } from '../trace/indexes/build';
import { StatusBadge } from '../ui/Badge';
import { formatDuration } from '../ui/format';
import { own } from '../trace/indexes/refs';

function ThreadRow({ node }: { node: ThreadNode }) {
  const t = useStore((s) => own(s.state!.threads, node.threadId)!);
  const active = useStore((s) => s.activeThreadId === node.threadId);
  const selected = useStore((s) => s.selection?.kind === 'thread' && s.selection.id === node.threadId);
  const select = useStore((s) => s.select);
  const status = t.execution.status;
  return (
    <>
      <li role="none">
        <button
          type="button"
          role="treeitem"
          aria-level={node.depth + 1}
          aria-selected={active}
          aria-expanded={node.children.length ? true : undefined}
          className={`tree-row${active ? ' is-active' : ''}${selected ? ' is-selected' : ''}`}
          style={{ paddingLeft: 8 + node.depth * 14 }}
          data-testid="thread-row"
          data-thread-id={node.threadId}
          title={`${t.agent_path}  ${t.thread_id}`}
          onClick={() => select({ kind: 'thread', id: node.threadId })}
        >
          {node.depth > 0 && (
            <span className="tree-elbow" aria-hidden="true">
              └
            </span>
          )}
          <span className={`tree-dot status-${status}`} aria-hidden="true" />
          <span className="tree-text">
            <span className="tree-name">{t.nickname ?? (t.origin.type === 'root' ? 'root' : t.origin.task_name)}</span>
            <span className="tree-path mono">{t.agent_path}</span>
          </span>
          <span className="tree-count faint" title="conversation items">
            {t.conversation_item_ids.length}
          </span>
        </button>
      </li>
      {node.children.map((c) => (
        <ThreadRow key={c.threadId} node={c} />
      ))}
    </>
  );
}

function TurnList() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const active = useStore((s) => s.activeThreadId);
  const selection = useStore((s) => s.selection);
  const select = useStore((s) => s.select);
  if (!state || !indexes || !active) return null;
  const turns = indexes.turnsByThread.get(active) ?? [];
  if (turns.length === 0) return null;
  return (
    <div className="side-section">
      <div className="side-title">
        Turns <span className="faint">{turns.length}</span>
      </div>
      <ul className="turn-list">
        {turns.map((id, i) => {
          const t = own(state.codex_turns, id)!;
          const w = t.execution;
          const dur = w.ended_at_unix_ms != null ? w.ended_at_unix_ms - w.started_at_unix_ms : null;
          const isSel = selection?.kind === 'turn' && selection.id === id;
          return (
            <li key={id}>
              <button
                type="button"
                className={`turn-row${isSel ? ' is-selected' : ''}`}
                data-testid="turn-row"
                title={id}
                onClick={() => select({ kind: 'turn', id })}
              >
                <span className="turn-num">Turn {i + 1}</span>
                <span className="turn-items faint">{indexes.itemsByTurn.get(id)?.length ?? 0} items</span>
                <span className="turn-dur mono faint">{formatDuration(dur)}</span>
                {w.status !== 'completed' && <StatusBadge status={w.status} />}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function ThreadTree() {
  const roots = useStore((s) => s.indexes?.threadTree.roots ?? null);
  const count = useStore((s) => s.indexes?.threadTree.order.length ?? 0);
  if (!roots) return null;
  return (
    <nav className="sidebar" aria-label="Threads">
      <div className="side-section">
        <div className="side-title">
          Threads <span className="faint">{count}</span>
        </div>
        <ul className="thread-tree" role="tree" aria-label="Thread tree">
          {roots.map((n) => (
            <ThreadRow key={n.threadId} node={n} />
          ))}
        </ul>
      </div>
      <TurnList />
    </nav>
  );
}
