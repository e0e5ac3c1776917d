// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompactionPanel } from '../../src/panels/compaction';
import { PayloadReaderProvider } from '../../src/panels/inspector';
import { resetStore, useStore } from '../../src/store';
import { fixturePayloadReader, loadManifest, loadRawState, loadState } from './helpers';

function load(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
}
function renderPanel(name: string) {
  const reader = fixturePayloadReader(name);
  load(name);
  render(
    <PayloadReaderProvider reader={reader}>
      <CompactionPanel />
    </PayloadReaderProvider>,
  );
  return reader;
}
const ids = (els: HTMLElement[]) => els.map((e) => e.getAttribute('data-item-id'));
const detailKey = () => screen.getByTestId('cmp-detail').getAttribute('data-event-key');
const rowLabels = () => screen.getAllByTestId('cmp-row').map((r) => within(r).getAllByRole('cell')[0].textContent);
const tab = (name: RegExp) => fireEvent.click(screen.getByRole('tab', { name }));
const callsInOrder = (raw: any): string[] =>
  Object.values<any>(raw.inference_calls)
    .sort((a, b) => a.execution.started_seq - b.execution.started_seq)
    .map((c) => c.inference_call_id);
/** Compactions of the raw state in install order. */
const installOrder = (raw: any): any[] => Object.values<any>(raw.compactions).sort((a, b) => a.installed_at_unix_ms - b.installed_at_unix_ms);

beforeEach(() => resetStore());
afterEach(() => cleanup());

describe('CompactionPanel: marks exactly what each compaction replaced and installed', () => {
  for (const name of ['compaction-remote', 'long-session', 'multi-turn-manual-compact', 'compaction-failed']) {
    it(`${name}: replaced = input_item_ids, installed = replacement_item_ids, marker = marker_item_id`, () => {
      const raw = loadRawState(name);
      renderPanel(name);
      for (const c of installOrder(raw)) {
        // Pick the compaction in the table.
        const row = screen.getAllByTestId('cmp-row').find((r) => r.getAttribute('data-key') === c.compaction_id)!;
        fireEvent.click(row);
        expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: c.compaction_id });
        expect(detailKey()).toBe(c.compaction_id);

        // Before/after: the marked cells are exactly the official lists.
        tab(/Before \/ after/);
        const ba = screen.getByTestId('cmp-before-after');
        const replacedCells = ba.querySelectorAll<HTMLElement>('[data-replaced="true"]');
        const installedCells = ba.querySelectorAll<HTMLElement>('[data-installed="true"]');
        expect(ids([...replacedCells]).sort()).toEqual([...c.input_item_ids].sort());
        expect(ids([...installedCells]).sort()).toEqual([...c.replacement_item_ids].sort());
        // Every replaced item sits in the "before" column, every installed one in the "after" column.
        for (const el of replacedCells) expect(el.classList.contains('cmp-ba-before')).toBe(true);
        for (const el of installedCells) expect(el.classList.contains('cmp-ba-after')).toBe(true);

        // Replaced → installed list: same sets, in the official order, split by the marker.
        tab(/Replaced → installed/);
        expect(ids(screen.getAllByTestId('cmp-replaced'))).toEqual(c.input_item_ids);
        expect(ids(screen.getAllByTestId('cmp-installed'))).toEqual(c.replacement_item_ids);
        expect(screen.getByTestId('cmp-marker').getAttribute('data-item-id')).toBe(c.marker_item_id);
      }
    });
  }
});

describe('CompactionPanel: untraced compaction (compaction-local)', () => {
  it('lists the two shrinks with no compaction record and shows what the window lost', () => {
    const raw = loadRawState('compaction-local');
    const calls = callsInOrder(raw);
    renderPanel('compaction-local');
    expect(rowLabels()).toEqual(['Untraced compaction 1', 'Untraced compaction 2']);
    expect(screen.getAllByTestId('cmp-row').every((r) => within(r).queryByText('untraced'))).toBe(true);
    fireEvent.click(screen.getAllByTestId('cmp-row')[0]);
    // Selecting an untraced compaction selects the first inference call after the shrink.
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: calls[2] });
    const head = screen.getByTestId('cmp-detail-head');
    expect(head.textContent).toMatch(/with no compaction record/);
    expect(head.textContent).toMatch(/lost 4 items/);
    const ba = screen.getByTestId('cmp-before-after');
    const removed = [...ba.querySelectorAll<HTMLElement>('.cmp-ba-before[data-relation="removed"]')];
    expect(ids(removed)).toEqual(['conversation_item:5', 'conversation_item:6', 'conversation_item:7', 'conversation_item:8']);
    const added = [...ba.querySelectorAll<HTMLElement>('.cmp-ba-after[data-relation="new"]')];
    expect(ids(added)).toEqual(['conversation_item:11']);
    // Re-sent context pairs with its original on the same row (2 ≈ 9, 3 ≈ 10).
    const pairRow = [...ba.querySelectorAll<HTMLElement>('[data-testid="cmp-ba-row"]')].find(
      (r) => r.querySelector('.cmp-ba-before')?.getAttribute('data-item-id') === 'conversation_item:2',
    )!;
    expect(pairRow.getAttribute('data-relation')).toBe('resent');
    expect(pairRow.querySelector('.cmp-ba-after')!.getAttribute('data-item-id')).toBe('conversation_item:9');
    // The before/after headers name the two calls.
    expect(within(ba).getByRole('button', { name: /Inference 2/ })).toBeTruthy();
    expect(within(ba).getByRole('button', { name: /Inference 3/ })).toBeTruthy();
  });

  it('"Saved" says which way the history went: a saving as a size, a loss as "grew", never a bare sign', () => {
    renderPanel('compaction-local');
    const saved = screen.getAllByTestId('cmp-saved').map((e) => e.textContent);
    expect(saved).toEqual(['grew 332 B', '189 B']);
    expect(screen.getAllByTestId('cmp-saved')[0].getAttribute('title')).toMatch(/332 bytes larger after it/);
  });

  it('a selection of the call after the shrink, from anywhere, shows it', () => {
    const calls = callsInOrder(loadRawState('compaction-local'));
    renderPanel('compaction-local');
    act(() => useStore.getState().select({ kind: 'inference_call', id: calls[4] }));
    expect(detailKey()).toBe(`untraced:${calls[4]}`);
  });
});

describe('CompactionPanel: what an untraced compaction is, and where it sits', () => {
  it('compaction-local: the summary message is marked as the summary, and is the one item gained', () => {
    renderPanel('compaction-local');
    fireEvent.click(screen.getAllByTestId('cmp-row')[0]);
    const head = screen.getByTestId('cmp-detail-head');
    expect(within(head).getByTestId('cmp-gained').textContent).toBe('1');
    expect(head.textContent).toMatch(/summary #11/);
    const ba = screen.getByTestId('cmp-before-after');
    const summary = ba.querySelector<HTMLElement>('.cmp-ba-after[data-item-id="conversation_item:11"]')!;
    expect(within(summary).getByText('summary')).toBeTruthy();
    // The toolbar says what the untraced ones are, beside the recorded ones (the header counts those).
    expect(screen.getByTestId('cmp-counts').textContent).toBe('2 untraced (detected, no record)');
  });

  it('a local /compact (no record: multi-turn-manual-compact with its compaction records taken out) is labelled with the turn that compacted, at its time; the next prompt is not counted', () => {
    const name = 'multi-turn-manual-compact';
    const state = loadState(name);
    const c = Object.values(state.compactions)[0];
    const compactTurn = state.codex_turns[c.codex_turn_id];
    // What a local compaction leaves: no compactions / compaction_requests entries and no marker item.
    state.compactions = {};
    state.compaction_requests = {};
    delete state.conversation_items[c.marker_item_id];
    act(() => useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state, error: null, diagnostics: [], bundleKey: name }));
    render(
      <PayloadReaderProvider reader={fixturePayloadReader(name)}>
        <CompactionPanel />
      </PayloadReaderProvider>,
    );
    const row = screen.getAllByTestId('cmp-row');
    expect(row).toHaveLength(1);
    const turnN = useStore.getState().indexes!.turnOrdinal.get(compactTurn.codex_turn_id);
    expect(turnN).toBe(3);
    expect(within(row[0]).getAllByRole('cell')[2].textContent).toBe('Turn 3');
    fireEvent.click(row[0]);
    const head = screen.getByTestId('cmp-detail-head');
    expect(within(head).getByRole('button', { name: 'Turn 3' })).toBeTruthy();
    const t0 = state.started_at_unix_ms;
    const rel = (ms: number) => `+${ms - t0} ms`;
    expect(within(head).getByTestId('cmp-when-range').textContent).toBe(
      `${rel(compactTurn.execution.started_at_unix_ms)} – ${rel(compactTurn.execution.ended_at_unix_ms!)}`,
    );
    // Gained: the compaction's summary (#16) only; the next turn's prompt (#18) is marked as such.
    expect(within(head).getByTestId('cmp-gained').textContent).toBe('1');
    expect(head.textContent).toMatch(/summary #16/);
    expect(head.textContent).toMatch(/next turn then adds 1/);
    const ba = screen.getByTestId('cmp-before-after');
    expect(within(ba.querySelector<HTMLElement>('.cmp-ba-after[data-item-id="conversation_item:16"]')!).getByText('summary')).toBeTruthy();
    expect(within(ba.querySelector<HTMLElement>('.cmp-ba-after[data-item-id="conversation_item:18"]')!).getByText('next turn')).toBeTruthy();
    expect([...ba.querySelectorAll<HTMLElement>('[data-installed="true"]')].map((e) => e.dataset.itemId)).toEqual(['conversation_item:16']);
  });

  it('the timeline marks untraced compactions, and the header counts them apart from the recorded ones', async () => {
    const { buildTimelineModel, isUntracedCompaction } = await import('../../src/trace/timeline');
    load('compaction-local');
    const { state, indexes } = useStore.getState();
    const m = buildTimelineModel(state!, indexes);
    const marks = Array.from({ length: m.spans.count }, (_, i) => i).filter((i) => isUntracedCompaction(m, i));
    expect(marks.map((i) => m.spans.refs[i])).toEqual(
      callsInOrder(loadRawState('compaction-local'))
        .filter((_, k) => k === 2 || k === 4)
        .map((id) => ({ kind: 'inference_call', id })),
    );
    const { SummaryBar } = await import('../../src/app/SummaryBar');
    render(<SummaryBar />);
    expect(screen.getByTestId('summary-compactions').textContent).toBe('0');
    await waitFor(() => expect(screen.getByTestId('summary-untraced-compactions').textContent).toBe('+2'));
    expect(screen.getByTestId('summary-untraced-compactions').closest('.figure')!.getAttribute('title')).toMatch(/no record in the trace/);
  });
});

describe('CompactionPanel: failed attempt (compaction-failed)', () => {
  it('shows the never-installed compaction with its failed request and no response', async () => {
    const raw = loadRawState('compaction-failed');
    const reader = renderPanel('compaction-failed');
    expect(rowLabels()).toEqual(['Failed compaction 1', 'Compaction 1']);
    const failedRow = screen.getAllByTestId('cmp-row')[0];
    expect(within(failedRow).getByText('failed')).toBeTruthy();
    fireEvent.click(failedRow);
    expect(useStore.getState().selection).toEqual({ kind: 'compaction_request', id: 'compaction_request:1' });
    expect(screen.getByTestId('cmp-detail-head').textContent).toMatch(/Never installed/);
    // No before/after for an attempt that changed nothing: the requests tab is shown.
    expect((screen.getByRole('tab', { name: /Before \/ after/ }) as HTMLButtonElement).disabled).toBe(true);
    const req = screen.getByTestId('cmp-request');
    expect(req.getAttribute('data-request-id')).toBe('compaction_request:1');
    expect(within(req).getByText('failed')).toBeTruthy();
    expect(within(req).getByText(/No response payload \(the attempt failed\)/)).toBeTruthy();
    // The raw request payload opens lazily from the bundle.
    fireEvent.click(within(req).getByRole('button', { name: /Request/ }));
    const path = raw.raw_payloads[raw.compaction_requests['compaction_request:1'].raw_request_payload_id].path;
    await waitFor(() => expect(reader.calls).toContain(path));
  });

  it('filters by request status', () => {
    renderPanel('compaction-failed');
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by request status' }), { target: { value: 'failed' } });
    expect(rowLabels()).toEqual(['Failed compaction 1']);
    expect(screen.getByTestId('cmp-row-count').textContent).toBe('1 of 2 shown');
    fireEvent.click(screen.getByRole('button', { name: 'clear' }));
    expect(rowLabels()).toHaveLength(2);
  });
});

describe('CompactionPanel: linked both ways', () => {
  it('follows a compaction selected elsewhere (e.g. in the timeline)', () => {
    const raw = loadRawState('compaction-remote');
    const [c1, c2] = installOrder(raw);
    renderPanel('compaction-remote');
    expect(detailKey()).toBe(c1.compaction_id);
    act(() => useStore.getState().select({ kind: 'compaction', id: c2.compaction_id }));
    expect(detailKey()).toBe(c2.compaction_id);
    const current = screen.getAllByTestId('cmp-row').find((r) => r.classList.contains('is-current'))!;
    expect(current.getAttribute('data-key')).toBe(c2.compaction_id);
    // Its marker, selected in the conversation, also shows it.
    act(() => useStore.getState().select({ kind: 'compaction', id: c1.compaction_id }));
    act(() => useStore.getState().select({ kind: 'conversation_item', id: c2.marker_item_id }));
    expect(detailKey()).toBe(c2.compaction_id);
  });

  it('from a replaced item: its compaction, and the first inference call that no longer carried it', () => {
    const raw = loadRawState('compaction-remote');
    const calls = callsInOrder(raw);
    const [c1] = installOrder(raw);
    renderPanel('compaction-remote');
    act(() => useStore.getState().select({ kind: 'compaction', id: installOrder(raw)[1].compaction_id }));
    act(() => useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:5' }));
    expect(detailKey()).toBe(c1.compaction_id);
    const focus = screen.getByTestId('cmp-focus');
    expect(focus.textContent).toMatch(/#5 was replaced here/);
    expect(within(focus).getByRole('button', { name: 'Inference 2' })).toBeTruthy();
    fireEvent.click(within(focus).getByRole('button', { name: 'Inference 3' }));
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: calls[2] });
    // The selected item is highlighted in the before column.
    act(() => useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:5' }));
    const cell = screen.getByTestId('cmp-before-after').querySelector('[data-item-id="conversation_item:5"] .cmp-item')!;
    expect(cell.classList.contains('is-selected')).toBe(true);
  });

  it('clicking an item in the before/after view selects it', () => {
    renderPanel('compaction-remote');
    const cell = screen.getByTestId('cmp-before-after').querySelector<HTMLElement>('.cmp-ba-after[data-item-id="conversation_item:14"] button')!;
    fireEvent.click(cell);
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:14' });
    // Still on the same compaction (the summary is its output).
    expect(screen.getByTestId('cmp-detail').getAttribute('data-event-key')).toBe(installOrder(loadRawState('compaction-remote'))[0].compaction_id);
    const summaryCell = screen.getByTestId('cmp-before-after').querySelector<HTMLElement>('.cmp-ba-after[data-item-id="conversation_item:14"]')!;
    expect(summaryCell.querySelector('.badge')!.textContent).toBe('summary');
  });
});

describe('CompactionPanel: table', () => {
  it('sorts by a column and filters by items replaced and size saved', () => {
    renderPanel('long-session');
    expect(rowLabels()).toEqual(['Compaction 1', 'Compaction 2', 'Compaction 3']);
    const replacedHeader = screen.getByRole('button', { name: /Replaced/ });
    fireEvent.click(replacedHeader);
    // Numeric columns sort descending first in @tanstack/react-table.
    const first = rowLabels();
    fireEvent.click(replacedHeader);
    expect(rowLabels()).toEqual([...first].reverse());
    expect(screen.getByRole('columnheader', { name: /Replaced/ }).getAttribute('aria-sort')).not.toBe('none');
    fireEvent.change(screen.getByRole('textbox', { name: 'Minimum items replaced' }), { target: { value: '56' } });
    expect([...rowLabels()].sort()).toEqual(['Compaction 2', 'Compaction 3']);
    fireEvent.change(screen.getByRole('textbox', { name: 'Minimum items replaced' }), { target: { value: '' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Minimum size saved' }), { target: { value: '1M' } });
    expect(screen.queryAllByTestId('cmp-row')).toHaveLength(0);
    expect(screen.getByText('No compaction matches these filters.')).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Minimum size saved' }), { target: { value: 'abc' } });
    expect(screen.getByRole('textbox', { name: 'Minimum size saved' }).classList.contains('is-invalid')).toBe(true);
    expect(screen.queryAllByTestId('cmp-row')).toHaveLength(3);
  });

  it('filters by time (seconds from the trace start)', () => {
    const raw = loadRawState('long-session');
    const t2 = (installOrder(raw)[1].installed_at_unix_ms - raw.started_at_unix_ms) / 1000;
    renderPanel('long-session');
    fireEvent.change(screen.getByRole('textbox', { name: 'From time (s)' }), { target: { value: String(t2 - 0.001) } });
    expect(rowLabels()).toEqual(['Compaction 2', 'Compaction 3']);
    fireEvent.change(screen.getByRole('textbox', { name: 'To time (s)' }), { target: { value: String(t2 + 0.001) } });
    expect(rowLabels()).toEqual(['Compaction 2']);
  });

  it('says so when a trace has no compaction at all', () => {
    renderPanel('tools-one-turn');
    expect(screen.getByTestId('cmp-none').textContent).toMatch(/No compactions in this trace/);
  });
});

describe('CompactionPanel: focus and long lists', () => {
  it('coming from a replaced item (item, then its compaction selected) keeps the item in focus', () => {
    const raw = loadRawState('compaction-remote');
    const [c1] = installOrder(raw);
    renderPanel('compaction-remote');
    act(() => useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:7' }));
    act(() => useStore.getState().select({ kind: 'compaction', id: c1.compaction_id }));
    expect(screen.getByTestId('cmp-focus').textContent).toMatch(/#7 was replaced here · last carried by Inference 2 · first call without it: Inference 3/);
    // "In conversation" opens the conversation at the item.
    fireEvent.click(within(screen.getByTestId('cmp-focus')).getByRole('button', { name: 'show in conversation' }));
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:7' });
    expect(useStore.getState().panels.center).toBe('conversation');
  });

  it('virtualizes a before/after view longer than 300 rows', () => {
    const state = loadState('compaction-remote');
    const calls = Object.values(state.inference_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);
    // Give the last call before compaction 1 a window of 400 extra tool outputs.
    const extra: string[] = [];
    for (let i = 0; i < 400; i++) {
      const id = `conversation_item:${1000 + i}`;
      state.conversation_items[id] = { ...structuredClone(state.conversation_items['conversation_item:7']), item_id: id, call_id: `x${i}` };
      extra.push(id);
    }
    calls[1].request_item_ids = [...calls[1].request_item_ids, ...extra];
    // happy-dom does no layout: a 520 px high list box.
    const saved = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get() {
        return this.classList?.contains('cmp-list-scroll') ? 520 : 0;
      },
    });
    try {
      act(() => useStore.getState().finishLoad({ label: 'big', manifest: null, state, error: null, diagnostics: [], bundleKey: 'big' }));
      render(<CompactionPanel />);
      const list = screen.getByTestId('cmp-ba-list');
      expect(list.getAttribute('data-virtual')).toBe('true');
      const rendered = screen.getAllByTestId('cmp-ba-row').length;
      expect(rendered).toBeGreaterThanOrEqual(20);
      expect(rendered).toBeLessThan(60);
      expect((list.firstElementChild as HTMLElement).style.height).toBe(`${(9 + 400 + 1) * 26}px`);
    } finally {
      if (saved) Object.defineProperty(HTMLElement.prototype, 'clientHeight', saved);
    }
  });
});

describe('CompactionPanel: keyboard', () => {
  it('arrow keys move through the table rows and select each compaction', () => {
    const order = installOrder(loadRawState('long-session'));
    renderPanel('long-session');
    const rows = () => screen.getAllByTestId('cmp-row');
    fireEvent.keyDown(rows()[0], { key: 'ArrowDown' });
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: order[1].compaction_id });
    expect(detailKey()).toBe(order[1].compaction_id);
    fireEvent.keyDown(rows()[1], { key: 'ArrowDown' });
    fireEvent.keyDown(rows()[2], { key: 'ArrowDown' }); // last row: stays
    expect(detailKey()).toBe(order[2].compaction_id);
    fireEvent.keyDown(rows()[2], { key: 'ArrowUp' });
    expect(detailKey()).toBe(order[1].compaction_id);
  });
});
