/**
 * Level of detail for zoomed-out drawing. For each lane, levels of "runs":
 * at level k, consecutive spans separated by less than `bucketMs(k)` are merged
 * into one run. Drawing a lane at a zoom where one pixel is at least that long
 * looks the same with the runs as with the spans (the gaps are sub-pixel), but
 * costs O(pixels) instead of O(spans). Each run remembers the span that decides
 * its colour: a failed span wins, then cancelled/aborted, then running, else the
 * longest. Pure TS; built lazily per lane and cached on the model.
 */
import type { Lane, TimelineModel } from './model';

export interface LaneRuns {
  bucketMs: number;
  start: Float64Array;
  end: Float64Array;
  /** The span whose colour the run takes. */
  colorSpan: Int32Array;
  /** Spans merged into the run (1 = a single span, drawn as itself). */
  count: Int32Array;
}

/** Levels per lane: bucket k = base · 4^k, base = trace length / 2^18. */
export const LOD_LEVELS = 9;

export function lodBase(model: TimelineModel): number {
  return (model.endMs - model.startMs) / 262_144;
}

const cache = new WeakMap<TimelineModel, (LaneRuns[] | undefined)[]>();

// Colour priority of a status: failed > cancelled/aborted > running > completed.
const PRIORITY = [0, 3, 2, 1, 2];

function mergeLevel(
  prevStart: Float64Array,
  prevEnd: Float64Array,
  prevColor: Int32Array,
  prevCount: Int32Array,
  bucket: number,
  model: TimelineModel,
): LaneRuns {
  const n = prevStart.length;
  const start: number[] = [];
  const end: number[] = [];
  const color: number[] = [];
  const count: number[] = [];
  const { status, start: ss, end: se } = model.spans;
  let k = 0;
  while (k < n) {
    let s = prevStart[k];
    let e = prevEnd[k];
    let c = prevColor[k];
    let cnt = prevCount[k];
    k++;
    while (k < n && prevStart[k] - e < bucket) {
      if (prevEnd[k] > e) e = prevEnd[k];
      const c2 = prevColor[k];
      const p1 = PRIORITY[status[c]] ?? 0;
      const p2 = PRIORITY[status[c2]] ?? 0;
      if (p2 > p1 || (p2 === p1 && se[c2] - ss[c2] > se[c] - ss[c])) c = c2;
      cnt += prevCount[k];
      k++;
    }
    if (s > e) s = e;
    start.push(s);
    end.push(e);
    color.push(c);
    count.push(cnt);
  }
  return { bucketMs: bucket, start: Float64Array.from(start), end: Float64Array.from(end), colorSpan: Int32Array.from(color), count: Int32Array.from(count) };
}

/** All levels of a lane (built on first use). */
export function laneRuns(model: TimelineModel, lane: Lane): LaneRuns[] {
  let perModel = cache.get(model);
  if (!perModel) {
    perModel = new Array(model.lanes.length);
    cache.set(model, perModel);
  }
  let levels = perModel[lane.id];
  if (levels) return levels;
  const ids = lane.spans;
  const s0 = new Float64Array(ids.length);
  const e0 = new Float64Array(ids.length);
  const c0 = new Int32Array(ids.length);
  const n0 = new Int32Array(ids.length).fill(1);
  for (let k = 0; k < ids.length; k++) {
    s0[k] = model.spans.start[ids[k]];
    e0[k] = model.spans.end[ids[k]];
    c0[k] = ids[k];
  }
  levels = [];
  let prev: Omit<LaneRuns, 'bucketMs'> = { start: s0, end: e0, colorSpan: c0, count: n0 };
  const base = lodBase(model);
  for (let l = 0; l < LOD_LEVELS; l++) {
    const runs = mergeLevel(prev.start, prev.end, prev.colorSpan, prev.count, base * 4 ** l, model);
    levels.push(runs);
    prev = runs;
  }
  perModel[lane.id] = levels;
  return levels;
}

/**
 * The runs to draw a lane with at `msPerPx`, or null to draw its spans: the
 * coarsest level whose merged gaps are still under `maxGapPx` pixels — and only
 * when that level actually saves work (the lane has more spans than pixels).
 */
export function pickRuns(model: TimelineModel, lane: Lane, msPerPx: number, widthPx: number, maxGapPx = 1): LaneRuns | null {
  if (lane.spans.length < widthPx / 4) return null;
  const base = lodBase(model);
  if (base <= 0) return null;
  let level = -1;
  for (let l = 0; l < LOD_LEVELS; l++) if (base * 4 ** l <= msPerPx * maxGapPx) level = l;
  if (level < 0) return null;
  return laneRuns(model, lane)[level];
}

/** What a collapsed group's summary row draws, bottom to top. */
export type SummaryClassName = 'turns' | 'runtime' | 'inference';
export interface SummaryClass {
  name: SummaryClassName;
  /** [0]: the union of the class's spans (overlaps merged); then coarser levels as in `laneRuns`. */
  levels: LaneRuns[];
}

const summaryCache = new WeakMap<TimelineModel, (SummaryClass[] | undefined)[]>();

/**
 * A collapsed group's summary: per class (turns; runtime = tools, terminal
 * operations and code cells; inference), the union of its spans as runs, with
 * coarser levels for zooming out. Drawing these instead of overlaying every
 * lane keeps a summary row to a few runs per pixel column.
 */
export function groupSummary(model: TimelineModel, group: number): SummaryClass[] {
  let perModel = summaryCache.get(model);
  if (!perModel) {
    perModel = new Array(model.groups.length);
    summaryCache.set(model, perModel);
  }
  const cached = perModel[group];
  if (cached) return cached;
  const g = model.groups[group];
  const classOf = (track: string): SummaryClassName | null =>
    track === 'turns' ? 'turns' : track === 'inference' ? 'inference' : track === 'tools' || track === 'terminal' || track === 'code' ? 'runtime' : null;
  const ids: Record<SummaryClassName, number[]> = { turns: [], runtime: [], inference: [] };
  for (const t of g.tracks) {
    const c = classOf(t.kind);
    if (!c) continue;
    for (const row of t.rows) for (const l of row) if (!model.lanes[l].background) for (const i of model.lanes[l].spans) ids[c].push(i);
  }
  const { start, end } = model.spans;
  const out: SummaryClass[] = [];
  const base = lodBase(model);
  for (const name of ['turns', 'runtime', 'inference'] as const) {
    const list = ids[name];
    if (list.length === 0) continue;
    list.sort((a, b) => start[a] - start[b] || end[b] - end[a]);
    const s0 = Float64Array.from(list, (i) => start[i]);
    const e0 = Float64Array.from(list, (i) => end[i]);
    const c0 = Int32Array.from(list);
    const n0 = new Int32Array(list.length).fill(1);
    const levels: LaneRuns[] = [mergeLevel(s0, e0, c0, n0, 0, model)];
    for (let l = 0; l < LOD_LEVELS; l++) levels.push(mergeLevel(levels[l].start, levels[l].end, levels[l].colorSpan, levels[l].count, base * 4 ** l, model));
    out.push({ name, levels });
  }
  perModel[group] = out;
  return out;
}

/**
 * The summary runs to draw at `msPerPx`: the coarsest level whose merged gaps
 * stay under `maxGapPx` pixels (a summary row may close gaps of a few pixels).
 */
export function pickSummaryRuns(model: TimelineModel, cls: SummaryClass, msPerPx: number, maxGapPx = 3): LaneRuns {
  const base = lodBase(model);
  let level = 0;
  for (let l = 0; l < LOD_LEVELS; l++) if (base * 4 ** l <= msPerPx * maxGapPx) level = l + 1;
  return cls.levels[level];
}
