/** The thread picker of the conversation and request-window toolbars: sets the active thread. */
import { useStore } from '../../store';
import { own } from '../../trace/indexes/refs';

export function ThreadSwitcher() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const active = useStore((s) => s.activeThreadId);
  const setActiveThread = useStore((s) => s.setActiveThread);
  if (!state) return null;
  const order = indexes?.threadTree.order ?? Object.keys(state.threads);
  // Nothing to switch between: an empty menu would only look broken (the panel says why there is no thread).
  if (order.length === 0) return null;
  return (
    <label className="thread-switcher">
      <span className="faint">Thread</span>
      <select aria-label="Thread" value={active ?? ''} onChange={(e) => setActiveThread(e.target.value || null)}>
        {order.map((id) => {
          const t = own(state.threads, id)!;
          const depth = indexes?.threadTree.depth.get(id) ?? 0;
          const label = `${'\u2003'.repeat(depth)}${depth ? '↳ ' : ''}${t.nickname ? `${t.nickname} · ` : ''}${t.agent_path}  (${t.conversation_item_ids.length})`;
          return (
            <option key={id} value={id}>
              {label}
            </option>
          );
        })}
      </select>
    </label>
  );
}
