// @vitest-environment happy-dom
/**
 * The session list page (issue 19): rows from real bundles' summaries, sorted
 * and filtered as a reader asks, resumed sessions grouped, bundle text shown
 * as text, and 5,000 rows rendered as a window, not all at once.
 */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { summarizeSession, type SessionSummary } from '../src/trace/sessions/summary';
import type { SearchResult, SessionRow } from '../src/trace/sessions/list';
import { SessionList } from '../src/sessions/SessionList';
import { DEFAULT_SORTING, useSessionsStore } from '../src/sessions/sessionsStore';
import { TRACES } from './loader-helpers';
import { clearPriceTable, loadPriceTable, resetPriceTableCache } from '../src/ui/priceTable';

let restore: (() => void) | null = null;
function stubLayout(height: number) {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get() {
      return this.classList?.contains('sess-scroll') ? height : 0;
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get() {
      return this.classList?.contains('sess-scroll') ? 1200 : 0;
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

const summaries = new Map<string, SessionSummary>();
beforeAll(async () => {
  for (const n of ['single-turn-answer', 'tools-one-turn', 'multi-agent', 'compaction-remote'])
    summaries.set(n, summarizeSession(await reduceBundle(new DirectorySource(path.join(TRACES, n)))));
  summaries.set('bad', summarizeSession(await reduceBundle(new DirectorySource(path.join(TRACES, 'broken', 'truncated-mid-file')))));
}, 60_000);

const row = (name: string, summary: SessionSummary | null, extra: Partial<SessionRow> = {}): SessionRow => ({
  name,
  sizeBytes: 12_345,
  modifiedMs: 0,
  recording: false,
  pending: summary === null,
  summary,
  ...extra,
});

function setList(sessions: SessionRow[]) {
  act(() => useSessionsStore.setState({ list: { total: sessions.length, summarised: sessions.filter((s) => !s.pending).length, sessions }, available: true }));
}

beforeEach(() => {
  localStorage.clear();
  resetPriceTableCache();
  act(() => clearPriceTable());
  useSessionsStore.setState({ list: null, query: '', searchText: '', statuses: [], sorting: DEFAULT_SORTING, error: null });
  stubLayout(2000);
});
afterEach(() => {
  cleanup();
  restore?.();
});

const names = () => screen.queryAllByTestId('session-row').map((r) => r.getAttribute('data-name'));

describe('the session list', () => {
  it('shows each session with its first prompt, status, figures and name; newest first', () => {
    const s = summaries;
    setList([
      row('root/a', { ...s.get('single-turn-answer')!, rolloutId: 'r-a', startedAtMs: 1_000 }),
      row('root/b', { ...s.get('tools-one-turn')!, rolloutId: 'r-b', startedAtMs: 3_000 }),
      row('root/bad', { ...s.get('bad')!, rolloutId: 'r-bad', startedAtMs: 2_000 }),
    ]);
    render(<SessionList onOpen={() => {}} />);
    expect(names()).toEqual(['root/b', 'root/bad', 'root/a']);
    const a = screen.getAllByTestId('session-row')[2];
    expect(within(a).getByText(s.get('single-turn-answer')!.firstPrompt!)).toBeTruthy();
    expect(within(a).getByText('complete')).toBeTruthy();
    const bad = screen.getAllByTestId('session-row')[1];
    expect(within(bad).getByText('partial').getAttribute('title')).toMatch(/trace\.jsonl/);
  });

  it('sorts by a column on a click, and filters by text and by status', () => {
    setList([
      row('root/one', { ...summaries.get('single-turn-answer')!, rolloutId: 'r1', turns: 1, startedAtMs: 1 }),
      row('root/many', { ...summaries.get('tools-one-turn')!, rolloutId: 'r2', turns: 9, startedAtMs: 2 }),
      row('root/some', { ...summaries.get('multi-agent')!, rolloutId: 'r3', turns: 4, startedAtMs: 3, status: 'unclosed' }),
    ]);
    render(<SessionList onOpen={() => {}} />);
    fireEvent.click(screen.getByRole('columnheader', { name: /Turns/ }));
    const asc = names();
    fireEvent.click(screen.getByRole('columnheader', { name: /Turns/ }));
    expect(names()).toEqual([...asc].reverse());
    expect(new Set(asc)).toEqual(new Set(['root/one', 'root/many', 'root/some']));

    fireEvent.change(screen.getByLabelText('Filter sessions'), { target: { value: 'MANY' } });
    expect(names()).toEqual(['root/many']);
    fireEvent.change(screen.getByLabelText('Filter sessions'), { target: { value: summaries.get('multi-agent')!.traceId!.slice(0, 8) } });
    expect(names()).toEqual(['root/some']);
    fireEvent.change(screen.getByLabelText('Filter sessions'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: /^unclosed/ }));
    expect(names()).toEqual(['root/some']);
  });

  it('a resumed session is one row; its later bundles open under it', () => {
    const base = summaries.get('single-turn-answer')!;
    setList([
      row('root/first', { ...base, rolloutId: 'r-1', startedAtMs: 10 }),
      row('root/second', { ...base, rolloutId: 'r-1', startedAtMs: 20 }),
      row('root/third', { ...base, rolloutId: 'r-1', startedAtMs: 30 }),
      row('root/other', { ...base, rolloutId: 'r-2', startedAtMs: 5 }),
    ]);
    render(<SessionList onOpen={() => {}} />);
    expect(names()).toEqual(['root/first', 'root/other']);
    fireEvent.click(screen.getByRole('button', { name: /resumed 2×/ }));
    expect(names()).toEqual(['root/first', 'root/second', 'root/third', 'root/other']);
  });

  it('a click or Enter opens the trace; a recording session is marked live', () => {
    const onOpen = vi.fn();
    setList([
      row('root/live', { ...summaries.get('single-turn-answer')!, rolloutId: 'r1', status: 'unclosed' }, { recording: true }),
      row('root/done', { ...summaries.get('tools-one-turn')!, rolloutId: 'r2' }),
    ]);
    render(<SessionList onOpen={onOpen} />);
    const live = screen.getAllByTestId('session-row').find((r) => r.getAttribute('data-name') === 'root/live')!;
    expect(within(live).getByText('recording').className).toContain('sess-live');
    fireEvent.click(live);
    fireEvent.keyDown(
      screen.getAllByTestId('session-row').find((r) => r.getAttribute('data-name') === 'root/done')!,
      { key: 'Enter' },
    );
    expect(onOpen.mock.calls).toEqual([['root/live'], ['root/done']]);
  });

  it('shows progress while summaries come in, and rows not yet summarised', () => {
    setList([row('root/a', summaries.get('single-turn-answer')!), row('root/b', null)]);
    render(<SessionList onOpen={() => {}} />);
    expect(screen.getByRole('status').textContent).toContain('Summarising 1 of 2');
    expect(screen.getAllByText('summarising…').length).toBeGreaterThan(0);
  });

  it('prompt text from a bundle is shown as text, never as markup', () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    setList([row('root/x', { ...summaries.get('single-turn-answer')!, firstPrompt: evil })]);
    const { container } = render(<SessionList onOpen={() => {}} />);
    expect(screen.getByText(evil)).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('5,000 sessions: only a window of rows is in the page', () => {
    restore?.();
    stubLayout(800);
    const base = summaries.get('single-turn-answer')!;
    setList(Array.from({ length: 5000 }, (_, i) => row(`root/s${i}`, { ...base, rolloutId: `r${i}`, startedAtMs: i })));
    render(<SessionList onOpen={() => {}} />);
    const shown = screen.getAllByTestId('session-row').length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(80);
    expect(screen.getByText('5,000 bundles')).toBeTruthy();
  });

  it('searching inside all sessions lists hits by session with the words marked; a hit opens its trace at the object', async () => {
    setList([row('root/tools', { ...summaries.get('tools-one-turn')!, rolloutId: 'r1' })]);
    const result: SearchResult = {
      available: true,
      message: null,
      indexed: 1,
      total: 1,
      groups: [
        {
          name: 'root/tools',
          more: 3,
          hits: [
            {
              kind: 'terminal_operation',
              ref: 'terminal_operation:4',
              threadId: null,
              title: 'cat missing-file.txt',
              snippet: '…cat: \u0001missing\u0002 <b>x</b>…',
            },
          ],
        },
      ],
    };
    const search = vi.fn(async () => result);
    const onOpenAt = vi.fn();
    const { container } = render(<SessionList onOpen={() => {}} search={search} onOpenAt={onOpenAt} />);
    fireEvent.change(screen.getByLabelText('Search inside all sessions'), { target: { value: 'missing' } });
    const hit = await screen.findByTestId('search-hit');
    expect(search).toHaveBeenCalledWith('missing', expect.any(AbortSignal));
    expect(hit.querySelector('mark')?.textContent).toBe('missing');
    expect(hit.textContent).toContain('<b>x</b>');
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByText('and 3 more in this session')).toBeTruthy();
    expect(screen.getByText(/4 hits in 1 session/)).toBeTruthy();
    fireEvent.click(hit);
    expect(onOpenAt).toHaveBeenCalledWith('root/tools', result.groups[0].hits[0]);
  });

  it('says when hits may be missing: bundles not indexed yet, and bundles of a dropped root beyond the memory kept for search', async () => {
    setList([row('root/tools', summaries.get('tools-one-turn')!), row('root/wait', null)]);
    let result: SearchResult = { available: true, message: null, indexed: 1, total: 2, unsearchable: 0, groups: [] };
    const search = vi.fn(async () => result);
    render(<SessionList onOpen={() => {}} search={search} />);
    fireEvent.change(screen.getByLabelText('Search inside all sessions'), { target: { value: 'missing' } });
    expect((await screen.findByText(/No hits/)).textContent).toBe('No hits · 1 of 2 bundles indexed so far: more hits may follow');
    expect(screen.queryByRole('note')).toBeNull();
    result = { ...result, indexed: 2, unsearchable: 1 };
    fireEvent.change(screen.getByLabelText('Search inside all sessions'), { target: { value: 'missing-file' } });
    const note = await screen.findByRole('note');
    expect(note.textContent).toMatch(/^1 bundle is not searched: the tab keeps at most 256 MiB of text for search/);
    expect(screen.getByText(/No hits/).textContent).toBe('No hits');
  });

  it('while the index is still being written after the list is complete, the hits that arrive are shown without typing again', async () => {
    // Every bundle summarised: the list no longer changes, but the server indexes after it summarises.
    setList([row('root/tools', summaries.get('tools-one-turn')!), row('root/agents', summaries.get('multi-agent')!)]);
    const hit = {
      kind: 'terminal_operation' as const,
      ref: 'terminal_operation:4',
      threadId: null,
      title: 'cat missing-file.txt',
      snippet: '\u0001missing\u0002',
    };
    let result: SearchResult = { available: true, message: null, indexed: 0, total: 2, groups: [] };
    const search = vi.fn(async () => result);
    render(<SessionList onOpen={() => {}} search={search} />);
    fireEvent.change(screen.getByLabelText('Search inside all sessions'), { target: { value: 'missing' } });
    expect((await screen.findByText(/No hits/)).textContent).toBe('No hits · 0 of 2 bundles indexed so far: more hits may follow');
    result = { ...result, indexed: 2, groups: [{ name: 'root/tools', more: 0, hits: [hit] }] };
    expect((await screen.findByTestId('search-hit', {}, { timeout: 3000 })).textContent).toContain('cat missing-file.txt');
    expect(screen.getByText(/1 hit in 1 session/).textContent).toBe('1 hit in 1 session');
    // Complete: no more asking.
    const asked = search.mock.calls.length;
    await act(() => new Promise((r) => setTimeout(r, 1500)));
    expect(search.mock.calls.length).toBe(asked);
  });

  it('totals the sessions shown in the footer; a price table adds a cost column and total', () => {
    const s = summaries;
    const tools = s.get('tools-one-turn')!;
    const multi = s.get('multi-agent')!;
    setList([row('root/tools', { ...tools, rolloutId: 'r-t' }), row('root/multi', { ...multi, rolloutId: 'r-m' }), row('root/wait', null)]);
    render(<SessionList onOpen={() => {}} />);
    const totals = screen.getByTestId('session-totals');
    expect(totals.textContent).toMatch(/^Total of 3 bundles \(2 summarised\)/);
    expect(totals.textContent).toContain(`${tools.inferenceCalls + multi.inferenceCalls} calls`);
    expect(within(totals).getByTitle(new RegExp(`^${(tools.tokens.input + multi.tokens.input).toLocaleString('en-US')} input tokens`))).toBeTruthy();
    expect(screen.queryByRole('columnheader', { name: /Cost/ })).toBeNull();

    // A price of 1 per input token and 2 per output token (per: 1): the figures are token counts.
    act(() => void loadPriceTable('{"currency":"EUR","per":1,"models":{"gpt-5.5":{"input":1,"output":2}}}', 'p.json'));
    expect(screen.getByRole('columnheader', { name: /Cost \(EUR\)/ })).toBeTruthy();
    const cost = (x: typeof tools) => x.tokens.input + 2 * x.tokens.output;
    const toolsRow = screen.getAllByTestId('session-row').find((r) => r.getAttribute('data-name') === 'root/tools')!;
    expect(within(toolsRow).getByTestId('session-cost').textContent).toBe(`${cost(tools).toLocaleString('en-US')}.00`);
    // root/wait is not summarised yet: what it costs is unknown, so the total is a lower bound.
    expect(screen.getByTestId('session-total-cost').textContent).toBe(`${(cost(tools) + cost(multi)).toLocaleString('en-US')}.00 EUR (partial)`);
    fireEvent.click(screen.getByRole('button', { name: /complete/ }));
    expect(screen.getByTestId('session-total-cost').textContent).toBe(`${(cost(tools) + cost(multi)).toLocaleString('en-US')}.00 EUR`);
    expect(screen.getByTestId('session-totals').textContent).toMatch(/^Total of 2 bundles/);
    expect(screen.getByTestId('session-totals').textContent).not.toMatch(/summarised/);

    // Sorted by cost, most first; the sort goes with the column when the prices are cleared.
    fireEvent.click(screen.getByRole('columnheader', { name: /Cost \(EUR\)/ }));
    expect(screen.getByRole('columnheader', { name: /Cost \(EUR\)/ }).getAttribute('aria-sort')).toBe('descending');
    expect(names()).toEqual(cost(tools) > cost(multi) ? ['root/tools', 'root/multi'] : ['root/multi', 'root/tools']);
    act(() => clearPriceTable());
    expect(screen.queryByRole('columnheader', { name: /Cost/ })).toBeNull();
    expect(names()).toHaveLength(2);
    act(() => void loadPriceTable('{"currency":"EUR","per":1,"models":{"gpt-5.5":{"input":1,"output":2}}}', 'p.json'));

    // A model the table does not name: that session says so, and the total is partial.
    act(() => void loadPriceTable('{"currency":"EUR","per":1,"models":{"mock-model":{"input":1,"output":2}}}', 'p.json'));
    expect(
      within(screen.getAllByTestId('session-row').find((r) => r.getAttribute('data-name') === 'root/tools')!).getByTestId('session-cost').textContent,
    ).toBe('no price');
    expect(screen.getByTestId('session-total-cost').textContent).toBe('0 EUR (partial)');
  });
});
