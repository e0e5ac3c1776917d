// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayloadReaderProvider } from '../../src/panels/inspector';
import { RequestWindowPanel } from '../../src/panels/request-window';
import { resetStore, useStore, type Selection } from '../../src/store';
import { fixtureNames, fixturePayloadReader, loadManifest, loadRawState, loadState } from './helpers';

/** happy-dom does no layout: give the scroll boxes and the chart a size so the virtualizers render every row. */
let restore: (() => void) | null = null;
function stubLayout() {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  const tall = (el: HTMLElement) => el.classList?.contains('rw-list-scroll') || el.classList?.contains('rw-table-scroll');
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get() {
      return tall(this) ? 100_000 : this.classList?.contains('rw') ? 900 : 0;
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get() {
      return tall(this) || this.classList?.contains('rw-chart-plot') ? 1000 : 0;
    },
  });
  Object.defineProperty(proto, 'offsetHeight', {
    configurable: true,
    get() {
      return 0;
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
function select(sel: Selection) {
  act(() => useStore.getState().select(sel));
}
function renderPanel(name: string) {
  const reader = fixturePayloadReader(name);
  const r = render(
    <PayloadReaderProvider reader={reader}>
      <RequestWindowPanel />
    </PayloadReaderProvider>,
  );
  return { ...r, reader };
}
const ids = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.getAttribute('data-item-id'));
const detail = () => screen.getByTestId('rw-detail');
const rawCalls = (raw: any) => Object.values<any>(raw.inference_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);

beforeEach(() => {
  resetStore();
  stubLayout();
});
afterEach(() => {
  cleanup();
  restore?.();
  restore = null;
});

// Every fixture with an official state (long-session's 71 calls are covered in Chromium, test/e2e/request-window.e2e.test.ts).
describe.each(fixtureNames().filter((n) => n !== 'long-session'))('every displayed window of %s is the official one', (name) => {
  it('request_item_ids in the Window tab, response_item_ids in the Response tab, for every inference call', () => {
    load(name);
    const raw = loadRawState(name);
    renderPanel(name);
    for (const call of rawCalls(raw)) {
      select({ kind: 'inference_call', id: call.inference_call_id });
      expect(detail().getAttribute('data-request-id')).toBe(call.inference_call_id);
      fireEvent.click(screen.getByTestId('rw-tab-window'));
      expect(ids('rw-window-item')).toEqual(call.request_item_ids);
      // the +/= marks: new = not in the previous request window of the same thread
      const prev = rawCalls(raw)
        .filter((c) => c.thread_id === call.thread_id && c.execution.started_seq < call.execution.started_seq)
        .pop();
      const marks = screen.getAllByTestId('rw-window-item').map((e) => e.getAttribute('data-diff'));
      expect(marks).toEqual(call.request_item_ids.map((id: string) => (!prev || !prev.request_item_ids.includes(id) ? 'added' : 'carried')));
      fireEvent.click(screen.getByTestId('rw-tab-response'));
      expect(ids('rw-response-item')).toEqual(call.response_item_ids);
      if (call.usage) expect(within(detail()).getByTestId('rw-usage-input').textContent).toContain(call.usage.input_tokens.toLocaleString('en-US'));
      else expect(within(detail()).getByTestId('rw-usage').textContent).toBe('No token usage reported.');
    }
  });
});

describe('compaction requests', () => {
  it('compaction-remote: the window is the payload input, matched to the compaction input history', async () => {
    load('compaction-remote');
    const raw = loadRawState('compaction-remote');
    const { reader } = renderPanel('compaction-remote');
    for (const req of Object.values<any>(raw.compaction_requests)) {
      select({ kind: 'compaction_request', id: req.compaction_request_id });
      expect(detail().getAttribute('data-request-kind')).toBe('compaction_request');
      await waitFor(() => expect(screen.getAllByTestId('rw-window-item').length).toBeGreaterThan(0));
      expect(ids('rw-window-item')).toEqual(raw.compactions[req.compaction_id].input_item_ids);
      // the trailing compaction_trigger is an entry, not a conversation item
      expect(screen.getAllByTestId('rw-window-entry').map((e) => e.getAttribute('data-entry-type'))).toEqual(['compaction_trigger']);
      expect(screen.getByTestId('rw-window-summary').textContent).toMatch(/9 input entries, 8 matched/);
    }
    expect(reader.calls).toEqual(Object.values<any>(raw.compaction_requests).map((r) => raw.raw_payloads[r.raw_request_payload_id].path));
  });

  it('a compaction flag in the chart selects the compaction, and the panel shows its request', async () => {
    load('compaction-remote');
    const raw = loadRawState('compaction-remote');
    renderPanel('compaction-remote');
    const flags = screen.getAllByTestId('strata-compaction');
    const order = Object.values<any>(raw.compactions).sort((a, b) => a.installed_at_unix_ms - b.installed_at_unix_ms);
    expect(flags.map((f) => f.getAttribute('data-compaction-id'))).toEqual(order.map((c) => c.compaction_id));
    fireEvent.click(flags[1]);
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: order[1].compaction_id });
    expect(detail().getAttribute('data-request-id')).toBe(order[1].request_ids[0]);
    await waitFor(() => expect(ids('rw-window-item')).toEqual(order[1].input_item_ids));
  });
});

describe('diff against the previous request', () => {
  it('compaction-remote: the compacted items link their compaction; the base instructions are re-sent', () => {
    load('compaction-remote');
    const raw = loadRawState('compaction-remote');
    const calls = rawCalls(raw);
    renderPanel('compaction-remote');
    select({ kind: 'inference_call', id: calls[2].inference_call_id });
    expect(screen.getByTestId('rw-compaction-notice').textContent).toMatch(/Compaction 1.*8 items replaced by 4/);
    fireEvent.click(screen.getByTestId('rw-tab-diff'));
    const dropped = screen.getAllByTestId('rw-dropped-item');
    const prevAll = [...calls[1].request_item_ids, ...calls[1].response_item_ids];
    expect(dropped.map((d) => d.getAttribute('data-item-id')).sort()).toEqual(prevAll.filter((id) => !calls[2].request_item_ids.includes(id)).sort());
    const byId = Object.fromEntries(dropped.map((d) => [d.getAttribute('data-item-id'), d]));
    expect(byId['conversation_item:1'].getAttribute('data-reason')).toBe('resent');
    expect(byId['conversation_item:8'].getAttribute('data-reason')).toBe('compaction');
    expect(byId['conversation_item:8'].getAttribute('data-from')).toBe('response');
    // the compaction link selects the compaction
    fireEvent.click(within(byId['conversation_item:5']).getByRole('button', { name: 'Compaction 1' }));
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: '01a211df-b672-7542-80d5-fdadbe3c53d0' });
  });

  it('compaction-local: drops with no traced event are flagged as unexplained', () => {
    load('compaction-local');
    const raw = loadRawState('compaction-local');
    const calls = rawCalls(raw);
    renderPanel('compaction-local');
    select({ kind: 'inference_call', id: calls[2].inference_call_id });
    expect(screen.getByTestId('rw-unexplained-notice').textContent).toMatch(/^⚠4 items left the window/);
    expect(screen.queryByTestId('rw-compaction-notice')).toBeNull();
    fireEvent.click(screen.getByTestId('rw-tab-diff'));
    const reasons = Object.fromEntries(screen.getAllByTestId('rw-dropped-item').map((d) => [d.getAttribute('data-item-id'), d.getAttribute('data-reason')]));
    expect(reasons).toEqual({
      'conversation_item:2': 'resent',
      'conversation_item:3': 'resent',
      'conversation_item:5': 'unexplained',
      'conversation_item:6': 'unexplained',
      'conversation_item:7': 'unexplained',
      'conversation_item:8': 'unexplained',
    });
    const added = screen.getAllByTestId('rw-diff-added-item').map((e) => e.getAttribute('data-item-id'));
    expect(added).toEqual(calls[2].request_item_ids.filter((id: string) => !calls[1].request_item_ids.includes(id)));
  });
});

describe('calls table', () => {
  const rowIds = () => screen.getAllByTestId('rw-call-row').map((r) => r.getAttribute('data-id'));

  it('lists every inference call and compaction request in time order; a click selects', () => {
    load('long-session');
    const raw = loadRawState('long-session');
    renderPanel('long-session');
    const expected = [
      ...Object.values<any>(raw.inference_calls).map((c) => ({ id: c.inference_call_id, seq: c.execution.started_seq })),
      ...Object.values<any>(raw.compaction_requests).map((r) => ({ id: r.compaction_request_id, seq: r.execution.started_seq })),
    ]
      .sort((a, b) => a.seq - b.seq)
      .map((x) => x.id);
    expect(rowIds()).toEqual(expected);
    expect(screen.getByTestId('rw-table-count').textContent).toBe('74 requests');
    const row = screen.getAllByTestId('rw-call-row')[5];
    fireEvent.click(row);
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: row.getAttribute('data-id') });
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it('sorts by input tokens and filters by dropped items and thread', () => {
    load('multi-agent');
    const raw = loadRawState('multi-agent');
    renderPanel('multi-agent');
    // sort descending by input tokens (two clicks: tanstack starts numbers descending, then ascending)
    const header = screen.getByRole('columnheader', { name: /^In/ });
    fireEvent.click(header);
    const byIn = Object.values<any>(raw.inference_calls)
      .sort((a, b) => b.usage.input_tokens - a.usage.input_tokens)
      .map((c) => c.inference_call_id);
    expect(rowIds()).toEqual(byIn);
    fireEvent.click(header);
    expect(rowIds()).toEqual([...byIn].reverse());
    // thread filter: only the child's calls
    const child = Object.values<any>(raw.threads).find((t) => t.origin.type === 'spawned');
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter Thread' }), { target: { value: child.agent_path } });
    expect(rowIds().sort()).toEqual(
      Object.values<any>(raw.inference_calls)
        .filter((c) => c.thread_id === child.thread_id)
        .map((c) => c.inference_call_id)
        .sort(),
    );
    expect(screen.getByTestId('rw-table-count').textContent).toMatch(/^1 of 5 requests$/);
  });

  it('numeric filters: items in window and new items', () => {
    load('tools-one-turn');
    const raw = loadRawState('tools-one-turn');
    renderPanel('tools-one-turn');
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter Items' }), { target: { value: '>10' } });
    const calls = rawCalls(raw);
    expect(rowIds()).toEqual(calls.filter((c) => c.request_item_ids.length > 10).map((c) => c.inference_call_id));
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter Items' }), { target: { value: '' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter New' }), { target: { value: '>=3' } });
    const newCount = (i: number) => calls[i].request_item_ids.filter((id: string) => i === 0 || !calls[i - 1].request_item_ids.includes(id)).length;
    expect(rowIds()).toEqual(calls.filter((_, i) => newCount(i) >= 3).map((c) => c.inference_call_id));
    // an invalid expression is flagged and filters nothing
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter New' }), { target: { value: '>>' } });
    expect(screen.getByRole('textbox', { name: 'Filter New' }).className).toContain('is-bad');
    expect(rowIds()).toHaveLength(calls.length);
  });
});

describe('selection from elsewhere and item lifetime', () => {
  it('a tool call shows the inference that started it; an item shows its lifetime', () => {
    load('tools-one-turn');
    const raw = loadRawState('tools-one-turn');
    const calls = rawCalls(raw);
    renderPanel('tools-one-turn');
    const tool = calls[1].tool_call_ids_started_by_response[0];
    select({ kind: 'tool_call', id: tool });
    expect(detail().getAttribute('data-request-id')).toBe(calls[1].inference_call_id);
    // click an item of the window (its position cell): it is selected, the call stays, the lifetime shows
    const item = calls[1].request_item_ids[2];
    const row = screen.getAllByTestId('rw-window-item').find((r) => r.getAttribute('data-item-id') === item)!;
    fireEvent.click(row.querySelector('.rw-pos')!);
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: item });
    expect(detail().getAttribute('data-request-id')).toBe(calls[1].inference_call_id);
    const carriers = calls.filter((c) => c.request_item_ids.includes(item)).map((c) => c.inference_call_id);
    expect(screen.getByTestId('rw-lifetime').getAttribute('data-item-id')).toBe(item);
    expect(screen.getByTestId('rw-lifetime-count').textContent).toBe(String(carriers.length));
    expect(screen.getByTestId('rw-lifetime-end').textContent).toMatch(/still in the last window/);
    const marked = screen
      .getAllByTestId('rw-call-row')
      .filter((r) => r.classList.contains('is-carrier'))
      .map((r) => r.getAttribute('data-id'));
    expect(marked).toEqual(carriers);
  });

  it('an item selected elsewhere that the shown call did not carry moves to the first call that did', () => {
    load('compaction-remote');
    const raw = loadRawState('compaction-remote');
    const calls = rawCalls(raw);
    renderPanel('compaction-remote');
    select({ kind: 'inference_call', id: calls[4].inference_call_id });
    select({ kind: 'conversation_item', id: 'conversation_item:6' });
    expect(detail().getAttribute('data-request-id')).toBe(calls[1].inference_call_id);
    expect(screen.getByTestId('rw-lifetime-end').textContent).toMatch(/compacted by Compaction 1/);
  });

  it('multi-agent: selecting a call of the child thread switches the chart to that thread', () => {
    load('multi-agent');
    const raw = loadRawState('multi-agent');
    renderPanel('multi-agent');
    const child = Object.values<any>(raw.threads).find((t) => t.origin.type === 'spawned');
    const childCalls = rawCalls(raw).filter((c) => c.thread_id === child.thread_id);
    expect(screen.getByTestId('strata-chart').getAttribute('data-calls')).toBe(String(rawCalls(raw).length - childCalls.length));
    select({ kind: 'inference_call', id: childCalls[0].inference_call_id });
    expect(useStore.getState().activeThreadId).toBe(child.thread_id);
    expect(screen.getByTestId('strata-chart').getAttribute('data-calls')).toBe(String(childCalls.length));
    expect(ids('rw-window-item')).toEqual(childCalls[0].request_item_ids);
  });
});
