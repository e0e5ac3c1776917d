// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_VIEW_STATE,
  VIEW_STATE_UPGRADERS,
  VIEW_STATE_VERSION,
  installUrlSync,
  parseViewState,
  readViewStateFromHash,
  resetStore,
  serializeViewState,
  upgradeViewState,
  useStore,
  writeViewStateToHash,
  type ViewState,
} from '../src/store';
import { loadManifest, loadState } from './panels/helpers';

const sample: ViewState = {
  v: 2,
  trace: { name: 'traces/long-session', hash: 'a'.repeat(64), label: 'long-session' },
  thread: '01a211df-b84f-7a40-9801-35cd39c111d7',
  selection: { kind: 'conversation_item', id: 'conversation_item:12' },
  window: { startMs: 1795596204048, endMs: 1795596204214 },
  filters: { kinds: ['tool_call', 'inference_call'], statuses: ['failed'], threadIds: ['a', 'b'], text: 'echo "hi" & <b>' },
  panels: { center: 'conversation' },
};

/** A link as version 1 wrote it (before trace references): must keep opening. */
const v1Link = {
  v: 1,
  thread: sample.thread,
  selection: sample.selection,
  window: sample.window,
  filters: sample.filters,
  panels: sample.panels,
};

describe('view state serialization', () => {
  it('round-trips through the URL hash, keeping other hash keys', () => {
    const hash = writeViewStateToHash('#bundle=foo', sample);
    expect(hash.startsWith('#')).toBe(true);
    expect(new URLSearchParams(hash.slice(1)).get('bundle')).toBe('foo');
    expect(readViewStateFromHash(hash)).toEqual(sample);
    expect(parseViewState(serializeViewState(sample))).toEqual(sample);
  });

  it('rejects garbage and future versions, and repairs single bad fields', () => {
    expect(parseViewState('not json')).toBeNull();
    expect(parseViewState('[]')).toBeNull();
    expect(parseViewState(JSON.stringify({ ...sample, v: 99 }))).toBeNull();
    expect(parseViewState(JSON.stringify({ ...sample, v: '1' }))).toBeNull();
    const repaired = parseViewState(JSON.stringify({ ...sample, selection: { kind: 'bogus', id: 'x' }, window: { startMs: 5, endMs: 1 } }));
    expect(repaired).toEqual({ ...sample, selection: null, window: null });
    expect(readViewStateFromHash('')).toBeNull();
  });

  it('bounds what a link may carry: long filter text, ids and threads are dropped, a long label is cut, an over-long view is ignored', () => {
    const hostile = parseViewState(
      JSON.stringify({
        ...sample,
        filters: { ...sample.filters, text: 'x'.repeat(2_000) },
        selection: { kind: 'conversation_item', id: 'i'.repeat(600) },
        thread: 't'.repeat(600),
        trace: { ...sample.trace, label: 'L'.repeat(5_000) },
      }),
    );
    expect(hostile).not.toBeNull();
    expect(hostile!.filters).toEqual(DEFAULT_VIEW_STATE.filters);
    expect(hostile!.selection).toBeNull();
    expect(hostile!.thread).toBeNull();
    expect(hostile!.trace!.label).toBe(`${'L'.repeat(119)}…`);
    // What the app writes stays as it was, and a cut label is stable through another round trip.
    expect(parseViewState(serializeViewState(hostile!))).toEqual(hostile);
    expect(parseViewState(serializeViewState(sample))).toEqual(sample);
    // A #view= of a megabyte (whose filter text made the page crawl) is not parsed at all: the page opens without it.
    expect(parseViewState(JSON.stringify({ ...sample, filters: { ...sample.filters, text: 'x'.repeat(1_000_000) } }))).toBeNull();
  });

  it('has an upgrader for every version up to the current one (v2: identity)', () => {
    expect(VIEW_STATE_VERSION).toBe(2);
    expect(Object.keys(VIEW_STATE_UPGRADERS).map(Number)).toEqual([1, 2]);
    const raw = JSON.parse(serializeViewState(sample));
    expect(VIEW_STATE_UPGRADERS[2](raw)).toEqual(raw);
    expect(upgradeViewState(raw)).toEqual(sample);
  });

  it('upgrades a v1 link to v2: same view, no trace reference', () => {
    const up = parseViewState(JSON.stringify(v1Link));
    expect(up).toEqual({ ...sample, trace: null });
    // through the hash too, as a link would arrive
    expect(readViewStateFromHash(`#view=${encodeURIComponent(JSON.stringify(v1Link))}`)).toEqual({ ...sample, trace: null });
    // v1 field repair still applies while upgrading
    expect(parseViewState(JSON.stringify({ ...v1Link, selection: { kind: 'nope', id: 'x' } }))?.selection).toBeNull();
    // a v1 object is not accepted as v2 (the upgrader is what makes it one)
    expect(VIEW_STATE_UPGRADERS[1](v1Link)).toMatchObject({ v: 2, trace: null });
  });

  it('v2 repairs a malformed trace reference field by field', () => {
    const bad = parseViewState(JSON.stringify({ ...sample, trace: { name: 'x', hash: 'not-hex', label: null } }));
    expect(bad).toEqual({ ...sample, trace: null });
  });

  it('a v2 link that carries the retired diff pair, well formed or not, still opens without it', () => {
    expect(parseViewState(JSON.stringify({ ...sample, diff: { from: 'inference_call:3', to: 'inference_call:7' } }))).toEqual(sample);
    expect(parseViewState(JSON.stringify({ ...sample, diff: { from: '' } }))).toEqual(sample);
  });

  it('runs older versions through the upgrader chain', () => {
    // A hypothetical v0 that stored the selection as "kind/id" and the thread under another name.
    const upgraders = {
      0: (r: Record<string, unknown>) => {
        const [kind, ...rest] = String(r.sel).split('/');
        return { ...DEFAULT_VIEW_STATE, v: 1, thread: r.threadId, selection: { kind, id: rest.join('/') } };
      },
      1: VIEW_STATE_UPGRADERS[1],
      2: VIEW_STATE_UPGRADERS[2],
    };
    const v0 = { v: 0, sel: 'tool_call/call_0002', threadId: 'T' };
    expect(parseViewState(JSON.stringify(v0), upgraders)).toEqual({
      ...DEFAULT_VIEW_STATE,
      thread: 'T',
      selection: { kind: 'tool_call', id: 'call_0002' },
    });
    // without the v0 upgrader a v0 link is refused, not misread
    expect(parseViewState(JSON.stringify(v0))).toBeNull();
    // an upgrader that does not move forward is refused instead of looping
    expect(parseViewState(JSON.stringify(v0), { 0: (r) => r, 1: VIEW_STATE_UPGRADERS[1], 2: VIEW_STATE_UPGRADERS[2] })).toBeNull();
  });
});

describe('installUrlSync', () => {
  let uninstall: (() => void) | null = null;
  beforeEach(() => {
    resetStore();
    window.history.replaceState(null, '', '/');
    vi.useFakeTimers();
  });
  afterEach(() => {
    uninstall?.();
    uninstall = null;
    vi.useRealTimers();
  });
  const finish = (name: string, more: Partial<Parameters<ReturnType<typeof useStore.getState>['finishLoad']>[0]> = {}) =>
    useStore
      .getState()
      .finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name, ...more });

  it('applies a view from the URL after loading, then writes store changes back to the hash', () => {
    window.history.replaceState(null, '', `/${writeViewStateToHash('', { ...DEFAULT_VIEW_STATE, selection: { kind: 'tool_call', id: 'call_0005' } })}`);
    uninstall = installUrlSync(useStore, window);
    finish('multi-agent');
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0005' });

    useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:11' });
    vi.advanceTimersByTime(500);
    const vs = readViewStateFromHash(window.location.hash);
    expect(vs?.selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:11' });
    expect(vs?.thread).toBe('01a211df-b84f-7a40-9801-35cd39c111d7');
  });

  it('a trace shown before the sync is installed (a served link reduced before the first render): the link’s view applies, and the URL is rewritten as v2 naming the trace', () => {
    const v1 = {
      v: 1,
      thread: null,
      selection: { kind: 'tool_call', id: 'call_0005' },
      window: null,
      filters: { kinds: [], statuses: [], threadIds: [], text: '' },
      panels: { center: 'conversation' },
    };
    window.history.replaceState(null, '', `/?trace=multi-agent#view=${encodeURIComponent(JSON.stringify(v1))}`);
    finish('multi-agent', { servedName: 'multi-agent' });
    uninstall = installUrlSync(useStore, window);
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
    vi.advanceTimersByTime(500);
    const vs = JSON.parse(new URLSearchParams(window.location.hash.slice(1)).get('view')!) as { v: number; trace?: { name?: string }; sel?: unknown };
    expect(vs.v).toBe(2);
    expect(vs.trace?.name).toBe('multi-agent');
    expect(readViewStateFromHash(window.location.hash)?.selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
  });

  it('a selection adds a browser history entry; Back (popstate) restores the previous selection', () => {
    uninstall = installUrlSync(useStore, window);
    finish('multi-agent');
    vi.advanceTimersByTime(500);
    const push = vi.spyOn(window.history, 'pushState');
    const a = { kind: 'tool_call' as const, id: 'call_0005' };
    const b = { kind: 'conversation_item' as const, id: 'conversation_item:11' };
    useStore.getState().select(a);
    vi.advanceTimersByTime(1000);
    useStore.getState().select(b);
    expect(push).toHaveBeenCalledTimes(2);
    expect(readViewStateFromHash(window.location.hash)?.selection).toEqual(b);
    // a window change rewrites the current entry instead of adding one
    useStore.getState().setViewport({ startMs: 10, endMs: 20 });
    vi.advanceTimersByTime(500);
    expect(push).toHaveBeenCalledTimes(2);
    expect(readViewStateFromHash(window.location.hash)?.window).toEqual({ startMs: 10, endMs: 20 });
    // Simulate Back: the URL of the previous entry, then popstate.
    const prevHash = writeViewStateToHash('', { ...readViewStateFromHash(window.location.hash)!, selection: a });
    window.history.replaceState(null, '', `/${prevHash}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(useStore.getState().selection).toEqual(a);
    // the store's own history keeps both entries, its cursor on the restored one
    expect(useStore.getState().history.entries).toEqual([a, b]);
    expect(useStore.getState().history.index).toBe(0);
    expect(push).toHaveBeenCalledTimes(2); // restoring does not push

    // A burst (arrow key held down) adds one entry, the URL showing the last selection.
    vi.advanceTimersByTime(1000);
    for (const id of ['call_0001', 'call_0002', 'call_0003', 'call_0004']) useStore.getState().select({ kind: 'tool_call', id });
    expect(push).toHaveBeenCalledTimes(3);
    expect(readViewStateFromHash(window.location.hash)?.selection).toEqual({ kind: 'tool_call', id: 'call_0004' });
    push.mockRestore();
  });

  it('writes the trace reference (served name, content hash) into the URL', () => {
    uninstall = installUrlSync(useStore, window);
    finish('multi-agent', { bundleKey: 'k', contentHash: 'b'.repeat(64), servedName: 'traces/multi-agent' });
    vi.advanceTimersByTime(500);
    expect(readViewStateFromHash(window.location.hash)?.trace).toEqual({ name: 'traces/multi-agent', hash: 'b'.repeat(64), label: 'multi-agent' });
  });

  it('applies a hash edited by hand', () => {
    uninstall = installUrlSync(useStore, window);
    finish('multi-agent');
    window.location.hash = writeViewStateToHash('', { ...DEFAULT_VIEW_STATE, selection: { kind: 'tool_call', id: 'call_0010' } });
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0010' });
  });
});

describe('installUrlSync keeps ?trace= in step with the shown trace', () => {
  afterEach(() => vi.useRealTimers());
  it('sets it for a served bundle and removes it for a dropped one', () => {
    resetStore();
    vi.useFakeTimers();
    window.history.replaceState(null, '', '/?trace=old&x=1');
    const off = installUrlSync(useStore, window);
    const finishAs = (servedName: string | null) =>
      useStore.getState().finishLoad({
        label: 'multi-agent',
        manifest: loadManifest('multi-agent'),
        state: loadState('multi-agent'),
        error: null,
        diagnostics: [],
        bundleKey: 'k',
        contentHash: 'a'.repeat(64),
        servedName,
      });
    finishAs('traces/multi-agent');
    vi.advanceTimersByTime(500);
    expect(new URLSearchParams(window.location.search).get('trace')).toBe('traces/multi-agent');
    expect(new URLSearchParams(window.location.search).get('x')).toBe('1');
    finishAs(null);
    vi.advanceTimersByTime(500);
    expect(new URLSearchParams(window.location.search).has('trace')).toBe(false);
    off();
  });
});
