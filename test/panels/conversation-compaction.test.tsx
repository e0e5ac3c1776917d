// @vitest-environment happy-dom
/** The conversation panel's compaction features: marks that open the compaction, untraced marks, the "Model saw" toggle. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationPanel } from '../../src/panels/conversation';
import { resetStore, useStore } from '../../src/store';
import { formatClock } from '../../src/ui/format';
import { loadManifest, loadRawState, loadState } from './helpers';

/** happy-dom does no layout: give the scroll box and rows a size so the virtualizer renders every row. */
let restore: (() => void) | null = null;
function stubLayout() {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('conv-scroll') ? 100_000 : 0;
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get() {
      return this.classList?.contains('conv-scroll') ? 800 : 0;
    },
  });
  Object.defineProperty(proto, 'offsetHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('conv-slot') ? 50 : 0;
    },
  });
  restore = () => {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(proto, k, d);
      else delete (proto as unknown as Record<string, unknown>)[k];
    }
  };
}
function load(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
}
const rowIds = () => screen.queryAllByTestId('conv-row').map((r) => r.getAttribute('data-item-id'));
const row = (id: string) => screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === id)!;
const callsInOrder = (raw: any): string[] =>
  Object.values<any>(raw.inference_calls)
    .sort((a, b) => a.execution.started_seq - b.execution.started_seq)
    .map((c) => c.inference_call_id);

beforeEach(() => {
  resetStore();
  stubLayout();
});
afterEach(() => {
  cleanup();
  restore?.();
  restore = null;
});

describe('conversation: compaction marks', () => {
  it('"replaced by compaction N at <time>": one click selects the compaction and opens the compaction panel', () => {
    const raw = loadRawState('compaction-remote');
    const c1 = Object.values<any>(raw.compactions).sort((a, b) => a.installed_at_unix_ms - b.installed_at_unix_ms)[0];
    load('compaction-remote');
    render(<ConversationPanel />);
    const mark = within(row('conversation_item:5')).getByTestId('mark-replaced');
    expect(mark.textContent).toBe(`replaced by compaction 1 at ${formatClock(c1.installed_at_unix_ms)}`);
    expect(useStore.getState().panels.center).toBe('conversation');
    fireEvent.click(within(mark).getByRole('button', { name: 'compaction 1' }));
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: c1.compaction_id });
    expect(useStore.getState().panels.center).toBe('compaction');
  });

  it('compaction-local: items dropped by an untraced compaction are marked, and nothing else', () => {
    const calls = callsInOrder(loadRawState('compaction-local'));
    load('compaction-local');
    render(<ConversationPanel />);
    const marked = screen
      .getAllByTestId('mark-untraced')
      .map((m) => [m.closest('[data-testid="conv-row"]')!.getAttribute('data-item-id'), m.textContent?.replace(/ at .*/, '')]);
    expect(marked).toEqual([
      ['conversation_item:5', 'dropped by untraced compaction 1'],
      ['conversation_item:6', 'dropped by untraced compaction 1'],
      ['conversation_item:7', 'dropped by untraced compaction 1'],
      ['conversation_item:8', 'dropped by untraced compaction 1'],
      ['conversation_item:12', 'dropped by untraced compaction 2'],
      ['conversation_item:13', 'dropped by untraced compaction 2'],
      ['conversation_item:14', 'dropped by untraced compaction 2'],
    ]);
    expect(screen.queryAllByTestId('mark-replaced')).toHaveLength(0);
    // The summaries the two compactions put in place of what they dropped.
    const summaries = screen
      .getAllByTestId('mark-summary')
      .map((m) => [m.closest('[data-testid="conv-row"]')!.getAttribute('data-item-id'), m.textContent?.replace(/ at .*/, '')]);
    expect(summaries).toEqual([
      ['conversation_item:11', 'summary of untraced compaction 1'],
      ['conversation_item:17', 'summary of untraced compaction 2'],
    ]);
    fireEvent.click(within(row('conversation_item:6')).getByRole('button', { name: 'untraced compaction 1' }));
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: calls[2] });
    expect(useStore.getState().panels.center).toBe('compaction');
  });
});

describe('conversation: "Model saw" toggle', () => {
  it('switches between the full history and the request window of the selected moment', () => {
    const raw = loadRawState('compaction-remote');
    const calls = callsInOrder(raw);
    const window = (i: number) => raw.inference_calls[calls[i]].request_item_ids;
    load('compaction-remote');
    render(<ConversationPanel />);
    expect(rowIds()).toEqual(raw.threads[raw.root_thread_id].conversation_item_ids);
    fireEvent.click(screen.getByRole('radio', { name: 'Model saw' }));
    // Nothing selected: the thread's latest request.
    expect(rowIds()).toEqual(window(4));
    expect(screen.getByTestId('conv-window-bar').getAttribute('data-call-id')).toBe(calls[4]);
    // A selected call: its window (before the first compaction: the full early history).
    act(() => useStore.getState().select({ kind: 'inference_call', id: calls[1] }));
    expect(rowIds()).toEqual(window(1));
    // Clicking an item of that window keeps the window.
    fireEvent.click(row('conversation_item:4'));
    expect(rowIds()).toEqual(window(1));
    // Stepping to the next call selects it: the window after compaction 1.
    fireEvent.click(screen.getByRole('button', { name: 'Next inference call' }));
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: calls[2] });
    expect(rowIds()).toEqual(window(2));
    expect(rowIds()).not.toContain('conversation_item:5');
    // A replaced item selected elsewhere: the first window that carried it.
    act(() => useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:5' }));
    expect(rowIds()).toEqual(window(1));
    expect(screen.getByTestId('conv-window-bar').textContent).toMatch(/first request that carried the selected item/);
    fireEvent.click(screen.getByRole('radio', { name: 'Full history' }));
    expect(rowIds()).toHaveLength(26);
  });
});
