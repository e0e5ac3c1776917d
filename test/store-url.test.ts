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
  v: 1,
  thread: '01a211df-b84f-7a40-9801-35cd39c111d7',
  selection: { kind: 'conversation_item', id: 'conversation_item:12' },
  window: { startMs: 1795596204048, endMs: 1795596204214 },
  filters: { kinds: ['tool_call', 'inference_call'], statuses: ['failed'], threadIds: ['a', 'b'], text: 'echo "hi" & <b>' },
  panels: { center: 'conversation' },
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

  it('has an upgrader for every version up to the current one (v1: identity)', () => {
    expect(VIEW_STATE_VERSION).toBe(1);
    expect(Object.keys(VIEW_STATE_UPGRADERS).map(Number)).toEqual([1]);
    const raw = JSON.parse(serializeViewState(sample));
    expect(VIEW_STATE_UPGRADERS[1](raw)).toEqual(raw);
    expect(upgradeViewState(raw)).toEqual(sample);
  });

  it('runs older versions through the upgrader chain', () => {
    // A hypothetical v0 that stored the selection as "kind/id" and the thread under another name.
    const upgraders = {
      0: (r: Record<string, unknown>) => {
        const [kind, ...rest] = String(r.sel).split('/');
        return { ...DEFAULT_VIEW_STATE, v: 1, thread: r.threadId, selection: { kind, id: rest.join('/') } };
      },
      1: VIEW_STATE_UPGRADERS[1],
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
    expect(parseViewState(JSON.stringify(v0), { 0: (r) => r, 1: VIEW_STATE_UPGRADERS[1] })).toBeNull();
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
  const finish = (name: string) =>
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });

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

  it('applies a hash edited by hand', () => {
    uninstall = installUrlSync(useStore, window);
    finish('multi-agent');
    window.location.hash = writeViewStateToHash('', { ...DEFAULT_VIEW_STATE, selection: { kind: 'tool_call', id: 'call_0010' } });
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0010' });
  });
});
