// @vitest-environment happy-dom
/**
 * The page's side of following a recording: a live update replaces the state
 * but keeps what the reader was doing, and the Live badge pauses and resumes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { resetStore, useStore } from '../src/store';
import { LiveBadge } from '../src/app/LiveBadge';
import { traceClient } from '../src/worker/client';
import type { RolloutTrace } from '../src/trace/schema/state';
import { loadManifest, loadState } from './panels/helpers';

/** The state as it stood with only its first `n` conversation items (an earlier moment of the recording, roughly). */
function earlier(state: RolloutTrace, n: number): RolloutTrace {
  const keep = Object.keys(state.conversation_items).slice(0, n);
  const items = Object.fromEntries(keep.map((k) => [k, state.conversation_items[k]]));
  const threads = Object.fromEntries(
    Object.entries(state.threads).map(([id, t]) => [id, { ...t, conversation_item_ids: t.conversation_item_ids.filter((i) => keep.includes(i)) }]),
  );
  return { ...state, conversation_items: items, threads };
}

beforeEach(() => resetStore());
afterEach(cleanup);

describe('applyLive', () => {
  it('keeps the selection, filters, viewport, panel and load; only the state and the live status change', () => {
    const full = loadState('long-session');
    const s = useStore.getState();
    s.finishLoad({
      label: 'rec',
      manifest: loadManifest('long-session'),
      state: earlier(full, 5),
      error: null,
      diagnostics: [],
      bundleKey: 'k',
      servedName: 'rec',
    });
    s.applyLive({ status: 'following', eventsApplied: 40, note: null, writtenAt: null, update: null });
    const id = Object.keys(useStore.getState().state!.conversation_items)[2];
    useStore.getState().select({ kind: 'conversation_item', id });
    useStore.getState().setFilters({ text: 'ls' });
    useStore.getState().setViewport({ startMs: 1, endMs: 2 });
    useStore.getState().setCenterPanel('compactions');
    const before = useStore.getState();

    useStore
      .getState()
      .applyLive({ status: 'following', eventsApplied: 90, note: null, writtenAt: null, update: { state: full, indexes: null, error: null, diagnostics: [] } });
    const after = useStore.getState();
    expect(after.state).toBe(full);
    expect(after.indexes?.summary.items).toBe(Object.keys(full.conversation_items).length);
    expect(after.selection).toEqual({ kind: 'conversation_item', id });
    expect(after.selectionSeq).toBe(before.selectionSeq);
    expect(after.filters).toEqual(before.filters);
    expect(after.viewport).toEqual({ startMs: 1, endMs: 2 });
    expect(after.panels.center).toBe('compactions');
    expect(after.loadSeq).toBe(before.loadSeq);
    expect(after.live).toEqual({ status: 'following', eventsApplied: 90, shownEvents: 90, note: null, writtenAt: null });
  });

  it('counts what is held while paused, and a new load forgets the live state', () => {
    const s = useStore.getState();
    s.finishLoad({ label: 'rec', manifest: loadManifest('long-session'), state: loadState('long-session'), error: null, diagnostics: [], bundleKey: 'k' });
    s.applyLive({
      status: 'following',
      eventsApplied: 40,
      note: null,
      writtenAt: null,
      update: { state: loadState('long-session'), indexes: null, error: null, diagnostics: [] },
    });
    useStore.getState().applyLive({ status: 'paused', eventsApplied: 55, note: null, writtenAt: null, update: null });
    expect(useStore.getState().live).toEqual({ status: 'paused', eventsApplied: 55, shownEvents: 40, note: null, writtenAt: null });
    s.finishLoad({ label: 'other', manifest: loadManifest('multi-agent'), state: loadState('multi-agent'), error: null, diagnostics: [], bundleKey: 'k2' });
    expect(useStore.getState().live).toBeNull();
  });
});

describe('LiveBadge', () => {
  it('says Live · following with the count, and Pause asks the worker to hold updates', () => {
    const pause = vi.spyOn(traceClient, 'setLivePaused').mockImplementation(() => {});
    const s = useStore.getState();
    s.finishLoad({ label: 'rec', manifest: loadManifest('long-session'), state: loadState('long-session'), error: null, diagnostics: [], bundleKey: 'k' });
    s.applyLive({
      status: 'following',
      eventsApplied: 1234,
      note: null,
      writtenAt: null,
      update: { state: loadState('long-session'), indexes: null, error: null, diagnostics: [] },
    });
    render(<LiveBadge />);
    expect(screen.getByTestId('live-badge').textContent).toMatch(/Live · following · 1,234 events/);
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(pause).toHaveBeenCalledWith(true);
    pause.mockRestore();
  });

  it('says idle when nothing was written for a minute', () => {
    const s = useStore.getState();
    s.finishLoad({ label: 'rec', manifest: loadManifest('long-session'), state: loadState('long-session'), error: null, diagnostics: [], bundleKey: 'k' });
    s.applyLive({ status: 'following', eventsApplied: 10, note: null, writtenAt: Date.now() - 3 * 60_000, update: null });
    render(<LiveBadge />);
    expect(screen.getByTestId('live-badge').textContent).toMatch(/Live · idle 3 min · 10 events/);
  });

  it('while paused shows the events held and offers Resume; once the recording completed it is gone', () => {
    const s = useStore.getState();
    s.finishLoad({ label: 'rec', manifest: loadManifest('long-session'), state: loadState('long-session'), error: null, diagnostics: [], bundleKey: 'k' });
    s.applyLive({
      status: 'following',
      eventsApplied: 10,
      note: null,
      writtenAt: null,
      update: { state: loadState('long-session'), indexes: null, error: null, diagnostics: [] },
    });
    s.applyLive({ status: 'paused', eventsApplied: 13, note: null, writtenAt: null, update: null });
    const { rerender } = render(<LiveBadge />);
    expect(screen.getByTestId('live-held').textContent).toBe('· 3 new events');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    s.applyLive({
      status: 'ended',
      eventsApplied: 13,
      note: null,
      writtenAt: null,
      update: { state: loadState('long-session'), indexes: null, error: null, diagnostics: [] },
    });
    rerender(<LiveBadge />);
    expect(screen.queryByTestId('live-badge')).toBeNull();
  });
});
