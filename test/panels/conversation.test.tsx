// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationPanel } from '../../src/panels/conversation';
import { resetStore, useStore } from '../../src/store';
import { loadManifest, loadRawState, loadState } from './helpers';

/** happy-dom does no layout: give the scroll box a height and every row a height so the virtualizer has something to work with. */
const ROW = 50;
let restore: (() => void) | null = null;
function stubLayout(viewport: number) {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight', 'scrollHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('conv-scroll') ? viewport : 0;
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
      return this.classList?.contains('conv-slot') ? ROW : 0;
    },
  });
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('conv-scroll') ? parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '0') || 0 : 0;
    },
  });
  // Like a browser, fire a scroll event after a programmatic scroll (happy-dom does not).
  const scrollTo = Element.prototype.scrollTo;
  Element.prototype.scrollTo = function (this: Element, ...args: unknown[]) {
    (scrollTo as (...a: unknown[]) => void).apply(this, args);
    setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
  } as typeof scrollTo;
  restore = () => {
    Element.prototype.scrollTo = scrollTo;
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

beforeEach(() => resetStore());
afterEach(() => {
  cleanup();
  restore?.();
  restore = null;
});

describe('ConversationPanel', () => {
  it("renders the active thread's items in conversation_item_ids order", () => {
    stubLayout(100_000);
    load('compaction-remote');
    render(<ConversationPanel />);
    const raw = loadRawState('compaction-remote');
    expect(rowIds()).toEqual(raw.threads[raw.root_thread_id].conversation_item_ids);
    // role and kind badges on a function call row
    const row = screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === 'conversation_item:6')!;
    expect(within(row).getByText('assistant')).toBeTruthy();
    expect(within(row).getByText('function call')).toBeTruthy();
    expect(within(row).getByText('call_0002')).toBeTruthy();
    expect(within(row).getByText('commentary')).toBeTruthy();
    expect(within(row).getByRole('button', { name: /Inference 1/ })).toBeTruthy();
  });

  it('virtualizes: a long thread renders only the rows near the viewport', () => {
    stubLayout(400);
    load('long-session');
    render(<ConversationPanel />);
    const n = rowIds().length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(40);
    expect(rowIds()[0]).toBe('conversation_item:1');
  });

  it('switches threads with the thread switcher', () => {
    stubLayout(100_000);
    load('multi-agent');
    render(<ConversationPanel />);
    const raw = loadRawState('multi-agent');
    const worker = Object.keys(raw.threads).find((t) => t !== raw.root_thread_id)!;
    expect(rowIds()).toEqual(raw.threads[raw.root_thread_id].conversation_item_ids);
    fireEvent.change(screen.getByRole('combobox', { name: 'Thread' }), { target: { value: worker } });
    expect(useStore.getState().activeThreadId).toBe(worker);
    expect(rowIds()).toEqual(raw.threads[worker].conversation_item_ids);
    // the selection is untouched by a manual thread switch
    expect(useStore.getState().selection).toBeNull();
  });

  it('marks compaction input and replacement items exactly as the official state lists them (compaction-remote)', () => {
    stubLayout(100_000);
    load('compaction-remote');
    render(<ConversationPanel />);
    const raw = loadRawState('compaction-remote');
    const marks = (testId: string, compactionId: string) =>
      screen
        .queryAllByTestId(testId)
        .filter((m) => m.getAttribute('data-compaction-id') === compactionId)
        .map((m) => m.closest('[data-testid="conv-row"]')!.getAttribute('data-item-id'));
    const ids = Object.keys(raw.compactions);
    expect(ids).toHaveLength(2);
    for (const c of ids) {
      expect(marks('mark-replaced', c)).toEqual(raw.compactions[c].input_item_ids);
      expect(marks('mark-installed', c)).toEqual(raw.compactions[c].replacement_item_ids);
    }
    // nothing else is marked
    const all = new Set(ids.flatMap((c) => [...raw.compactions[c].input_item_ids, ...raw.compactions[c].replacement_item_ids]));
    for (const row of screen.getAllByTestId('conv-row')) {
      if (!all.has(row.getAttribute('data-item-id')!)) {
        expect(within(row).queryByTestId('mark-replaced')).toBeNull();
        expect(within(row).queryByTestId('mark-installed')).toBeNull();
      }
    }
    // each marker item is drawn as a "history compacted here" rule, linked to its compaction
    const markers = screen.getAllByTestId('conv-row').filter((r) => r.getAttribute('data-kind') === 'compaction_marker');
    expect(markers.map((r) => r.getAttribute('data-item-id'))).toEqual(ids.map((c) => raw.compactions[c].marker_item_id));
    expect(within(markers[0]).getByText('History compacted here')).toBeTruthy();
    fireEvent.click(within(markers[1]).getByRole('button', { name: 'compaction 2' }));
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: ids[1] });
    // an item replaced by compaction 2 that compaction 1 had installed carries both marks
    const row11 = screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === 'conversation_item:11')!;
    expect(within(row11).getByText('compaction 1')).toBeTruthy();
    expect(within(row11).getByText('compaction 2')).toBeTruthy();
  });

  it('clicking a row selects the item', () => {
    stubLayout(100_000);
    load('compaction-remote');
    render(<ConversationPanel />);
    const row = screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === 'conversation_item:7')!;
    fireEvent.click(row);
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:7' });
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it('scrolls a selection made elsewhere into view', async () => {
    stubLayout(400);
    load('long-session');
    render(<ConversationPanel />);
    const raw = loadRawState('long-session');
    const ids: string[] = raw.threads[raw.root_thread_id].conversation_item_ids;
    const target = ids[ids.length - 3];
    expect(rowIds()).not.toContain(target);
    const scroller = document.querySelector('.conv-scroll') as HTMLElement;
    const opened = scroller.scrollTop; // at the first typed prompt
    act(() => useStore.getState().select({ kind: 'conversation_item', id: target }));
    await waitFor(() => expect(rowIds()).toContain(target));
    expect(scroller.scrollTop).toBeGreaterThan(opened);
    const row = screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === target)!;
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it('reveals a non-item selection at its item, in the right thread (multi-agent)', async () => {
    stubLayout(100_000);
    load('multi-agent');
    render(<ConversationPanel />);
    const raw = loadRawState('multi-agent');
    const worker = Object.keys(raw.threads).find((t) => t !== raw.root_thread_id)!;
    const workerItem = raw.threads[worker].conversation_item_ids[2];
    act(() => useStore.getState().select({ kind: 'conversation_item', id: workerItem }));
    expect(rowIds()).toEqual(raw.threads[worker].conversation_item_ids);
    // a tool call is revealed at its call item, highlighted as related
    act(() => useStore.getState().select({ kind: 'tool_call', id: 'call_0002' }));
    expect(rowIds()).toEqual(raw.threads[raw.root_thread_id].conversation_item_ids);
    const callItem = raw.tool_calls.call_0002.model_visible_call_item_ids[0];
    const row = screen.getAllByTestId('conv-row').find((r) => r.getAttribute('data-item-id') === callItem)!;
    expect(row.className).toContain('is-related');
  });

  it('shows accepted / not accepted for schema-2 items', () => {
    stubLayout(100_000);
    load('compaction-remote');
    render(<ConversationPanel />);
    const raw = loadRawState('compaction-remote');
    const notAccepted = raw.threads[raw.root_thread_id].conversation_item_ids.filter(
      (id: string) => raw.conversation_items[id].accepted_seq === undefined && raw.conversation_items[id].kind !== 'compaction_marker',
    );
    const flagged = screen
      .getAllByTestId('conv-row')
      .filter((r) => within(r).queryByText('not accepted'))
      .map((r) => r.getAttribute('data-item-id'));
    expect(flagged).toEqual(notAccepted);
  });
});
