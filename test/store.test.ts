import { beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, resetStore, selectCanGoBack, selectCanGoForward, selectViewState, useStore } from '../src/store';
import { viewFitsTrace } from '../src/store';
import { loadManifest, loadState } from './panels/helpers';

const finish = (name: string, extra: Partial<Parameters<ReturnType<typeof useStore.getState>['finishLoad']>[0]> = {}) =>
  useStore.getState().finishLoad({
    label: name,
    manifest: loadManifest(name),
    state: loadState(name),
    error: null,
    diagnostics: [],
    bundleKey: `key:${name}`,
    ...extra,
  });

beforeEach(() => resetStore());

describe('load lifecycle', () => {
  it('goes idle → loading (with progress) → ready and computes indexes once', () => {
    const s = useStore.getState();
    expect(s.load.phase).toBe('idle');
    s.beginLoad({ label: 'multi-agent' });
    expect(useStore.getState().load).toMatchObject({ phase: 'loading', label: 'multi-agent', progress: null, error: null });
    s.setLoadProgress({ bytesDone: 10, bytesTotal: 100, eventsDone: 3 });
    expect(useStore.getState().load.progress).toEqual({ bytesDone: 10, bytesTotal: 100, eventsDone: 3 });
    finish('multi-agent');
    const after = useStore.getState();
    expect(after.load.phase).toBe('ready');
    expect(after.bundleKey).toBe('key:multi-agent');
    expect(after.bundleLabel).toBe('multi-agent');
    expect(after.indexes?.summary.agents).toBe(2);
    expect(after.activeThreadId).toBe(after.state!.root_thread_id);
    const indexes = after.indexes;
    after.select({ kind: 'conversation_item', id: 'conversation_item:3' });
    expect(useStore.getState().indexes).toBe(indexes); // not recomputed by unrelated updates
  });

  it('shows a partial state together with its error', () => {
    useStore.getState().beginLoad({ label: 'broken' });
    finish('single-turn-answer', { error: { file: 'trace.jsonl', line: 18, seq: null, message: 'parse trace event line 18', causes: ['EOF'] } });
    const s = useStore.getState();
    expect(s.load.phase).toBe('failed');
    expect(s.load.error?.line).toBe(18);
    expect(s.state).not.toBeNull();
    expect(s.indexes).not.toBeNull();
  });

  it('failLoad clears the trace and records the error', () => {
    finish('single-turn-answer');
    useStore.getState().beginLoad({ label: 'missing-manifest' });
    useStore.getState().failLoad({ label: 'missing-manifest', error: { file: 'manifest.json', line: null, seq: null, message: 'No such file', causes: [] } });
    const s = useStore.getState();
    expect(s.load).toMatchObject({ phase: 'failed', label: 'missing-manifest' });
    expect(s.state).toBeNull();
    expect(s.indexes).toBeNull();
  });

  it('a load that fails before replacing the trace shown keeps that trace, its partial status and its selection, and says what did not open', () => {
    finish('single-turn-answer', { error: { file: 'trace.jsonl', line: 9, seq: 9, message: 'cut', causes: [] } });
    const before = useStore.getState();
    before.select({ kind: 'conversation_item', id: 'conversation_item:3' });
    useStore.setState({ live: { status: 'following', eventsApplied: 9, shownEvents: 9, note: null, writtenAt: null } });
    useStore.getState().beginLoad({ label: 'notes' });
    const error = { file: 'notes', line: null, seq: null, message: 'No trace bundle found in notes.', causes: [] };
    useStore.getState().failLoad({ label: 'notes', error, keeps: { live: false } });
    const s = useStore.getState();
    expect(s.state).toBe(before.state);
    expect(s.bundleLabel).toBe('single-turn-answer');
    expect(s.load).toMatchObject({ phase: 'failed', label: 'single-turn-answer', error: { message: 'cut' } });
    expect(s.selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:3' });
    expect(s.openFailure).toEqual({ label: 'notes', error });
    // The worker stopped following it when the new load reached it.
    expect(s.live?.status).toBe('ended');
    s.dismissOpenFailure();
    expect(useStore.getState().openFailure).toBeNull();
    // A failure the worker did not survive (no `keeps`) clears the trace as before.
    useStore.getState().beginLoad({ label: 'again' });
    useStore.getState().failLoad({ label: 'again', error });
    expect(useStore.getState().state).toBeNull();
    expect(useStore.getState().openFailure).toBeNull();
  });

  it('cancelLoad keeps the previously loaded trace on screen and ignores late progress', () => {
    finish('single-turn-answer');
    const before = useStore.getState().state;
    useStore.getState().beginLoad({ label: 'long-session' });
    useStore.getState().cancelLoad();
    useStore.getState().setLoadProgress({ bytesDone: 1, bytesTotal: 2, eventsDone: 1 });
    const s = useStore.getState();
    expect(s.load.phase).toBe('cancelled');
    expect(s.load.progress).toBeNull();
    expect(s.state).toBe(before);
  });

  it('a new load resets selection and history', () => {
    finish('multi-agent');
    useStore.getState().select({ kind: 'tool_call', id: 'call_0002' });
    finish('single-turn-answer');
    const s = useStore.getState();
    expect(s.selection).toBeNull();
    expect(s.history.entries).toEqual([]);
    expect(selectCanGoBack(s)).toBe(false);
  });
});

describe('selection and history', () => {
  beforeEach(() => finish('multi-agent'));
  const get = () => useStore.getState();
  const A = { kind: 'conversation_item', id: 'conversation_item:3' } as const;
  const B = { kind: 'tool_call', id: 'call_0002' } as const;
  const C = { kind: 'conversation_item', id: 'conversation_item:11' } as const; // in the worker thread

  it('selecting reveals the object: the active thread follows the selection', () => {
    const worker = Object.keys(get().state!.threads).find((t) => t !== get().state!.root_thread_id)!;
    get().select(C);
    expect(get().activeThreadId).toBe(worker);
    get().select(B);
    expect(get().activeThreadId).toBe(get().state!.root_thread_id);
  });

  it('back and forward walk the history; a new selection after back drops the forward entries', () => {
    get().select(A);
    get().select(B);
    get().select(C);
    expect(selectCanGoForward(get())).toBe(false);
    get().back();
    expect(get().selection).toEqual(B);
    get().back();
    expect(get().selection).toEqual(A);
    expect(selectCanGoBack(get())).toBe(false);
    get().back(); // no-op at the start
    expect(get().selection).toEqual(A);
    get().forward();
    expect(get().selection).toEqual(B);
    expect(selectCanGoForward(get())).toBe(true);
    get().select(A);
    expect(selectCanGoForward(get())).toBe(false);
    expect(get().history.entries).toEqual([A, B, A]);
  });

  it('re-selecting the current object does not add a history entry but still asks panels to reveal it', () => {
    get().select(A);
    const seq = get().selectionSeq;
    get().select({ ...A });
    expect(get().history.entries).toEqual([A]);
    expect(get().selectionSeq).toBe(seq + 1);
  });

  it('after clearing the selection, back returns to the last selected object', () => {
    get().select(A);
    get().select(B);
    get().select(null);
    expect(get().selection).toBeNull();
    expect(selectCanGoBack(get())).toBe(true);
    get().back();
    expect(get().selection).toEqual(B);
  });

  it('history is bounded', () => {
    for (let i = 1; i <= HISTORY_LIMIT + 5; i++) get().select({ kind: 'conversation_item', id: `conversation_item:${(i % 20) + 1}` });
    expect(get().history.entries).toHaveLength(HISTORY_LIMIT);
    expect(get().history.index).toBe(HISTORY_LIMIT - 1);
  });
});

describe('viewport and filters', () => {
  it('normalizes the window and merges filter patches', () => {
    const s = useStore.getState();
    s.setViewport({ startMs: 200, endMs: 100 });
    expect(useStore.getState().viewport).toEqual({ startMs: 100, endMs: 200 });
    s.setViewport(null);
    expect(useStore.getState().viewport).toBeNull();
    s.setFilters({ kinds: ['tool_call'] });
    s.setFilters({ text: 'echo' });
    expect(useStore.getState().filters).toEqual({ kinds: ['tool_call'], statuses: [], threadIds: [], text: 'echo' });
    s.resetFilters();
    expect(useStore.getState().filters.kinds).toEqual([]);
  });
});

describe('view state (URL) applied to the store', () => {
  it('a view read before the trace loads is applied when it finishes, dropping ids the trace does not have', () => {
    const worker = '01a211df-b84f-7a40-9801-35cd39c111d7';
    useStore.getState().applyViewState({
      v: 2,
      trace: null,
      thread: worker,
      selection: { kind: 'tool_call', id: 'call_0005' },
      window: { startMs: 1, endMs: 2 },
      filters: { kinds: ['tool_call'], statuses: [], threadIds: [], text: 'x' },
      panels: { center: 'conversation' },
    });
    expect(useStore.getState().pendingView).not.toBeNull();
    finish('multi-agent');
    let s = useStore.getState();
    expect(s.pendingView).toBeNull();
    expect(s.activeThreadId).toBe(worker);
    expect(s.selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
    expect(s.viewport).toEqual({ startMs: 1, endMs: 2 });
    expect(s.filters.text).toBe('x');
    expect(selectViewState(s)).toMatchObject({ v: 2, thread: worker, selection: { kind: 'tool_call', id: 'call_0005' } });

    s.applyViewState({ ...selectViewState(s), thread: 'no-such-thread', selection: { kind: 'tool_call', id: 'nope' } });
    s = useStore.getState();
    expect(s.selection).toBeNull();
    expect(s.activeThreadId).toBe(s.state!.root_thread_id);
  });
});

describe('a linked view waits for its own trace', () => {
  beforeEach(() => resetStore());
  const linked = (trace: { name: string | null; hash: string | null; label: string | null }) => ({
    v: 2 as const,
    trace,
    thread: null,
    selection: { kind: 'tool_call' as const, id: 'call_0005' },
    window: { startMs: 1, endMs: 2 },
    filters: { kinds: [], statuses: [], threadIds: [], text: '' },
    panels: { center: 'conversation' },
  });

  it('is applied only when a bundle with the linked content hash loads', () => {
    const hash = 'c'.repeat(64);
    useStore.getState().applyViewState(linked({ name: null, hash, label: 'multi-agent' }));
    finish('multi-agent', { contentHash: 'd'.repeat(64) });
    let s = useStore.getState();
    expect(s.selection).toBeNull(); // another bundle: the view keeps waiting
    expect(s.pendingView).not.toBeNull();
    finish('multi-agent', { contentHash: hash });
    s = useStore.getState();
    expect(s.pendingView).toBeNull();
    expect(s.selection).toEqual({ kind: 'tool_call', id: 'call_0005' });
  });

  it('waits for a hash that follows the state: applied when it matches, kept waiting when it does not', () => {
    const hash = 'c'.repeat(64);
    useStore.getState().applyViewState(linked({ name: null, hash, label: 'multi-agent' }));
    finish('multi-agent', { contentHash: null, hashFollows: true });
    let s = useStore.getState();
    expect(s.bundleHashPending).toBe(true);
    expect(s.selection).toBeNull();
    s.setBundleHash(hash);
    s = useStore.getState();
    expect([s.bundleHash, s.bundleHashPending, s.pendingView]).toEqual([hash, false, null]);
    expect(s.selection).toEqual({ kind: 'tool_call', id: 'call_0005' });

    useStore.getState().applyViewState(linked({ name: null, hash: '0'.repeat(64), label: 'x' }));
    finish('multi-agent', { contentHash: null, hashFollows: true });
    useStore.getState().setBundleHash('1'.repeat(64));
    expect(useStore.getState().pendingView).not.toBeNull();
    // A hash with nothing waiting for it (a late one, after another load) changes nothing.
    useStore.getState().setBundleHash('2'.repeat(64));
    expect(useStore.getState().bundleHash).toBe('1'.repeat(64));
  });

  it('a served bundle matches by name even when its files changed; dismiss forgets the view', () => {
    useStore.getState().applyViewState(linked({ name: 'traces/multi-agent', hash: 'e'.repeat(64), label: 'multi-agent' }));
    finish('multi-agent', { contentHash: 'f'.repeat(64), servedName: 'traces/multi-agent' });
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0005' });

    useStore.getState().applyViewState(linked({ name: null, hash: '0'.repeat(64), label: 'x' }));
    expect(useStore.getState().pendingView).not.toBeNull();
    useStore.getState().dismissPendingView();
    expect(useStore.getState().pendingView).toBeNull();
  });

  it('viewFitsTrace: no reference fits anything; otherwise hash or served name must match', () => {
    expect(viewFitsTrace(null, { bundleHash: null, servedName: null })).toBe(true);
    expect(viewFitsTrace({ name: null, hash: 'a'.repeat(64), label: null }, { bundleHash: 'a'.repeat(64), servedName: null })).toBe(true);
    expect(viewFitsTrace({ name: null, hash: 'a'.repeat(64), label: null }, { bundleHash: 'b'.repeat(64), servedName: null })).toBe(false);
    expect(viewFitsTrace({ name: 'x', hash: null, label: null }, { bundleHash: null, servedName: 'y' })).toBe(false);
  });
});
