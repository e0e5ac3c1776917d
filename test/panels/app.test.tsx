// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/app/App';
import { LAYOUT_STORAGE_KEY, readLayout } from '../../src/app/layoutPrefs';
import { PANELS } from '../../src/app/panels';
import type { TraceServices } from '../../src/app/services';
import { resetStore, useStore } from '../../src/store';
import { SearchIndex } from '../../src/worker/search';
import { fixturePayloadReader, loadManifest, loadRawState, loadState } from './helpers';

/** Loads a fixture into the store and waits until every region of the workspace has mounted (they mount a task apart). */
async function load(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
  await waitFor(() => expect(document.querySelector('.stage-pending')).toBeNull());
}

function services(name: string, search: TraceServices['search'] = async () => []): TraceServices {
  return { readPayload: fixturePayloadReader(name), search };
}

beforeEach(() => {
  resetStore();
  window.history.replaceState(null, '', '/');
  localStorage.clear();
});
afterEach(() => cleanup());

describe('App shell', () => {
  it('shows a welcome with how to open a bundle when nothing is loaded', () => {
    render(<App services={services('single-turn-answer')} />);
    const welcome = screen.getByTestId('welcome');
    expect(within(welcome).getByText('Open a Codex rollout trace')).toBeTruthy();
    expect(within(welcome).getByText(/Drop a trace bundle anywhere/)).toBeTruthy();
    expect(within(welcome).getByRole('button', { name: /Open folder/ })).toBeTruthy();
    expect(screen.queryByTestId('summary-agents')).toBeNull();
  });

  it('shows the trace identity and summary figures computed from the official state', async () => {
    render(<App services={services('multi-agent')} />);
    await load('multi-agent');
    const raw = loadRawState('multi-agent');
    expect(screen.queryByTestId('welcome')).toBeNull();
    const identity = screen.getByTestId('trace-identity');
    expect(within(identity).getByText('multi-agent')).toBeTruthy();
    // The rollout id shows its start; its title (and the copy button) have it whole.
    expect(
      within(identity)
        .getByText(`${raw.rollout_id.slice(0, 8)}…`)
        .closest('[title]')!
        .getAttribute('title'),
    ).toBe(raw.rollout_id);
    const fig = (n: string) => screen.getByTestId(`summary-${n}`).textContent;
    expect(fig('agents')).toBe('2');
    expect(fig('turns')).toBe(String(Object.keys(raw.codex_turns).length));
    expect(fig('items')).toBe('22');
    expect(fig('inference-calls')).toBe('5');
    expect(fig('tool-calls')).toBe('3');
    expect(fig('compactions')).toBe('0');
    let tokens = 0;
    for (const c of Object.values<any>(raw.inference_calls)) tokens += c.usage ? c.usage.input_tokens + c.usage.output_tokens : 0;
    expect(screen.getByTestId('summary-tokens').parentElement!.getAttribute('title')).toContain(tokens.toLocaleString('en-US'));
    expect(fig('wall-time')).toBe(`${raw.ended_at_unix_ms - raw.started_at_unix_ms} ms`);
    expect(fig('status')).toBe('completed');
    expect(fig('recording')).toBe('recording complete');
  });

  it('lists threads root first with sub-agents nested, and selecting one switches the conversation', async () => {
    render(<App services={services('multi-agent')} />);
    await load('multi-agent');
    const raw = loadRawState('multi-agent');
    const rows = screen.getAllByTestId('thread-row');
    expect(rows.map((r) => r.getAttribute('data-thread-id'))).toEqual([raw.root_thread_id, Object.keys(raw.threads).find((t) => t !== raw.root_thread_id)]);
    expect(rows[1].getAttribute('aria-level')).toBe('2');
    expect(within(rows[1]).getByText('Anscombe')).toBeTruthy();
    expect(within(rows[1]).getByText('/root/worker')).toBeTruthy();
    fireEvent.click(rows[1]);
    expect(useStore.getState().activeThreadId).toBe(rows[1].getAttribute('data-thread-id'));
    expect(useStore.getState().selection).toEqual({ kind: 'thread', id: rows[1].getAttribute('data-thread-id') });
    expect((screen.getByRole('combobox', { name: 'Thread' }) as HTMLSelectElement).value).toBe(rows[1].getAttribute('data-thread-id'));
  });

  it('registers only panels that exist, and renders a tab for each', async () => {
    expect(PANELS[0].id).toBe('conversation');
    expect(new Set(PANELS.map((p) => p.id)).size).toBe(PANELS.length);
    for (const p of PANELS) expect(typeof p.component).toBe('function');
    render(<App services={services('single-turn-answer')} />);
    await load('single-turn-answer');
    const center = PANELS.filter((p) => p.region === 'center');
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(expect.arrayContaining(center.map((p) => p.title)));
    expect(screen.getByRole('tab', { name: 'Conversation' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('conversation-panel')).toBeTruthy();
    expect(within(screen.getByRole('complementary', { name: 'Inspector' })).getByText(/Nothing selected/)).toBeTruthy();
  });
});

describe('keyboard', () => {
  it('? opens the shortcut map and Escape closes it', async () => {
    render(<App services={services('single-turn-answer')} />);
    await load('single-turn-answer');
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.keyDown(window, { key: '?' });
    // The map is a chunk of its own (src/app/lazy.tsx): it shows once loaded.
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(dialog).getByText('Back in selection history')).toBeTruthy();
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('[ and ] (and Alt+arrows) walk the selection history', async () => {
    render(<App services={services('multi-agent')} />);
    await load('multi-agent');
    const s = () => useStore.getState();
    act(() => s().select({ kind: 'tool_call', id: 'call_0002' }));
    act(() => s().select({ kind: 'tool_call', id: 'call_0005' }));
    fireEvent.keyDown(window, { key: '[' });
    expect(s().selection).toEqual({ kind: 'tool_call', id: 'call_0002' });
    fireEvent.keyDown(window, { key: ']' });
    expect(s().selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
    fireEvent.keyDown(window, { key: 'ArrowLeft', altKey: true });
    expect(s().selection).toEqual({ kind: 'tool_call', id: 'call_0002' });
    fireEvent.keyDown(window, { key: 'ArrowRight', altKey: true });
    expect(s().selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
    // the header buttons do the same
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(s().selection).toEqual({ kind: 'tool_call', id: 'call_0002' });
    expect((screen.getByRole('button', { name: 'Back' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('/ focuses the search box; hits come from the search service and clicking one selects it', async () => {
    const search = vi.fn(async (q: string) => [
      {
        kind: 'conversation_item' as const,
        id: 'conversation_item:11',
        threadId: '01a211df-b84f-7a40-9801-35cd39c111d7',
        snippet: `…\u0001${q}\u0002 the files…`,
      },
      { kind: 'tool_call' as const, id: 'call_0002', threadId: '01a211df-b809-7550-8dfb-397c91f1e3bd', snippet: 'spawn_agent <b>x</b>' },
    ]);
    render(<App services={services('multi-agent', search)} />);
    await load('multi-agent');
    fireEvent.keyDown(window, { key: '/' });
    const input = screen.getByRole('searchbox', { name: 'Search the trace' });
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: 'count' } });
    const hits = await screen.findAllByTestId('search-hit');
    expect(search).toHaveBeenCalledWith('count', 50);
    expect(hits).toHaveLength(2);
    expect(within(hits[1]).getByText('spawn_agent <b>x</b>')).toBeTruthy(); // snippet is literal text
    // The match is marked, and the snippet reads whole.
    expect(hits[0].querySelector('mark')?.textContent).toBe('count');
    expect(hits[0].querySelector('.search-hit-snippet')?.textContent).toBe('…count the files…');
    fireEvent.click(hits[0]);
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:11' });
    // selecting reveals: the conversation switched to the worker thread
    expect(useStore.getState().activeThreadId).toBe('01a211df-b84f-7a40-9801-35cd39c111d7');
  });

  it('finds objects by the ids the UI shows: call ids, response ids, item ids and #N', async () => {
    const state = loadState('compaction-remote');
    const index = new SearchIndex(state);
    render(<App services={services('compaction-remote', async (q, limit) => index.search(q, limit))} />);
    await load('compaction-remote');
    const input = screen.getByRole('searchbox', { name: 'Search the trace' });
    const firstHit = async (q: string) => {
      fireEvent.change(input, { target: { value: q } });
      fireEvent.focus(input);
      await waitFor(() => expect(screen.queryByText('Searching…')).toBeNull());
      const hits = await screen.findAllByTestId('search-hit');
      return hits[0];
    };
    const call = Object.values(state.tool_calls).find((t) => t.model_visible_call_id === 'call_0009')!;
    fireEvent.click(await firstHit('call_0009'));
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: call.tool_call_id });

    const inf = Object.values(state.inference_calls).find((c) => c.response_id === 'resp_0011')!;
    const hit = await firstHit('RESP_0011');
    expect(within(hit).getByText(/response id: resp_0011/)).toBeTruthy();
    fireEvent.click(hit);
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: inf.inference_call_id });

    for (const q of ['conversation_item:8', '#8']) {
      const h = await firstHit(q);
      expect(within(h).getByText(/^#8 /)).toBeTruthy();
      fireEvent.click(h);
      expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:8' });
    }
    // names shown in links ("Inference 3")
    fireEvent.click(await firstHit('inference 3'));
    const n3 = [...useStore.getState().indexes!.inferenceOrdinal].find(([, n]) => n === 3)![0];
    expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id: n3 });
  });

  it('shows a search failure instead of hits', async () => {
    render(<App services={services('multi-agent', async () => Promise.reject(new Error('no trace in worker')))} />);
    await load('multi-agent');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search the trace' }), { target: { value: 'x' } });
    await waitFor(() => expect(screen.getByText(/Search failed: no trace in worker/)).toBeTruthy());
  });
});

describe('layout', () => {
  it('the timeline gives its room to request windows and compactions; opened or closed, it stays so per panel', async () => {
    render(<App services={services('compaction-remote')} />);
    await load('compaction-remote');
    const toggle = () => screen.getByTestId('bottom-toggle');
    const timelineShown = () => screen.queryByRole('region', { name: 'Bottom panels' }) !== null;
    expect(timelineShown()).toBe(true); // conversation: open
    fireEvent.click(screen.getByRole('tab', { name: 'Request windows' }));
    expect(timelineShown()).toBe(false);
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(screen.getByRole('tab', { name: 'Compactions' }));
    expect(timelineShown()).toBe(false);
    fireEvent.click(toggle()); // open it under Compactions
    expect(timelineShown()).toBe(true);
    fireEvent.click(screen.getByRole('tab', { name: 'Request windows' }));
    expect(timelineShown()).toBe(false);
    fireEvent.click(screen.getByRole('tab', { name: 'Conversation' }));
    fireEvent.click(toggle()); // close it under Conversation
    expect(timelineShown()).toBe(false);
    fireEvent.click(screen.getByRole('tab', { name: 'Compactions' }));
    expect(timelineShown()).toBe(true);
    expect(readLayout().bottomClosed).toEqual({ compaction: false, conversation: true });
  });

  it('splitters resize regions and the sizes persist in localStorage', async () => {
    render(<App services={services('single-turn-answer')} />);
    await load('single-turn-answer');
    const sep = screen.getByRole('separator', { name: 'Resize thread list' });
    const before = Number(sep.getAttribute('aria-valuenow'));
    fireEvent.keyDown(sep, { key: 'ArrowRight', shiftKey: true });
    expect(Number(sep.getAttribute('aria-valuenow'))).toBe(before + 40);
    expect(JSON.parse(localStorage.getItem(LAYOUT_STORAGE_KEY)!).left).toBe(before + 40);
    expect(readLayout().left).toBe(before + 40);
    cleanup();
    render(<App services={services('single-turn-answer')} />);
    expect(Number(screen.getByRole('separator', { name: 'Resize thread list' }).getAttribute('aria-valuenow'))).toBe(before + 40);
  });
});

describe('a partial trace in the header (issue 15, item 10)', () => {
  it('a trace the reducer stopped short of says partial and where it stopped, not running', async () => {
    const { DirectorySource } = await import('../../src/cli/directory-source');
    const { reduceBundle } = await import('../../src/trace/reducer');
    const path = await import('node:path');
    const r = await reduceBundle(new DirectorySource(path.join(__dirname, '../fixtures/traces/broken/truncated-mid-file')));
    expect(r.error?.line).toBeTruthy();
    render(<App services={services('single-turn-answer')} />);
    act(() => {
      useStore.getState().finishLoad({ label: 'cut', manifest: r.manifest, state: r.state, error: r.error, diagnostics: [], bundleKey: 'cut' });
    });
    await waitFor(() => expect(document.querySelector('.stage-pending')).toBeNull());
    const status = screen.getByTestId('summary-status');
    expect(status.textContent).toBe(`partial · stopped at line ${r.error!.line}`);
    expect(status.textContent).not.toMatch(/running/);
    expect(status.querySelector('[title]')?.getAttribute('title')).toContain(`line ${r.error!.line}`);
    // The inspector's overview of the trace says the same, not the "running" the cut state records.
    const overviewStatus = [...document.querySelectorAll('.insp-empty .kv-row')].find((row) => row.querySelector('.kv-key')?.textContent === 'Status');
    expect(overviewStatus?.querySelector('.kv-val')?.textContent).toBe(`partial · stopped at line ${r.error!.line}`);
  });

  it('a recording that has not started its first thread yet says so, with no empty thread menu', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, copyFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { DirectorySource } = await import('../../src/cli/directory-source');
    const { reduceBundle } = await import('../../src/trace/reducer');
    // The first line Codex writes (rollout_started), and nothing after it yet.
    const from = path.join(__dirname, '../fixtures/traces/single-turn-answer');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ctv-first-line-'));
    copyFileSync(path.join(from, 'manifest.json'), path.join(dir, 'manifest.json'));
    writeFileSync(path.join(dir, 'trace.jsonl'), readFileSync(path.join(from, 'trace.jsonl'), 'utf8').split('\n')[0] + '\n');
    const r = await reduceBundle(new DirectorySource(dir));
    expect(r.error).toBeNull();
    expect(r.state && Object.keys(r.state.threads)).toEqual([]);
    render(<App services={services('single-turn-answer')} />);
    act(() => {
      useStore.getState().finishLoad({ label: 'begun', manifest: r.manifest, state: r.state, error: null, diagnostics: [], bundleKey: 'begun' });
    });
    const panel = await screen.findByTestId('conversation-panel');
    expect(within(panel).getByText('No thread yet: the event log stops before its first thread starts.')).toBeTruthy();
    expect(within(panel).queryByRole('combobox', { name: 'Thread' })).toBeNull();
  });

  it('a partial trace still says partial while another load runs, and after it is cancelled', async () => {
    const { DirectorySource } = await import('../../src/cli/directory-source');
    const { reduceBundle } = await import('../../src/trace/reducer');
    const path = await import('node:path');
    const r = await reduceBundle(new DirectorySource(path.join(__dirname, '../fixtures/traces/broken/truncated-mid-file')));
    render(<App services={services('single-turn-answer')} />);
    act(() => {
      useStore.getState().finishLoad({ label: 'cut', manifest: r.manifest, state: r.state, error: r.error, diagnostics: [], bundleKey: 'cut' });
    });
    await waitFor(() => expect(document.querySelector('.stage-pending')).toBeNull());
    const partial = `partial · stopped at line ${r.error!.line}`;
    act(() => useStore.getState().beginLoad({ label: 'next' }));
    expect(screen.getByTestId('summary-status').textContent).toBe(partial);
    act(() => useStore.getState().cancelLoad());
    expect(screen.getByTestId('summary-status').textContent).toBe(partial);
  });

  it('a complete trace keeps its rollout status', async () => {
    render(<App services={services('single-turn-answer')} />);
    await load('single-turn-answer');
    expect(screen.getByTestId('summary-status').textContent).toBe('completed');
  });
});

describe('the shortcut list', () => {
  it('? lists every key the page answers, the timeline keys included', async () => {
    render(<App services={services('single-turn-answer')} />);
    await load('single-turn-answer');
    fireEvent.keyDown(document.body, { key: '?' });
    const list = await screen.findByTestId('shortcuts');
    for (const k of ['W', 'S', 'A', 'D', 'F', '0', '/', 'c', '[', ']']) expect(within(list).getAllByText(k, { selector: 'kbd' }).length).toBeGreaterThan(0);
    expect(list.textContent).toContain('Timeline: zoom in / out');
  });
});
