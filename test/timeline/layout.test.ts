import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../../src/trace/indexes/build';
import { refKey } from '../../src/trace/indexes/refs';
import {
  AXIS_H,
  buildTimelineModel,
  defaultCollapsed,
  edgePaths,
  filterMask,
  findSpan,
  forEachVisible,
  forEachVisibleRun,
  laneRuns,
  LOD_LEVELS,
  lodBase,
  pickRuns,
  groupSummary,
  pickSummaryRuns,
  formatTickLabel,
  generateTicks,
  geometry,
  hitEdge,
  hitTest,
  layoutRows,
  MIN_WINDOW_MS,
  OVERVIEW_H,
  packBlocks,
  packLanes,
  panBy,
  revealTarget,
  revealWindow,
  rowAtY,
  SK,
  sortByStart,
  spanRect,
  summarizeRange,
  timeToX,
  trackScale,
  xToTime,
  zoomAround,
  type TimelineModel,
} from '../../src/trace/timeline';
import type { RolloutTrace } from '../../src/trace/schema/state';
import { syntheticTimelineState } from '../../scripts/lib/synthetic-timeline';
import { fixtureNames, loadRawState, loadState } from '../panels/helpers';

function modelOf(state: RolloutTrace): TimelineModel {
  return buildTimelineModel(state, buildTraceIndexes(state));
}
const span = (m: TimelineModel, kind: string, id: string) => findSpan(m, { kind, id } as never);

/** Invariants every model must satisfy: each span in exactly one foreground lane; lanes sorted and non-overlapping. */
function checkLanes(m: TimelineModel) {
  const seen = new Int32Array(m.spans.count);
  const problems: string[] = [];
  for (const lane of m.lanes) {
    for (let k = 0; k < lane.spans.length; k++) {
      const i = lane.spans[k];
      if (!lane.background) seen[i]++;
      if (m.spans.group[i] !== lane.group) problems.push(`span ${i} in a lane of another group`);
      if (k > 0) {
        const p = lane.spans[k - 1];
        if (m.spans.start[i] < m.spans.start[p]) problems.push(`lane ${lane.id} not sorted at ${k}`);
        if (m.spans.end[p] > m.spans.start[i]) problems.push(`lane ${lane.id} overlaps at ${k}`);
      }
    }
  }
  for (let i = 0; i < m.spans.count; i++) {
    if (m.spans.kind[i] !== SK.terminal_session && seen[i] !== 1) problems.push(`${m.spans.refs[i].kind} ${m.spans.refs[i].id} in ${seen[i]} lanes`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
}

describe('timeline model', () => {
  it.each(fixtureNames())('%s: every timed object is a span, lanes never overlap', (name) => {
    const raw = loadRawState(name);
    const m = modelOf(loadState(name));
    const n = (o: object) => Object.keys(o).length;
    const termSessionsWithOps = Object.values(raw.terminal_sessions as Record<string, { operation_ids: string[] }>).filter(
      (s) => s.operation_ids.length > 0,
    ).length;
    // …plus a mark per untraced compaction (detected from the request windows: compaction-local has two).
    const untraced = name === 'compaction-local' ? 2 : 0;
    expect(m.spans.count).toBe(
      n(raw.codex_turns) +
        n(raw.inference_calls) +
        n(raw.tool_calls) +
        n(raw.code_cells) +
        n(raw.terminal_operations) +
        n(raw.compaction_requests) +
        n(raw.compactions) +
        termSessionsWithOps +
        untraced,
    );
    checkLanes(m);
    expect(m.endMs).toBeGreaterThan(m.startMs);
  });

  it('multi-agent: root group first, the worker nested under it, spawn and result edges between them', () => {
    const raw = loadRawState('multi-agent');
    const m = modelOf(loadState('multi-agent'));
    expect(m.groups.map((g) => [g.agentPath, g.nickname, g.depth, g.parent])).toEqual([
      ['/root', null, 0, -1],
      ['/root/worker', 'Anscombe', 1, 0],
    ]);
    expect(m.groups[0].tracks.map((t) => t.kind)).toEqual(['turns', 'inference', 'tools']);
    const kinds = m.edges.map((e) => [e.kind, m.groups[e.srcGroup].agentPath, m.groups[e.dstGroup].agentPath]).sort();
    expect(kinds).toEqual([
      ['agent_result', '/root/worker', '/root'],
      ['spawn_agent', '/root', '/root/worker'],
    ]);
    // The spawn arrow leaves the spawn_agent tool call.
    const spawn = m.edges.find((e) => e.kind === 'spawn_agent')!;
    expect(m.spans.refs[spawn.srcSpan]).toEqual({ kind: 'tool_call', id: 'call_0002' });
    // …and lands on the worker's inference call that carried the task in its request.
    expect(m.spans.refs[spawn.dstSpan].kind).toBe('inference_call');
    expect(raw.inference_calls[m.spans.refs[spawn.dstSpan].id].request_item_ids).toContain(raw.interaction_edges[spawn.ref.id].target.item_id);
    expect(spawn.dstT).toBeGreaterThanOrEqual(raw.interaction_edges[spawn.ref.id].ended_at_unix_ms);
    // The result arrow leaves the worker's final answer (the call that produced it).
    const result = m.edges.find((e) => e.kind === 'agent_result')!;
    expect(raw.inference_calls[m.spans.refs[result.srcSpan].id].response_item_ids).toContain(raw.interaction_edges[result.ref.id].source.item_id);
  });

  it('code-mode: code cells get their own track, nested tools overlap the exec call and go to another lane', () => {
    const m = modelOf(loadState('code-mode'));
    const g = m.groups[0];
    expect(g.tracks.map((t) => t.kind)).toEqual(['turns', 'inference', 'tools', 'code', 'terminal']);
    const tools = g.tracks.find((t) => t.kind === 'tools')!;
    expect(tools.rows.length).toBeGreaterThanOrEqual(2);
    const exec = span(m, 'tool_call', 'call_0005');
    const nested = span(m, 'tool_call', 'exec-7fe92ebf-e6e0-44a2-a21b-f1b178d7a648');
    expect(m.spans.lane[exec]).not.toBe(m.spans.lane[nested]);
    const cell = span(m, 'code_cell', 'code_cell:call_0005');
    expect(m.spans.mark[cell]).toBe(loadRawState('code-mode').code_cells['code_cell:call_0005'].initial_response_at_unix_ms);
  });

  it('long-command-polls: operations of one terminal session stay together under their session', () => {
    const m = modelOf(loadState('long-command-polls'));
    const term = m.groups[0].tracks.find((t) => t.kind === 'terminal')!;
    // exec_command 1 runs while write_stdin polls happen: two lanes, both with the session body behind.
    expect(term.rows.length).toBe(2);
    const sess = span(m, 'terminal_session', 'terminal_session:terminal_operation:1');
    for (const row of term.rows) {
      expect(m.lanes[row[0]].background).toBe(true);
      expect(Array.from(m.lanes[row[0]].spans)).toContain(sess);
    }
    for (let k = 1; k <= 5; k++) {
      const op = span(m, 'terminal_operation', `terminal_operation:${k}`);
      expect(term.rows.some((r) => r.includes(m.spans.lane[op]))).toBe(true);
    }
  });

  it('long-session: 70 one-op sessions share few lanes; compaction requests and install instants', () => {
    const raw = loadRawState('long-session');
    const m = modelOf(loadState('long-session'));
    const g = m.groups[0];
    const term = g.tracks.find((t) => t.kind === 'terminal')!;
    expect(term.rows.length).toBeLessThan(5);
    const comp = g.tracks.find((t) => t.kind === 'compaction')!;
    const compSpans = comp.rows.flatMap((r) => r.flatMap((l) => Array.from(m.lanes[l].spans)));
    expect(
      compSpans
        .filter((i) => m.spans.kind[i] === SK.compaction)
        .map((i) => m.spans.start[i])
        .sort(),
    ).toEqual(
      Object.values(raw.compactions as Record<string, { installed_at_unix_ms: number }>)
        .map((c) => c.installed_at_unix_ms)
        .sort(),
    );
    expect(compSpans.filter((i) => m.spans.kind[i] === SK.compaction_request)).toHaveLength(3);
  });

  it('running spans extend to the end of the trace and are marked open', () => {
    const name = fixtureNames().find((n) =>
      Object.values(loadRawState(n).tool_calls as Record<string, { execution: { status: string } }>).some((t) => t.execution.status === 'running'),
    )!;
    const raw = loadRawState(name);
    const m = modelOf(loadState(name));
    const [id] = Object.entries(raw.tool_calls as Record<string, { execution: { status: string } }>).find(([, t]) => t.execution.status === 'running')!;
    const i = span(m, 'tool_call', id);
    expect(m.spans.open[i]).toBe(1);
    expect(m.spans.end[i]).toBe(m.endMs);
  });
});

describe('lane packing', () => {
  it('packs overlapping intervals into the fewest lanes, touching ones share a lane', () => {
    const start = Float64Array.from([0, 5, 10, 2, 20]);
    const end = Float64Array.from([10, 8, 15, 4, 25]);
    const lanes = packLanes(sortByStart([0, 1, 2, 3, 4], start, end), start, end);
    expect(lanes).toEqual([
      [0, 2, 4],
      [3, 1],
    ]);
  });
  it('instants at the same time go to separate lanes when given a minimum gap', () => {
    const start = Float64Array.from([5, 5]);
    const end = Float64Array.from([5, 5]);
    expect(packLanes([0, 1], start, end, 1e-6)).toHaveLength(2);
  });
  it('blocks several lanes tall do not overlap', () => {
    const { base, lanes } = packBlocks([
      { start: 0, end: 10, height: 2 },
      { start: 5, end: 8, height: 1 },
      { start: 11, end: 12, height: 3 },
    ]);
    expect(base).toEqual([0, 2, 0]);
    expect(lanes).toBe(3);
  });
});

describe('scale', () => {
  const bounds = { startMs: 1000, endMs: 11_000 };
  it('time ↔ pixel round-trips', () => {
    const s = { startMs: 1000, endMs: 2000, x0: 200, width: 500 };
    expect(timeToX(s, 1500)).toBe(450);
    expect(xToTime(s, timeToX(s, 1234.5))).toBeCloseTo(1234.5, 9);
  });
  it('zooming keeps the anchor under the cursor and respects the minimum window', () => {
    const w = { startMs: 2000, endMs: 6000 };
    const z = zoomAround(w, 3000, 4, bounds);
    expect(z.endMs - z.startMs).toBeCloseTo(1000);
    expect((3000 - z.startMs) / (z.endMs - z.startMs)).toBeCloseTo(0.25);
    let deep = w;
    for (let k = 0; k < 60; k++) deep = zoomAround(deep, 3000, 2, bounds);
    expect(deep.endMs - deep.startMs).toBeCloseTo(MIN_WINDOW_MS);
    const out = zoomAround(w, 3000, 1 / 1000, bounds);
    expect(out.endMs - out.startMs).toBeLessThanOrEqual(10_000 * 1.1 + 1e-6);
  });
  it('panning stops a little past the trace', () => {
    const p = panBy({ startMs: 2000, endMs: 3000 }, 1e9, bounds);
    expect(p.endMs).toBeCloseTo(11_000 + 500);
    expect(p.endMs - p.startMs).toBeCloseTo(1000);
  });
  it('reveal: nothing to do when visible, centre when outside, zoom when too thin or too long', () => {
    const w = { startMs: 2000, endMs: 3000 };
    expect(revealWindow(w, 2400, 2500, 1000, bounds)).toBeNull();
    const c = revealWindow(w, 8000, 8100, 1000, bounds)!;
    expect((c.startMs + c.endMs) / 2).toBeCloseTo(8050);
    expect(c.endMs - c.startMs).toBeCloseTo(1000);
    const thin = revealWindow({ startMs: 1000, endMs: 11_000 }, 5000, 5001, 1000, bounds)!;
    expect(thin.endMs - thin.startMs).toBeCloseTo(10);
    const long = revealWindow(w, 1000, 9000, 1000, bounds)!;
    expect(long.startMs).toBeLessThan(1000);
    expect(long.endMs).toBeGreaterThan(9000);
  });
});

describe('ticks', () => {
  it.each([
    [1, 800],
    [40, 800],
    [1500, 900],
    [45_000, 1200],
    [20 * 60_000, 1000],
    [5 * 3_600_000, 1000],
  ])('window %d ms over %d px: evenly spaced, ≥ 90 px apart, relative labels', (dur, width) => {
    const origin = 1_795_000_000_000;
    const w = { startMs: origin + dur * 0.3, endMs: origin + dur * 1.3 };
    const { step, ticks, minorStep } = generateTicks(w, width, origin);
    expect(ticks.length).toBeGreaterThan(0);
    expect((step * width) / dur).toBeGreaterThanOrEqual(90);
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil(width / 90) + 1);
    for (const t of ticks) expect(t.t).toBeGreaterThanOrEqual(w.startMs);
    expect(step % minorStep).toBeCloseTo(0, 6);
    expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
  });
  it('labels use ms, s and min', () => {
    expect(formatTickLabel(250, 50)).toBe('+250 ms');
    expect(formatTickLabel(1500, 500)).toBe('+1.5 s');
    expect(formatTickLabel(12_000, 2000)).toBe('+12 s');
    expect(formatTickLabel(90_000, 30_000)).toBe('+1m 30s');
    expect(formatTickLabel(10 * 60_000, 5 * 60_000)).toBe('+10 min');
    expect(formatTickLabel(0.25, 0.05)).toBe('+0.25 ms');
  });
});

describe('rows and hit testing', () => {
  it('sub-agent groups start collapsed when there are more than 8', () => {
    const few = modelOf(loadState('multi-agent'));
    expect(defaultCollapsed(few).size).toBe(0);
    const many = modelOf(syntheticTimelineState({ spans: 2000, agents: 10 }));
    const c = defaultCollapsed(many);
    expect(c.size).toBe(10);
    expect(c.has(0)).toBe(false);
    const layout = layoutRows(many, c);
    // root header + its lanes, then exactly one (summary) row per collapsed sub-agent
    expect(layout.rows.filter((r) => r.type === 'group' && r.collapsed)).toHaveLength(10);
    expect(layout.rows.filter((r) => r.type === 'lane' && r.group > 0)).toHaveLength(0);
  });

  it('clicking the centre of every inference call hits exactly that call (long-session)', () => {
    const m = modelOf(loadState('long-session'));
    const layout = layoutRows(m, new Set());
    const geo = geometry(1200, 100_000);
    const w = { startMs: m.startMs, endMs: m.endMs };
    let checked = 0;
    for (let i = 0; i < m.spans.count; i++) {
      if (m.spans.kind[i] !== SK.inference) continue;
      const r = spanRect(m, layout, geo, w, 0, i)!;
      const hit = hitTest(m, layout, geo, w, 0, r.x + r.w / 2, r.y + r.h / 2);
      expect(hit.area).toBe('track');
      expect(hit.area === 'track' && m.spans.refs[hit.span]).toEqual(m.spans.refs[i]);
      checked++;
    }
    expect(checked).toBe(71);
    // Zoomed so each call is ~100 px wide: both inner edges hit it, 20 px outside does not.
    for (let i = 0; i < m.spans.count; i++) {
      if (m.spans.kind[i] !== SK.inference) continue;
      const d = m.spans.end[i] - m.spans.start[i];
      const zw = { startMs: m.spans.start[i] - 4.5 * d, endMs: m.spans.end[i] + 4.5 * d };
      const r = spanRect(m, layout, geo, zw, 0, i)!;
      const at = (x: number) => {
        const h = hitTest(m, layout, geo, zw, 0, x, r.y + r.h / 2);
        return h.area === 'track' ? h.span : -2;
      };
      expect(r.w).toBeGreaterThan(90);
      expect(at(r.x + 2)).toBe(i);
      expect(at(r.x + r.w - 2)).toBe(i);
      expect(at(r.x - 20)).not.toBe(i);
      expect(at(r.x + r.w + 20)).not.toBe(i);
    }
  });

  it('areas: overview, axis, label toggles, empty track space', () => {
    const m = modelOf(loadState('multi-agent'));
    const layout = layoutRows(m, new Set());
    const geo = geometry(1000, 600);
    const w = { startMs: m.startMs, endMs: m.endMs };
    expect(hitTest(m, layout, geo, w, 0, 500, OVERVIEW_H / 2).area).toBe('overview');
    expect(hitTest(m, layout, geo, w, 0, 500, OVERVIEW_H + AXIS_H / 2).area).toBe('axis');
    const header = layout.rows[layout.groupRow[1]];
    const h = hitTest(m, layout, geo, w, 0, 20, geo.bodyTop + header.y + 5);
    expect(h).toEqual({ area: 'label', row: header.index, group: 1, toggle: true });
    expect(rowAtY(layout, layout.height + 10)).toBe(-1);
    expect(hitTest(m, layout, geo, w, 0, 900, geo.bodyTop + layout.height + 20).area).toBe('none');
  });

  it('collapsed group rows hit the spans drawn in them; scroll offsets rows', () => {
    const m = modelOf(loadState('multi-agent'));
    const layout = layoutRows(m, new Set([1]));
    const geo = geometry(1000, 600);
    const w = { startMs: m.startMs, endMs: m.endMs };
    const i = m.spans.lane.findIndex((_, k) => m.spans.group[k] === 1 && m.spans.kind[k] === SK.inference);
    const r = spanRect(m, layout, geo, w, 0, i)!;
    expect(r.row).toBe(layout.groupRow[1]);
    const hit = hitTest(m, layout, geo, w, 0, r.x + r.w / 2, r.y + r.h / 2);
    expect(hit.area === 'track' && hit.span).toBe(i);
    const scrolled = spanRect(m, layout, geo, w, 10, i)!;
    expect(scrolled.y).toBe(r.y - 10);
  });

  it('edges are hit along their curve', () => {
    const m = modelOf(loadState('multi-agent'));
    const layout = layoutRows(m, new Set());
    const geo = geometry(1000, 600);
    const w = { startMs: m.startMs, endMs: m.endMs };
    const paths = edgePaths(m, layout, geo, w, 0);
    const p = paths[0];
    expect(hitEdge(paths, p.x1, p.y1)).toBe(0);
    expect(hitEdge(paths, p.x2, p.y2)).toBe(0);
    expect(hitEdge(paths, p.x1 + 200, Math.min(p.y1, p.y2) - 50)).toBe(-1);
  });
});

describe('culling', () => {
  const m = modelOf(syntheticTimelineState({ spans: 100_000, agents: 0 }));
  const lane = m.lanes.reduce((a, b) => (b.spans.length > a.spans.length ? b : a));

  it('visits at most about two spans per pixel column when zoomed out', () => {
    const s = trackScale(geometry(1400, 400), { startMs: m.startMs, endMs: m.endMs });
    const msPerPx = (s.endMs - s.startMs) / s.width;
    let n = 0;
    const visited = forEachVisible(lane.spans, m.spans.start, m.spans.end, s.startMs, s.endMs, msPerPx, () => n++);
    expect(lane.spans.length).toBeGreaterThan(15_000);
    expect(visited).toBe(n);
    expect(visited).toBeLessThanOrEqual(2 * s.width + 2);
  });

  it('visits exactly the spans in the window when zoomed in', () => {
    const a = m.spans.start[lane.spans[5000]];
    const b = a + 300;
    const got: number[] = [];
    forEachVisible(lane.spans, m.spans.start, m.spans.end, a, b, 0.01, (i) => got.push(i));
    const want = Array.from(lane.spans).filter((i) => m.spans.end[i] >= a && m.spans.start[i] <= b);
    expect(got).toEqual(want);
  });

  // Speed is measured by `npm run bench:timeline`, not asserted here.
  it('builds a 30k-span model whose lanes never overlap, and hit-tests it consistently', () => {
    const state = syntheticTimelineState({ spans: 30_000, agents: 12 });
    const big = buildTimelineModel(state, buildTraceIndexes(state));
    expect(big.spans.count).toBeGreaterThanOrEqual(30_000);
    checkLanes(big);
    const layout = layoutRows(big, new Set());
    const geo = geometry(1400, 800);
    const w = { startMs: big.startMs, endMs: big.endMs };
    let found = 0;
    for (let k = 0; k < 2_000; k++) {
      const hit = hitTest(big, layout, geo, w, (k * 37) % Math.max(1, layout.height - 600), 210 + ((k * 7919) % 1190), 60 + ((k * 104_729) % 740));
      if (hit !== null && hit !== undefined) found++;
    }
    expect(found).toBeGreaterThan(0);
  });
});

describe('level of detail', () => {
  const m = modelOf(syntheticTimelineState({ spans: 20_000, agents: 0, seed: 3 }));
  const lane = m.lanes.find((l) => m.spans.kind[l.spans[0]] === SK.inference)!;

  it('runs cover every span, never overlap, keep gaps of at least the bucket, and let failures win the colour', () => {
    const levels = laneRuns(m, lane);
    expect(levels).toHaveLength(LOD_LEVELS);
    for (const runs of levels) {
      let k = 0;
      let total = 0;
      for (let r = 0; r < runs.start.length; r++) {
        if (r > 0) expect(runs.start[r] - runs.end[r - 1]).toBeGreaterThanOrEqual(runs.bucketMs);
        let failed = false;
        for (let c = 0; c < runs.count[r]; c++, k++) {
          const i = lane.spans[k];
          expect(m.spans.start[i]).toBeGreaterThanOrEqual(runs.start[r]);
          expect(m.spans.end[i]).toBeLessThanOrEqual(runs.end[r]);
          if (m.spans.status[i] === 1) failed = true;
        }
        if (failed) expect(m.spans.status[runs.colorSpan[r]]).toBe(1);
        total += runs.count[r];
      }
      expect(total).toBe(lane.spans.length);
    }
    // Coarser levels have fewer runs.
    expect(levels[LOD_LEVELS - 1].start.length).toBeLessThan(levels[0].start.length);
  });

  it('is used only when zoomed out far enough that the merged gaps are sub-pixel', () => {
    const total = m.endMs - m.startMs;
    const out = pickRuns(m, lane, total / 1000, 1000)!;
    expect(out).not.toBeNull();
    expect(out.bucketMs).toBeLessThanOrEqual(total / 1000);
    expect(pickRuns(m, lane, lodBase(m) / 2, 1000)).toBeNull();
    // Drawing the runs visits about a pixel's worth, not every span.
    let n = 0;
    forEachVisibleRun(out.start, out.end, m.startMs, m.endMs, total / 1000, () => n++);
    expect(n).toBeLessThanOrEqual(2002);
    expect(lane.spans.length).toBeGreaterThan(n);
  });
});

describe('collapsed summary rows', () => {
  it('are the union of turns, runtime and inference spans, coarsened only when zoomed out', () => {
    const m = modelOf(loadState('code-mode'));
    const classes = groupSummary(m, 0);
    expect(classes.map((c) => c.name)).toEqual(['turns', 'runtime', 'inference']);
    const runtime = classes.find((c) => c.name === 'runtime')!;
    const exact = runtime.levels[0];
    // Union: runs never overlap, and every tool call / terminal op / code cell lies inside one.
    for (let r = 1; r < exact.start.length; r++) expect(exact.start[r]).toBeGreaterThanOrEqual(exact.end[r - 1]);
    for (let i = 0; i < m.spans.count; i++) {
      if (![SK.tool, SK.terminal_op, SK.code_cell].includes(m.spans.kind[i])) continue;
      let inside = false;
      for (let r = 0; r < exact.start.length; r++) if (m.spans.start[i] >= exact.start[r] && m.spans.end[i] <= exact.end[r]) inside = true;
      expect(inside).toBe(true);
    }
    expect(pickSummaryRuns(m, runtime, lodBase(m) / 10)).toBe(exact);
    expect(pickSummaryRuns(m, runtime, (m.endMs - m.startMs) / 100).start.length).toBeLessThanOrEqual(exact.start.length);
  });
});

describe('filters, range summary, reveal', () => {
  it('dims by kind, status, thread and text', () => {
    const state = loadState('multi-agent');
    const m = modelOf(state);
    expect(filterMask(m, { kinds: [], statuses: [], threadIds: [], text: ' ' }, state)).toBeNull();
    const inf = filterMask(m, { kinds: ['inference_call'], statuses: [], threadIds: [], text: '' }, state)!;
    for (let i = 0; i < m.spans.count; i++) expect(inf[i]).toBe(m.spans.kind[i] === SK.inference ? 1 : 0);
    // A kinds filter naming no timeline kind dims nothing.
    expect(Array.from(filterMask(m, { kinds: ['conversation_item'], statuses: [], threadIds: [], text: '' }, state)!).every((x) => x === 1)).toBe(true);
    const worker = m.groups[1].threadId;
    const th = filterMask(m, { kinds: [], statuses: [], threadIds: [worker], text: '' }, state)!;
    for (let i = 0; i < m.spans.count; i++) expect(th[i]).toBe(m.spans.group[i] === 1 ? 1 : 0);
    const txt = filterMask(m, { kinds: [], statuses: [], threadIds: [], text: 'WAIT_agent' }, state)!;
    expect(
      Array.from(txt.entries())
        .filter(([, v]) => v)
        .map(([i]) => m.spans.refs[i].id),
    ).toEqual(['call_0005']);
    const failed = loadState('inference-error-retry');
    const fm = modelOf(failed);
    const st = filterMask(fm, { kinds: [], statuses: ['failed'], threadIds: [], text: '' }, failed)!;
    expect(Array.from(st).filter(Boolean).length).toBe(
      Object.values(failed.inference_calls).filter((c) => c.execution.status === 'failed').length +
        Object.values(failed.tool_calls).filter((c) => c.execution.status === 'failed').length,
    );
  });

  it('summarizes a range: counts by kind agree with a brute-force scan', () => {
    const state = loadState('long-session');
    const m = modelOf(state);
    const a = m.startMs + 1000;
    const b = m.startMs + 2000;
    const r = summarizeRange(m, b, a, null, state);
    const calls = Object.values(state.inference_calls).filter((c) => c.execution.started_at_unix_ms <= b && (c.execution.ended_at_unix_ms ?? Infinity) >= a);
    expect(r.byKind.inference_call).toBe(calls.length);
    expect(r.inputTokens).toBe(calls.reduce((s, c) => s + (c.usage?.input_tokens ?? 0), 0));
    expect(r.byKind.tool_call).toBe(
      Object.values(state.tool_calls).filter((c) => c.execution.started_at_unix_ms <= b && (c.execution.ended_at_unix_ms ?? Infinity) >= a).length,
    );
    expect(r.endMs - r.startMs).toBe(1000);
  });

  it('reveals a conversation item at the inference call that produced it, an edge by its endpoints', () => {
    const state = loadState('multi-agent');
    const idx = buildTraceIndexes(state);
    const m = buildTimelineModel(state, idx);
    const [itemId, calls] = [...idx.itemProducerCalls].find(([, c]) => c.length > 0)!;
    const r = revealTarget(m, state, idx, { kind: 'conversation_item', id: itemId })!;
    expect(m.spans.refs[r.span]).toEqual({ kind: 'inference_call', id: calls[0] });
    const edgeId = Object.keys(state.interaction_edges)[0];
    const e = revealTarget(m, state, idx, { kind: 'interaction_edge', id: edgeId })!;
    expect(e.edge).toBe(m.edgeOfRef.get(refKey({ kind: 'interaction_edge', id: edgeId })));
    const th = revealTarget(m, state, idx, { kind: 'thread', id: m.groups[1].threadId })!;
    expect(th.group).toBe(1);
  });
});
