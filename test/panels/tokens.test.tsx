// @vitest-environment happy-dom
/**
 * The Tokens panel (issue 19): the session → thread → turn → call tree with
 * the figures of the real corpus, expanding, selecting a call, a price table
 * loaded from a file (the cost column and total appear with the expected
 * figure), a bad file refused with a reason, and what each compaction saved.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokensPanel } from '../../src/panels/tokens';
import { resetStore, useStore } from '../../src/store';
import { clearPriceTable, PRICE_TABLE_STORAGE_KEY, resetPriceTableCache } from '../../src/ui/priceTable';
import { loadManifest, loadRawState, loadState } from './helpers';

let restore: (() => void) | null = null;
function stubLayout() {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('tok-scroll') ? 4000 : 0;
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get() {
      return this.classList?.contains('tok-scroll') ? 900 : 0;
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

function load(name: string, edit?: (s: ReturnType<typeof loadState>) => void) {
  const state = loadState(name);
  edit?.(state);
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state, error: null, diagnostics: [], bundleKey: name });
  });
  render(<TokensPanel />);
}

const rows = (kind?: string) => screen.getAllByTestId('tokens-row').filter((r) => !kind || r.getAttribute('data-kind') === kind);
const cell = (row: HTMLElement, col: string) => row.querySelector<HTMLElement>(`td[data-col="${col}"]`)!.textContent;
const int = (n: number) => n.toLocaleString('en-US');

function pickFile(text: string, name = 'prices.json') {
  const input = screen.getByTestId('price-table-input') as HTMLInputElement;
  const file = new File([text], name, { type: 'application/json' });
  fireEvent.change(input, { target: { files: [file] } });
}

beforeEach(() => {
  resetStore();
  localStorage.clear();
  resetPriceTableCache();
  clearPriceTable();
  stubLayout();
});
afterEach(() => {
  cleanup();
  restore?.();
});

describe('TokensPanel', () => {
  it('shows the session, thread, turns and calls of long-session with their tokens', async () => {
    const raw = loadRawState('long-session');
    const calls = Object.values<any>(raw.inference_calls);
    load('long-session');
    await waitFor(() => expect(rows('call').length).toBe(calls.length));
    const session = rows('session')[0];
    const input = calls.reduce((n, c) => n + c.usage.input_tokens, 0);
    const output = calls.reduce((n, c) => n + c.usage.output_tokens, 0);
    expect(cell(session, 'calls')).toBe(String(calls.length));
    expect(cell(session, 'input')).toBe(int(input));
    expect(cell(session, 'output')).toBe(int(output));
    expect(cell(session, 'hit')).toBe('0.0%');
    // The first call, in the order calls started.
    const first = calls.sort((a, b) => a.execution.started_seq - b.execution.started_seq)[0];
    expect(rows('call')[0].getAttribute('data-id')).toBe(first.inference_call_id);
    expect(cell(rows('call')[0], 'input')).toBe(int(first.usage.input_tokens));
    // No price table: no cost column.
    expect(screen.queryByText(/^Cost/)).toBeNull();
  });

  it('collapses and expands a turn', async () => {
    load('multi-turn-manual-compact');
    await waitFor(() => expect(rows('turn').length).toBe(5));
    const callsBefore = rows('call').length;
    const turn = rows('turn').find((r) => r.getAttribute('aria-expanded') === 'true' && r.querySelector('.tok-toggle'))!;
    const inTurn = Number(cell(turn, 'calls'));
    fireEvent.click(within(turn).getByRole('button', { name: 'Collapse' }));
    expect(rows('call').length).toBe(callsBefore - inTurn);
    fireEvent.click(within(rows('turn').find((r) => r.getAttribute('data-id') === turn.getAttribute('data-id'))!).getByRole('button', { name: 'Expand' }));
    expect(rows('call').length).toBe(callsBefore);
    // From the keyboard: ← closes, → opens, Enter selects.
    const again = () => rows('turn').find((r) => r.getAttribute('data-id') === turn.getAttribute('data-id'))!;
    fireEvent.keyDown(again(), { key: 'ArrowLeft' });
    expect(rows('call').length).toBe(callsBefore - inTurn);
    fireEvent.keyDown(again(), { key: 'ArrowRight' });
    expect(rows('call').length).toBe(callsBefore);
    fireEvent.keyDown(again(), { key: 'Enter' });
    expect(useStore.getState().selection).toEqual({ kind: 'turn', id: turn.getAttribute('data-id') });
  });

  it('selects a call (and a turn, a thread) in the store when its row is clicked', async () => {
    load('multi-agent');
    await waitFor(() => expect(rows('call').length).toBe(5));
    const call = rows('call')[2];
    fireEvent.click(call);
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: call.getAttribute('data-id') });
    expect(rows('call')[2].getAttribute('aria-selected')).toBe('true');
    fireEvent.click(rows('turn')[0]);
    expect(useStore.getState().selection).toEqual({ kind: 'turn', id: rows('turn')[0].getAttribute('data-id') });
    // The root thread comes first, named as the thread list names it.
    expect(rows('thread')[0].getAttribute('data-id')).toBe(loadRawState('multi-agent').root_thread_id);
    expect(rows('thread')[0].querySelector('.tok-label')!.textContent).toMatch(/^root /);
  });

  it('a call selected elsewhere opens its turn here and is marked', async () => {
    load('multi-turn-manual-compact');
    await waitFor(() => expect(rows('call').length).toBe(6));
    const turn = rows('turn')[1];
    const callId = rows('call')[1].getAttribute('data-id')!;
    fireEvent.click(within(turn).getByRole('button', { name: 'Collapse' }));
    expect(rows('call').some((r) => r.getAttribute('data-id') === callId)).toBe(false);
    act(() => useStore.getState().select({ kind: 'inference_call', id: callId }));
    await waitFor(() =>
      expect(
        rows('call')
          .find((r) => r.getAttribute('data-id') === callId)
          ?.getAttribute('aria-selected'),
      ).toBe('true'),
    );
  });

  it('says how many calls had no usage instead of counting them as zero', async () => {
    load('inference-error-retry');
    await waitFor(() => expect(screen.getByTestId('tokens-no-usage').textContent).toBe('1 call had no usage'));
    const noUsage = rows('call').filter((r) => cell(r, 'input') === 'no usage');
    expect(noUsage).toHaveLength(1);
    expect(cell(noUsage[0], 'output')).toBe('—');
    expect(cell(noUsage[0], 'hit')).toBe('—');
    expect(cell(rows('session')[0], 'calls')).toBe('3 (1?)');
  });

  it('a price table file brings the cost column and the total, and is kept in localStorage', async () => {
    const raw = loadRawState('long-session');
    const calls = Object.values<any>(raw.inference_calls);
    load('long-session');
    await waitFor(() => expect(rows('call').length).toBe(calls.length));
    pickFile('{"currency":"USD","per":1000000,"models":{"gpt-5.5":{"input":1.25,"cached_input":0.125,"output":10}}}');
    await waitFor(() => expect(screen.getByTestId('tokens-total-cost')).toBeTruthy());
    const input = calls.reduce((n, c) => n + c.usage.input_tokens, 0);
    const output = calls.reduce((n, c) => n + c.usage.output_tokens, 0);
    const cost = (input * 1.25 + output * 10) / 1e6;
    expect(cost).toBeGreaterThan(1);
    const shown = `${Math.floor(cost).toLocaleString('en-US')}.${cost.toFixed(2).split('.')[1]}`;
    expect(screen.getByTestId('tokens-total-cost').textContent).toBe(`Total cost ${shown} USD`);
    expect(screen.getByRole('columnheader', { name: 'Cost (USD)' })).toBeTruthy();
    expect(cell(rows('session')[0], 'cost')).toBe(shown);
    const c0 = calls.sort((a, b) => a.execution.started_seq - b.execution.started_seq)[0];
    expect(cell(rows('call')[0], 'cost')).toBe(((c0.usage.input_tokens * 1.25 + c0.usage.output_tokens * 10) / 1e6).toFixed(4));
    expect(JSON.parse(localStorage.getItem(PRICE_TABLE_STORAGE_KEY)!).name).toBe('prices.json');
    expect(screen.getByTestId('price-table-name').textContent).toMatch(/prices\.json.*USD, 1 model/);

    fireEvent.click(screen.getByRole('button', { name: 'Clear prices' }));
    expect(screen.queryByTestId('tokens-total-cost')).toBeNull();
    expect(localStorage.getItem(PRICE_TABLE_STORAGE_KEY)).toBeNull();
  });

  it('a table without the trace model says "no price" and the total is partial', async () => {
    load('long-session');
    await waitFor(() => expect(rows('call').length).toBeGreaterThan(0));
    const input = screen.getByTestId('price-table-control');
    const file = new File(['{"currency":"EUR","models":{"other":{"input":1,"output":1}}}'], 'eur.json', { type: 'application/json' });
    fireEvent.drop(input, { dataTransfer: { files: [file] } });
    await waitFor(() => expect(screen.getByTestId('tokens-total-cost').textContent).toBe('Total cost 0 EUR (partial)'));
    expect(cell(rows('call')[0], 'cost')).toBe('no price');
  });

  it('refuses a bad file with a reason and keeps the table in use', async () => {
    load('single-turn-answer');
    await waitFor(() => expect(rows('call').length).toBe(1));
    pickFile('{"currency":"USD","models":{"gpt-5.5":{"input":-1,"output":10}}}', 'bad.json');
    await waitFor(() => expect(screen.getByTestId('price-table-error').textContent).toBe('Price table: models["gpt-5.5"].input must not be negative.'));
    expect(screen.queryByTestId('tokens-total-cost')).toBeNull();
    pickFile('not json', 'worse.json');
    await waitFor(() => expect(screen.getByTestId('price-table-error').textContent).toMatch(/^The price table is not valid JSON/));
  });

  it('reads a stored table back only when it is still valid', async () => {
    localStorage.setItem(PRICE_TABLE_STORAGE_KEY, JSON.stringify({ name: 'p.json', text: '{"currency":"USD","models":{"gpt-5.5":{"input":1,"output":-3}}}' }));
    resetPriceTableCache();
    load('single-turn-answer');
    await waitFor(() =>
      expect(screen.getByTestId('price-table-error').textContent).toMatch(
        /^The saved price table was ignored\. Price table: models\["gpt-5.5"\]\.output must not be negative/,
      ),
    );
    expect(screen.queryByTestId('tokens-total-cost')).toBeNull();
  });

  it('lists what each compaction of long-session saved', async () => {
    load('long-session');
    const saved = await waitFor(() => screen.getAllByTestId('tokens-saved'));
    expect(saved.map((s) => s.textContent)).toEqual(['58,000', '57,500', '57,500']);
    fireEvent.click(screen.getAllByTestId('tokens-saving-row')[1]);
    expect(useStore.getState().selection?.kind).toBe('compaction');
  });

  it('shows model and agent names from the trace as text, hidden characters marked', async () => {
    const evil = '<img src=x onerror=alert(1)>\u202Egpt';
    load('multi-agent', (st) => {
      for (const c of Object.values(st.inference_calls)) c.model = evil;
      const sub = Object.values(st.threads).find((t) => t.thread_id !== st.root_thread_id)!;
      sub.nickname = '<b>boss</b>\u200B';
    });
    await waitFor(() => expect(rows('call').length).toBe(5));
    const panel = screen.getByTestId('tokens-panel');
    expect(panel.querySelector('img, b')).toBeNull();
    expect(rows('call')[0].textContent).toContain('<img src=x onerror=alert(1)>⟨RLO⟩gpt');
    expect(rows('thread')[1].textContent).toContain('<b>boss</b>⟨ZWSP⟩');
    // A price table naming that model prices it; the name is compared as written.
    pickFile(JSON.stringify({ currency: 'USD', models: { [evil]: { input: 1, output: 1 } } }));
    await waitFor(() => expect(screen.getByTestId('tokens-total-cost').textContent).not.toMatch(/partial/));
  });
});
