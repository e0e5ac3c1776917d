/**
 * The transcript of one thread: `thread.conversation_item_ids` in order,
 * virtualized (variable row heights, measured). Selecting a row selects the
 * item; a selection made anywhere else is revealed here (thread switch +
 * scroll into view).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { measureAfterLayout } from '../../ui/virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useStore } from '../../store';
import { revealItemOf } from '../../trace/indexes/resolve';
import type { ConversationItem } from '../../trace/schema/state';
import { HistoryModeToggle, ModelWindowBar, useHistoryMode, useModelWindow } from './HistoryMode';
import { ItemRow } from './ItemRow';
import { ThreadSwitcher } from '../shared/ThreadSwitcher';
import './conversation.css';
import { own } from '../../trace/indexes/refs';
import { typedPromptText } from '../../trace/prompts';

function estimateSize(item: ConversationItem | undefined): number {
  if (!item) return 60;
  if (item.kind === 'compaction_marker') return 34;
  let chars = 0;
  for (const p of item.body.parts) {
    if (p.type === 'text' || p.type === 'summary') chars += Math.min(p.text.length, 420);
    else if (p.type === 'json') chars += Math.min(p.summary.length, 420);
    else if (p.type === 'code') chars += Math.min(p.source.length, 420);
    else chars += 40;
  }
  return 44 + Math.min(8, Math.ceil(chars / 90)) * 17;
}

export function ConversationPanel() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const activeThreadId = useStore((s) => s.activeThreadId);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const select = useStore((s) => s.select);

  const thread = state && activeThreadId ? own(state.threads, activeThreadId) : undefined;
  // "Full history" or "Model saw": the request window of the selected moment's inference call.
  const [mode, setMode] = useHistoryMode();
  const modelView = useModelWindow(activeThreadId, mode === 'window');
  const itemIds = useMemo(() => {
    if (!thread || !state) return [];
    const ids = modelView ? (own(state.inference_calls, modelView.callId)?.request_item_ids ?? []) : thread.conversation_item_ids;
    return ids.filter((id) => own(state.conversation_items, id));
  }, [thread, state, modelView]);
  const positions = useMemo(() => new Map(itemIds.map((id, i) => [id, i])), [itemIds]);

  // The item the selection is revealed at (itself, or e.g. a tool call's call item).
  const revealId = useMemo(() => (state && selection ? revealItemOf(state, indexes, selection) : null), [state, indexes, selection]);

  // Stable between renders: the virtualizer recomputes every row's position, estimating each unmeasured one,
  // whenever getItemKey changes, which for a transcript of thousands of items was tens of ms per store update.
  const estimates = useMemo(() => itemIds.map((id) => estimateSize(state ? own(state.conversation_items, id) : undefined)), [itemIds, state]);
  const getItemKey = useCallback((i: number) => itemIds[i] ?? i, [itemIds]);
  const estimateRow = useCallback((i: number) => estimates[i] ?? 60, [estimates]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: itemIds.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: estimateRow,
    getItemKey,
    overscan: 3,
    measureElement: measureAfterLayout,
  });

  // New thread: start at its first typed prompt, just below the instructions and preambles (20 KB that
  // every trace would otherwise open on), so that a scroll up shows them. A pending reveal below overrides this.
  const lastThread = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (lastThread.current !== (activeThreadId ?? null)) {
      lastThread.current = activeThreadId ?? null;
      if (!scrollRef.current) return;
      scrollRef.current.scrollTop = 0;
      const first = state
        ? itemIds.findIndex((id) => {
            const it = own(state.conversation_items, id);
            return it !== undefined && typedPromptText(it) !== null;
          })
        : -1;
      if (first > 0) virtualizer.scrollToIndex(first - 1, { align: 'start' });
    }
    // Only a new thread moves the transcript; new items of the same thread must not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeThreadId]);

  // Reveal the selection whenever it is (re)made. A click in this list only
  // needs the row kept in view; a selection from elsewhere is centred.
  const selfSelected = useRef(false);
  useEffect(() => {
    const fromHere = selfSelected.current;
    selfSelected.current = false;
    if (!revealId) return;
    const index = positions.get(revealId);
    if (index === undefined) return;
    virtualizer.scrollToIndex(index, { align: fromHere ? 'auto' : 'center' });
    // A link from another panel (e.g. "show in conversation") unmounts the control that had focus;
    // taking it here lets ↑/↓ go on from the revealed item, as the user expects.
    const active = document.activeElement;
    if (!fromHere && (active === null || active === document.body)) scrollRef.current?.focus({ preventScroll: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectionSeq, revealId, positions]);

  const onSelect = useCallback(
    (itemId: string) => {
      selfSelected.current = true;
      select({ kind: 'conversation_item', id: itemId });
    },
    [select],
  );

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    if (e.altKey || e.metaKey || e.ctrlKey) return;
    e.preventDefault();
    const cur = revealId ? positions.get(revealId) : undefined;
    const next = cur === undefined ? 0 : Math.max(0, Math.min(itemIds.length - 1, cur + (e.key === 'ArrowDown' ? 1 : -1)));
    if (itemIds[next]) onSelect(itemIds[next]);
  };

  if (!state || !indexes) return <div className="conv conv-empty dim">No trace loaded.</div>;

  const showAcceptance = state.schema_version >= 2;
  const compactions = indexes.compactionsByThread.get(activeThreadId ?? '')?.length ?? 0;
  const notAccepted = showAcceptance ? itemIds.filter((id) => own(state.conversation_items, id)?.accepted_seq == null).length : 0;

  return (
    <div className="conv" data-testid="conversation-panel">
      <div className="conv-toolbar">
        <ThreadSwitcher />
        <HistoryModeToggle mode={mode} onChange={setMode} />
        <span className="conv-stats faint">
          {itemIds.length} items
          {compactions > 0 && ` · ${compactions} compaction${compactions === 1 ? '' : 's'}`}
          {notAccepted > 0 && ` · ${notAccepted} not accepted`}
        </span>
      </div>
      {thread && modelView && <ModelWindowBar view={modelView} threadId={thread.thread_id} items={itemIds.length} />}
      {thread && mode === 'window' && !modelView && (
        <div className="conv-window-bar faint">This thread has no inference call: the model saw nothing of it.</div>
      )}
      {!thread ? (
        <div className="conv-empty dim">
          {Object.keys(state.threads).length === 0 ? 'No thread yet: the event log stops before its first thread starts.' : 'Pick a thread.'}
        </div>
      ) : itemIds.length === 0 ? (
        <div className="conv-empty dim">This thread has no conversation items.</div>
      ) : (
        <div className="conv-scroll" ref={scrollRef} tabIndex={0} role="listbox" aria-label={`Conversation of ${thread.agent_path}`} onKeyDown={onKeyDown}>
          <div className="conv-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((v) => {
              const id = itemIds[v.index];
              const item = own(state.conversation_items, id)!;
              const highlight = selection?.kind === 'conversation_item' && selection.id === id ? 'selected' : revealId === id ? 'related' : null;
              return (
                <div key={v.key} data-index={v.index} ref={virtualizer.measureElement} className="conv-slot" style={{ transform: `translateY(${v.start}px)` }}>
                  <ItemRow state={state} indexes={indexes} item={item} highlight={highlight} showAcceptance={showAcceptance} onSelect={onSelect} />
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
