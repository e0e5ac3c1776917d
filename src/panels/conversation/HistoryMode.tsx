/**
 * The conversation's history toggle (added with the compaction panel):
 * "Full history" shows every item the thread ever had; "Model saw" shows only
 * the request window of the inference call that stands for the selected
 * moment (`modelViewAt`: the selected call, the first call that carried the
 * selected item, or the latest call before the selection).
 */
import { useMemo, useRef, useState } from 'react';
import { useStore } from '../../store';
import { modelViewAt, type ModelView } from '../../trace/compaction';
import { RefLink } from '../../ui/RefLink';

export type HistoryMode = 'full' | 'window';

// Remembered across tab switches (the panel unmounts when another centre tab is shown).
let rememberedMode: HistoryMode = 'full';

export function useHistoryMode(): [HistoryMode, (m: HistoryMode) => void] {
  const [mode, setMode] = useState<HistoryMode>(rememberedMode);
  return [
    mode,
    (m) => {
      rememberedMode = m;
      setMode(m);
    },
  ];
}

/** The window shown in "Model saw" mode for the active thread (null when the thread has no inference call). */
export function useModelWindow(threadId: string | null, enabled: boolean): ModelView | null {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const current = useRef<string | null>(null);
  const view = useMemo(() => {
    if (!enabled || !state || !indexes || !threadId) return null;
    return modelViewAt(state, indexes, threadId, selection, current.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, state, indexes, threadId, selection, selectionSeq]);
  current.current = view?.callId ?? null;
  return view;
}

export function HistoryModeToggle({ mode, onChange }: { mode: HistoryMode; onChange: (m: HistoryMode) => void }) {
  return (
    <span className="conv-mode" role="radiogroup" aria-label="History shown">
      <button
        type="button"
        role="radio"
        aria-checked={mode === 'full'}
        className={`conv-mode-btn${mode === 'full' ? ' is-on' : ''}`}
        onClick={() => onChange('full')}
        title="Every item the thread ever had"
      >
        Full history
      </button>
      <button
        type="button"
        role="radio"
        aria-checked={mode === 'window'}
        className={`conv-mode-btn${mode === 'window' ? ' is-on' : ''}`}
        onClick={() => onChange('window')}
        title="Only the request window of the selected (or latest-before-selection) inference call: what the model saw"
      >
        Model saw
      </button>
    </span>
  );
}

const REASON: Record<ModelView['reason'], string> = {
  selected: 'the selected call',
  current: 'contains the selected item',
  first_carrier: 'first request that carried the selected item',
  producer: 'the call that produced the selected item',
  latest_before: 'latest request at or before the selection',
  latest: 'latest request of the thread',
};

/** The strip under the toolbar in "Model saw" mode: which call, why, and stepping to the previous/next call. */
export function ModelWindowBar({ view, threadId, items }: { view: ModelView; threadId: string; items: number }) {
  const indexes = useStore((s) => s.indexes);
  const select = useStore((s) => s.select);
  const calls = indexes?.inferenceCallsByThread.get(threadId) ?? [];
  const i = calls.indexOf(view.callId);
  const step = (d: number) => {
    const next = calls[i + d];
    if (next) select({ kind: 'inference_call', id: next });
  };
  return (
    <div className="conv-window-bar" data-testid="conv-window-bar" data-call-id={view.callId}>
      <button type="button" className="icon-btn" aria-label="Previous inference call" disabled={i <= 0} onClick={() => step(-1)}>
        ‹
      </button>
      <button type="button" className="icon-btn" aria-label="Next inference call" disabled={i < 0 || i + 1 >= calls.length} onClick={() => step(1)}>
        ›
      </button>
      <span>
        Request window of <RefLink target={{ kind: 'inference_call', id: view.callId }} />
      </span>
      <span className="faint">
        · {items} item{items === 1 ? '' : 's'} · {REASON[view.reason]}
      </span>
    </div>
  );
}
