// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMELINE_FALLBACK_SIZE, TimelinePanel } from '../../src/panels/timeline';
import { resetStore, useStore } from '../../src/store';
import {
  buildTimelineModel,
  defaultCollapsed,
  findSpan,
  fullWindow,
  geometry,
  layoutRows,
  OVERVIEW_H,
  SK,
  spanRect,
  timeToX,
  trackScale,
  xToTime,
  type TimelineModel,
} from '../../src/trace/timeline';
import type { RolloutTrace } from '../../src/trace/schema/state';
import { syntheticTimelineState } from '../../scripts/lib/synthetic-timeline';
import { loadManifest, loadState } from './helpers';

function loadFixture(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
}
function loadSynthetic(state: RolloutTrace) {
  act(() => {
    useStore.getState().finishLoad({ label: 'synthetic', manifest: null, state, error: null, diagnostics: [], bundleKey: 'synthetic' });
  });
}

/** The layout exactly as the panel computes it (same model, default collapse, fallback size since happy-dom has no layout). */
function panelLayout(collapsed?: Set<number>) {
  const s = useStore.getState();
  const model = buildTimelineModel(s.state!, s.indexes);
  const layout = layoutRows(model, collapsed ?? defaultCollapsed(model));
  const geo = geometry(TIMELINE_FALLBACK_SIZE.width, TIMELINE_FALLBACK_SIZE.height);
  const win = s.viewport ?? fullWindow({ startMs: model.startMs, endMs: model.endMs });
  return { model, layout, geo, win };
}

const canvas = () => screen.getByTestId('timeline-canvas');
function click(x: number, y: number) {
  const c = canvas();
  fireEvent.pointerDown(c, { clientX: x, clientY: y, button: 0, pointerId: 1 });
  fireEvent.pointerUp(c, { clientX: x, clientY: y, button: 0, pointerId: 1 });
}
function clickSpan(m: TimelineModel, i: number) {
  const { layout, geo, win } = panelLayout();
  const r = spanRect(m, layout, geo, win, 0, i)!;
  click(r.x + r.w / 2, r.y + r.h / 2);
}
function wheel(x: number, y: number, init: WheelEventInit) {
  const e = new WheelEvent('wheel', { bubbles: true, cancelable: true, ...init });
  // happy-dom's WheelEvent does not carry the MouseEvent coordinates.
  Object.defineProperty(e, 'clientX', { value: x });
  Object.defineProperty(e, 'clientY', { value: y });
  act(() => {
    canvas().dispatchEvent(e);
  });
  expect(e.defaultPrevented).toBe(true);
}
function key(k: string) {
  const root = screen.getByTestId('timeline-panel');
  act(() => root.focus());
  fireEvent.keyDown(root, { key: k });
}
const viewport = () => useStore.getState().viewport;
const dur = (w: { startMs: number; endMs: number }) => w.endMs - w.startMs;

beforeEach(() => resetStore());
afterEach(() => cleanup());

describe('TimelinePanel', () => {
  it('renders a canvas and toolbar without a 2D context (happy-dom)', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    expect(canvas()).toBeTruthy();
    expect(canvas().getAttribute('aria-label')).toMatch(/2 agent threads/);
    expect(screen.getByRole('toolbar', { name: 'Timeline controls' })).toBeTruthy();
    expect(screen.getByTestId('timeline-window').textContent).toMatch(/166 ms/);
  });

  it('clicking the canvas where the layout put an inference call selects exactly that call', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    const { model } = panelLayout();
    // Every inference call, root and worker: the click lands on the right one.
    const calls = Object.keys(useStore.getState().state!.inference_calls);
    expect(calls).toHaveLength(5);
    for (const id of calls) {
      const i = findSpan(model, { kind: 'inference_call', id });
      clickSpan(model, i);
      expect(useStore.getState().selection).toEqual({ kind: 'inference_call', id });
    }
    // A click selects through the store: the active thread follows (the worker's call → the worker).
    const worker = model.groups[1].threadId;
    const workerCall = calls.find((id) => useStore.getState().state!.inference_calls[id].thread_id === worker)!;
    clickSpan(model, findSpan(model, { kind: 'inference_call', id: workerCall }));
    expect(useStore.getState().activeThreadId).toBe(worker);
    // Selecting from the canvas does not move the window.
    expect(viewport()).toBeNull();
  });

  it('clicking empty track space selects nothing; a group label toggles its collapse', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    const { model, layout, geo } = panelLayout();
    const lastRow = layout.rows[layout.rows.length - 1];
    click(geo.width - 5, geo.bodyTop + lastRow.y + lastRow.h + 30);
    expect(useStore.getState().selection).toBeNull();
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('');
    const header = layout.rows[layout.groupRow[1]];
    click(20, geo.bodyTop + header.y + header.h / 2);
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('1');
    // Collapsed: the worker's call is now in the summary row, and still clickable there.
    const collapsed = layoutRows(model, new Set([1]));
    expect(Number(canvas().getAttribute('data-rows'))).toBe(collapsed.rows.length);
    const i = model.spans.refs.findIndex((r, k) => r.kind === 'inference_call' && model.spans.group[k] === 1);
    const r = spanRect(model, collapsed, geo, fullWindow(model), 0, i)!;
    expect(r.row).toBe(collapsed.groupRow[1]);
    click(r.x + r.w / 2, r.y + r.h / 2);
    expect(useStore.getState().selection).toEqual(model.spans.refs[i]);
    click(20, geo.bodyTop + header.y + header.h / 2);
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('');
  });

  it('clicking a group header row in the time area selects its thread', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    const { model, layout, geo } = panelLayout();
    const header = layout.rows[layout.groupRow[1]];
    click(geo.width - 3, geo.bodyTop + header.y + 3);
    expect(useStore.getState().selection).toEqual({ kind: 'thread', id: model.groups[1].threadId });
  });

  it('the wheel zooms around the cursor and stores the window in the viewport slice', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    const { geo, win } = panelLayout();
    const x = geo.trackX0 + geo.trackW * 0.3;
    const before = trackScale(geo, win);
    const tAtCursor = xToTime(before, x);
    wheel(x, geo.bodyTop + 20, { deltaY: -240 });
    const w = viewport()!;
    expect(w).not.toBeNull();
    expect(dur(w)).toBeLessThan(dur(win) * 0.6);
    // The time under the cursor stays under the cursor.
    expect(xToTime(trackScale(geo, w), x)).toBeCloseTo(tAtCursor, 3);
    // Zooming back out past the whole trace stops at the trace (plus a margin).
    for (let k = 0; k < 10; k++) wheel(x, geo.bodyTop + 20, { deltaY: 800 });
    const out = viewport()!;
    expect(dur(out)).toBeLessThanOrEqual(dur(win) * 1.1);
    // A horizontal swipe pans.
    const prev = viewport()!;
    wheel(x, geo.bodyTop + 20, { deltaY: -400 });
    const zoomed = viewport()!;
    wheel(x, geo.bodyTop + 20, { deltaX: 100 });
    const panned = viewport()!;
    expect(dur(panned)).toBeCloseTo(dur(zoomed), 6);
    expect(panned.startMs).toBeGreaterThan(zoomed.startMs);
    expect(prev).not.toEqual(panned);
  });

  it('W/S zoom, A/D pan, 0 resets, F fits the selection', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    const { model, win } = panelLayout();
    key('w');
    const z1 = viewport()!;
    expect(dur(z1)).toBeCloseTo(dur(win) / 1.25, 3);
    key('w');
    const z2 = viewport()!;
    key('d');
    const right = viewport()!;
    expect(right.startMs).toBeGreaterThan(z2.startMs);
    expect(dur(right)).toBeCloseTo(dur(z2), 6);
    key('a');
    key('a');
    expect(viewport()!.startMs).toBeLessThan(z2.startMs);
    key('s');
    expect(dur(viewport()!)).toBeCloseTo(dur(z2) * 1.25, 3);
    key('0');
    expect(viewport()).toBeNull();
    // F: zoom to the selected inference call.
    const id = Object.keys(useStore.getState().state!.inference_calls)[10];
    const i = findSpan(model, { kind: 'inference_call', id });
    clickSpan(model, i);
    key('f');
    const f = viewport()!;
    expect(f.startMs).toBeLessThan(model.spans.start[i]);
    expect(f.endMs).toBeGreaterThan(model.spans.end[i]);
    expect(dur(f)).toBeLessThan((model.spans.end[i] - model.spans.start[i]) * 1.5);
  });

  it('its keys work without clicking the timeline first, and not while typing in a field', () => {
    loadFixture('long-session');
    render(
      <>
        <input aria-label="elsewhere" />
        <TimelinePanel />
      </>,
    );
    const { win } = panelLayout();
    act(() => (document.activeElement as HTMLElement | null)?.blur());
    fireEvent.keyDown(document.body, { key: 'w' });
    expect(dur(viewport()!)).toBeCloseTo(dur(win) / 1.25, 3);
    const field = screen.getByLabelText('elsewhere');
    act(() => field.focus());
    fireEvent.keyDown(field, { key: 'w' });
    expect(dur(viewport()!)).toBeCloseTo(dur(win) / 1.25, 3);
  });

  it('dragging the tracks pans without selecting', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    key('w');
    key('w');
    const w0 = viewport()!;
    const { geo } = panelLayout();
    const c = canvas();
    const x = geo.trackX0 + 400;
    const y = geo.bodyTop + 30;
    fireEvent.pointerDown(c, { clientX: x, clientY: y, button: 0, pointerId: 1 });
    fireEvent.pointerMove(c, { clientX: x + 50, clientY: y, pointerId: 1 });
    fireEvent.pointerMove(c, { clientX: x + 100, clientY: y, pointerId: 1 });
    fireEvent.pointerUp(c, { clientX: x + 100, clientY: y, button: 0, pointerId: 1 });
    const w1 = viewport()!;
    expect(dur(w1)).toBeCloseTo(dur(w0), 6);
    expect(w0.startMs - w1.startMs).toBeCloseTo((100 * dur(w0)) / geo.trackW, 3);
    expect(useStore.getState().selection).toBeNull();
  });

  it('dragging on the axis selects a range and shows its duration and contents; Esc clears it', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    const { model, geo, win } = panelLayout();
    const s = trackScale(geo, win);
    const a = model.originMs + 1000;
    const b = model.originMs + 2000;
    const y = OVERVIEW_H + 10;
    const c = canvas();
    fireEvent.pointerDown(c, { clientX: timeToX(s, a), clientY: y, button: 0, pointerId: 1 });
    fireEvent.pointerMove(c, { clientX: timeToX(s, b), clientY: y, pointerId: 1 });
    fireEvent.pointerUp(c, { clientX: timeToX(s, b), clientY: y, button: 0, pointerId: 1 });
    const card = screen.getByTestId('timeline-range');
    expect(within(card).getByTestId('timeline-range-duration').textContent).toBe('1.00 s');
    const state = useStore.getState().state!;
    const calls = Object.values(state.inference_calls).filter((x) => x.execution.started_at_unix_ms <= b && x.execution.ended_at_unix_ms! >= a).length;
    const counts = within(card).getByTestId('timeline-range-counts');
    expect(counts.querySelector('[data-kind="inference_call"]')!.textContent).toBe(`${calls} inference calls`);
    expect(counts.querySelector('[data-kind="tool_call"]')).toBeTruthy();
    // The window did not move and nothing got selected.
    expect(viewport()).toBeNull();
    expect(useStore.getState().selection).toBeNull();
    // F zooms to the range.
    key('f');
    expect(viewport()!.startMs).toBeGreaterThan(a - 50);
    expect(viewport()!.endMs).toBeLessThan(b + 50);
    key('Escape');
    expect(screen.queryByTestId('timeline-range')).toBeNull();
  });

  it('hovering a span shows its name, duration, status and tokens', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    const { model, layout, geo, win } = panelLayout();
    const id = Object.keys(useStore.getState().state!.inference_calls)[0];
    const call = useStore.getState().state!.inference_calls[id];
    const r = spanRect(model, layout, geo, win, 0, findSpan(model, { kind: 'inference_call', id }))!;
    fireEvent.pointerMove(canvas(), { clientX: r.x + r.w / 2, clientY: r.y + r.h / 2 });
    const tip = screen.getByTestId('timeline-tooltip');
    expect(tip.textContent).toContain(`Inference ${useStore.getState().indexes!.inferenceOrdinal.get(id)}`);
    expect(tip.textContent).toContain('completed');
    expect(tip.textContent).toContain(`${call.execution.ended_at_unix_ms! - call.execution.started_at_unix_ms} ms`);
    expect(tip.textContent).toContain(`${call.usage!.input_tokens.toLocaleString('en-US')} in`);
    fireEvent.pointerLeave(canvas());
    expect(screen.queryByTestId('timeline-tooltip')).toBeNull();
  });

  it('kind chips, status and text set the store filters; the panel counts what matches', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    const { model } = panelLayout();
    fireEvent.click(screen.getByRole('button', { name: /Inference/ }));
    expect(useStore.getState().filters.kinds).toEqual(['inference_call']);
    expect(screen.getByTestId('timeline-match').textContent).toBe(`71/${model.spans.count.toLocaleString('en-US')}×`);
    fireEvent.click(screen.getByRole('button', { name: /Compaction/ }));
    expect(useStore.getState().filters.kinds).toEqual(['inference_call', 'compaction_request', 'compaction']);
    expect(screen.getByTestId('timeline-match').textContent).toMatch(/^77\//);
    fireEvent.click(screen.getByRole('button', { name: /Inference/ }));
    expect(useStore.getState().filters.kinds).toEqual(['compaction_request', 'compaction']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Status filter' }), { target: { value: 'completed' } });
    expect(useStore.getState().filters.statuses).toEqual(['completed']);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter spans by text' }), { target: { value: 'Compaction 2' } });
    expect(useStore.getState().filters.text).toBe('Compaction 2');
    expect(screen.getByTestId('timeline-match').textContent).toMatch(/^1\//);
    fireEvent.click(within(screen.getByTestId('timeline-match')).getByRole('button', { name: 'Clear filters' }));
    expect(useStore.getState().filters).toEqual({ kinds: [], statuses: [], threadIds: [], text: '' });
    expect(screen.queryByTestId('timeline-match')).toBeNull();
  });

  it('filters set elsewhere in the store are applied (thread filter)', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    const { model } = panelLayout();
    act(() => useStore.getState().setFilters({ threadIds: [model.groups[1].threadId] }));
    const workerSpans = Array.from(model.spans.group).filter((g) => g === 1).length;
    expect(screen.getByTestId('timeline-match').getAttribute('title')).toContain(`${workerSpans} of ${model.spans.count} spans match`);
    expect(screen.getByRole('button', { name: /1 thread/ })).toBeTruthy();
  });

  it('a selection made elsewhere pans and zooms the timeline to reveal it', () => {
    loadFixture('long-session');
    render(<TimelinePanel />);
    const { model, geo } = panelLayout();
    // Zoom into the start, then select a call near the end from "another panel".
    key('w');
    key('w');
    key('w');
    key('w');
    const ids = useStore.getState().indexes!.inferenceCallsByThread.get(useStore.getState().state!.root_thread_id)!;
    const id = ids[ids.length - 2];
    const i = findSpan(model, { kind: 'inference_call', id });
    expect(viewport()!.endMs).toBeLessThan(model.spans.start[i]);
    act(() => useStore.getState().select({ kind: 'inference_call', id }));
    const w = viewport()!;
    expect(w.startMs).toBeLessThanOrEqual(model.spans.start[i]);
    expect(w.endMs).toBeGreaterThanOrEqual(model.spans.end[i]);
    expect(((model.spans.end[i] - model.spans.start[i]) * geo.trackW) / dur(w)).toBeGreaterThanOrEqual(3);
    // Selecting a conversation item reveals the call that produced it.
    key('0');
    const item = useStore.getState().state!.inference_calls[ids[3]].response_item_ids[0];
    act(() => useStore.getState().select({ kind: 'conversation_item', id: item }));
    const w2 = viewport()!;
    const j = findSpan(model, { kind: 'inference_call', id: ids[3] });
    expect(w2.startMs).toBeLessThanOrEqual(model.spans.start[j]);
    expect(w2.endMs).toBeGreaterThanOrEqual(model.spans.end[j]);
  });

  it("with more than 8 sub-agents they start collapsed; revealing a collapsed agent's call expands it and scrolls to it", () => {
    loadSynthetic(syntheticTimelineState({ spans: 6000, agents: 10 }));
    render(<TimelinePanel />);
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('1,2,3,4,5,6,7,8,9,10');
    const { model } = panelLayout();
    const sub = model.groups[9];
    const i = model.spans.refs.findIndex((r, k) => r.kind === 'inference_call' && model.spans.group[k] === sub.index);
    act(() => useStore.getState().select(model.spans.refs[i]));
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('1,2,3,4,5,6,7,8,10');
    const expanded = layoutRows(model, new Set([1, 2, 3, 4, 5, 6, 7, 8, 10]));
    const row = expanded.rows[expanded.laneRow[model.spans.lane[i]]];
    const top = Number(canvas().getAttribute('data-scroll-top'));
    const geo = geometry(TIMELINE_FALLBACK_SIZE.width, TIMELINE_FALLBACK_SIZE.height);
    expect(row.y).toBeGreaterThanOrEqual(top);
    expect(row.y + row.h).toBeLessThanOrEqual(top + geo.bodyH);
    expect(top).toBeGreaterThan(0);
    // "Expand all" (some are collapsed) then "Collapse all".
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(canvas().getAttribute('data-collapsed-groups')).toBe(model.groups.map((g) => g.index).join(','));
    expect(model.spans.kind[i]).toBe(SK.inference);
  });

  it('the legend explains colours and closes with Escape or a click outside', () => {
    loadFixture('multi-agent');
    render(<TimelinePanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Legend' }));
    const legend = screen.getByTestId('timeline-legend');
    expect(legend.textContent).toContain('failed');
    expect(legend.textContent).toContain('follow-up');
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('timeline-legend')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Legend' }));
    fireEvent.pointerDown(canvas(), { clientX: 5, clientY: 5 });
    expect(screen.queryByTestId('timeline-legend')).toBeNull();
  });

  it('a new trace resets the panel (collapse state, range)', () => {
    loadSynthetic(syntheticTimelineState({ spans: 3000, agents: 10 }));
    render(<TimelinePanel />);
    expect(canvas().getAttribute('data-collapsed-groups')).not.toBe('');
    loadFixture('multi-agent');
    expect(canvas().getAttribute('data-collapsed-groups')).toBe('');
    expect(canvas().getAttribute('aria-label')).toMatch(/2 agent threads/);
  });
});
