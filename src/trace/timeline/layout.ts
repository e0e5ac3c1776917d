/**
 * Timeline layout: rows (one header row per track group, one row per lane of
 * each expanded track), panel geometry, visible-range culling with level of
 * detail, edge geometry and hit testing by coordinates. Pure TS: the canvas
 * panel draws what this computes, and tests click where this says things are.
 */
import type { TimelineModel, TrackKind } from './model';
import { makeScale, pxPerMs, timeToX, xToTime, type Scale, type ViewWindow } from './scale';

export const GROUP_ROW_H = 24;
export const LANE_H = 18;
/** Vertical gap between the lanes of different tracks. */
export const TRACK_GAP = 3;
export const LABEL_W = 210;
export const OVERVIEW_H = 28;
export const AXIS_H = 24;
export const HEADER_H = OVERVIEW_H + AXIS_H;
/** Indentation of nested track groups per depth level. */
export const INDENT = 12;

export interface Row {
  index: number;
  type: 'group' | 'lane';
  /** Top, in content coordinates (0 = first row). */
  y: number;
  h: number;
  group: number;
  /** Track index within the group (-1 for group rows). */
  track: number;
  trackKind: TrackKind | null;
  /** Lanes drawn in this row, bottom to top (a collapsed group row overlays all its lanes). */
  laneIds: readonly number[];
  /** Track label, on the first row of each track. */
  label: string | null;
  collapsed: boolean;
}

export interface RowLayout {
  rows: Row[];
  /** Row tops, ascending (for binary search). */
  tops: Float64Array;
  height: number;
  /** lane id → row index showing it (its group row when collapsed). */
  laneRow: Int32Array;
  /** group index → its header row index. */
  groupRow: Int32Array;
}

/** Groups that start collapsed: with more than `threshold` sub-agents, every sub-agent group. */
export function defaultCollapsed(model: TimelineModel, threshold = 8): Set<number> {
  const subs = model.groups.filter((g) => g.depth > 0 || g.index > 0);
  return subs.length > threshold ? new Set(subs.map((g) => g.index)) : new Set();
}

export function layoutRows(model: TimelineModel, collapsed: ReadonlySet<number>): RowLayout {
  const rows: Row[] = [];
  const laneRow = new Int32Array(model.lanes.length).fill(-1);
  const groupRow = new Int32Array(model.groups.length).fill(-1);
  let y = 0;
  for (const g of model.groups) {
    const isCollapsed = collapsed.has(g.index) || g.tracks.length === 0;
    const gr = rows.length;
    groupRow[g.index] = gr;
    rows.push({
      index: gr,
      type: 'group',
      y,
      h: GROUP_ROW_H,
      group: g.index,
      track: -1,
      trackKind: null,
      laneIds: isCollapsed ? g.summaryLanes : [],
      label: null,
      collapsed: isCollapsed,
    });
    y += GROUP_ROW_H;
    if (isCollapsed) {
      for (const t of g.tracks) for (const r of t.rows) for (const l of r) laneRow[l] = gr;
      continue;
    }
    g.tracks.forEach((t, ti) => {
      t.rows.forEach((laneIds, k) => {
        const ri = rows.length;
        for (const l of laneIds) laneRow[l] = ri;
        rows.push({
          index: ri,
          type: 'lane',
          y,
          h: LANE_H,
          group: g.index,
          track: ti,
          trackKind: t.kind,
          laneIds,
          label: k === 0 ? t.label : null,
          collapsed: false,
        });
        y += LANE_H;
      });
      y += TRACK_GAP;
    });
  }
  return { rows, tops: Float64Array.from(rows, (r) => r.y), height: y, laneRow, groupRow };
}

/** Index of the row at content y, or -1. */
export function rowAtY(layout: RowLayout, y: number): number {
  const { tops, rows } = layout;
  let lo = 0;
  let hi = tops.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid] <= y) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (ans < 0) return -1;
  const r = rows[ans];
  return y < r.y + r.h ? ans : -1;
}

/** Rows intersecting content range [y0, y1): first and last index (last < first when none). */
export function visibleRows(layout: RowLayout, y0: number, y1: number): [number, number] {
  const { tops, rows } = layout;
  if (rows.length === 0) return [0, -1];
  let lo = 0;
  let hi = tops.length - 1;
  let first = rows.length;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].y + rows[mid].h > y0) {
      first = mid;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  let last = first - 1;
  for (let i = first; i < rows.length && rows[i].y < y1; i++) last = i;
  return [first, last];
}

// ---------------------------------------------------------------- geometry

export interface Geometry {
  width: number;
  height: number;
  /** Left edge and width of the time area (right of the label column). */
  trackX0: number;
  trackW: number;
  /** Top of the scrolling track body (below overview and axis). */
  bodyTop: number;
  bodyH: number;
}

export function geometry(width: number, height: number, labelW = LABEL_W): Geometry {
  const lw = Math.min(labelW, Math.max(80, Math.floor(width * 0.35)));
  return { width, height, trackX0: lw, trackW: Math.max(1, width - lw), bodyTop: HEADER_H, bodyH: Math.max(0, height - HEADER_H) };
}

/** The scale of the track area for a window. */
export function trackScale(geo: Geometry, w: ViewWindow): Scale {
  return makeScale(w, geo.trackX0, geo.trackW);
}

/** The scale of the overview strip (the whole trace). */
export function overviewScale(geo: Geometry, model: TimelineModel): Scale {
  return makeScale({ startMs: model.startMs, endMs: model.endMs }, geo.trackX0, geo.trackW);
}

/** Screen y of a row's top for a given vertical scroll. */
export function rowScreenY(geo: Geometry, row: Row, scrollTop: number): number {
  return geo.bodyTop + row.y - scrollTop;
}

/** Largest useful scrollTop. */
export function maxScroll(geo: Geometry, layout: RowLayout): number {
  return Math.max(0, layout.height - geo.bodyH);
}

// ---------------------------------------------------------------- culling

function lowerBound(arr: Int32Array, key: Float64Array, t: number, from = 0): number {
  let lo = from;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key[arr[mid]] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Call `cb` for the spans of a lane that are visible in [t0, t1], at most about
 * two per pixel column: of several spans that start inside one column only the
 * first and the last are visited (the first marks the column, the last may be
 * long). Lanes never overlap, so ends are sorted too and the first visible span
 * is found by binary search. Returns the number of spans visited.
 */
export function forEachVisible(
  lane: Int32Array,
  start: Float64Array,
  end: Float64Array,
  t0: number,
  t1: number,
  msPerPx: number,
  cb: (i: number) => void,
): number {
  let k = lowerBound(lane, end, t0);
  let visited = 0;
  const n = lane.length;
  while (k < n) {
    const i = lane[k];
    const s = start[i];
    if (s > t1) break;
    cb(i);
    visited++;
    const e = end[i];
    if (e - s >= msPerPx) {
      k++;
      continue;
    }
    // Sub-pixel span: skip to the next pixel column, but keep the last span starting in this one.
    const col = Math.floor((s - t0) / msPerPx);
    const next = t0 + (col + 1) * msPerPx;
    const j = lowerBound(lane, start, next, k + 1);
    k = j - 1 > k ? j - 1 : j;
    if (k === j - 1) {
      const i2 = lane[k];
      cb(i2);
      visited++;
      k = j;
    }
  }
  return visited;
}

function lowerBoundDirect(key: Float64Array, t: number, from = 0): number {
  let lo = from;
  let hi = key.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `forEachVisible` over parallel start/end arrays (e.g. level-of-detail runs), calling `cb` with the index. */
export function forEachVisibleRun(start: Float64Array, end: Float64Array, t0: number, t1: number, msPerPx: number, cb: (k: number) => void): number {
  let k = lowerBoundDirect(end, t0);
  let visited = 0;
  const n = start.length;
  while (k < n) {
    const s = start[k];
    if (s > t1) break;
    cb(k);
    visited++;
    if (end[k] - s >= msPerPx) {
      k++;
      continue;
    }
    const col = Math.floor((s - t0) / msPerPx);
    const j = lowerBoundDirect(start, t0 + (col + 1) * msPerPx, k + 1);
    if (j - 1 > k) {
      cb(j - 1);
      visited++;
    }
    k = j;
  }
  return visited;
}

// ---------------------------------------------------------------- hit testing

/** The span of a row under time t (within tolMs for thin spans), topmost lane first; -1 if none. */
export function hitSpanInRow(model: TimelineModel, row: Row, t: number, tolMs: number): number {
  const { start, end } = model.spans;
  let near = -1;
  let nearDist = Infinity;
  let bg = -1;
  for (let li = row.laneIds.length - 1; li >= 0; li--) {
    const lane = model.lanes[row.laneIds[li]];
    const arr = lane.spans;
    // Last span starting at or before t (+ tolerance).
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (start[arr[mid]] <= t) lo = mid + 1;
      else hi = mid;
    }
    const k = lo - 1;
    if (k >= 0 && end[arr[k]] >= t) {
      if (lane.background) {
        if (bg < 0) bg = arr[k];
        continue;
      }
      return arr[k];
    }
    if (lane.background) continue;
    if (k >= 0) {
      const d = t - end[arr[k]];
      if (d <= tolMs && d < nearDist) {
        near = arr[k];
        nearDist = d;
      }
    }
    if (k + 1 < arr.length) {
      const d = start[arr[k + 1]] - t;
      if (d <= tolMs && d < nearDist) {
        near = arr[k + 1];
        nearDist = d;
      }
    }
  }
  return near >= 0 ? near : bg;
}

// ---------------------------------------------------------------- edges

export interface EdgePath {
  edge: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function endpointY(geo: Geometry, layout: RowLayout, model: TimelineModel, group: number, span: number, scrollTop: number, otherGroup: number): number {
  let ri = span >= 0 ? layout.laneRow[model.spans.lane[span]] : -1;
  if (ri < 0) {
    // No span: the group's first track row, or its header row when collapsed.
    const gr = layout.groupRow[group];
    const next = layout.rows[gr + 1];
    ri = next && next.group === group && next.type === 'lane' ? gr + 1 : gr;
  }
  const r = layout.rows[ri];
  const top = rowScreenY(geo, r, scrollTop);
  // Land on the edge of the row facing the other end, so arrows do not cover span labels.
  if (otherGroup === group) return top + r.h / 2;
  const otherRow = layout.rows[layout.groupRow[otherGroup]];
  return otherRow && otherRow.y < r.y ? top + 2 : top + r.h - 2;
}

/** Screen endpoints of every edge (both ends may be off screen; the caller clips). */
export function edgePaths(model: TimelineModel, layout: RowLayout, geo: Geometry, w: ViewWindow, scrollTop: number): EdgePath[] {
  const s = trackScale(geo, w);
  return model.edges.map((e, edge) => ({
    edge,
    x1: timeToX(s, e.srcT),
    y1: endpointY(geo, layout, model, e.srcGroup, e.srcSpan, scrollTop, e.dstGroup),
    x2: timeToX(s, e.dstT),
    y2: endpointY(geo, layout, model, e.dstGroup, e.dstSpan, scrollTop, e.srcGroup),
  }));
}

/** Control points of the curve drawn for an edge (a cubic Bézier; straight when nearly vertical). */
export function edgeCurve(p: EdgePath): [number, number, number, number, number, number, number, number] {
  const dx = p.x2 - p.x1;
  if (Math.abs(dx) < 6) return [p.x1, p.y1, p.x1, p.y1, p.x2, p.y2, p.x2, p.y2];
  const my = (p.y1 + p.y2) / 2;
  return [p.x1, p.y1, p.x1 + dx * 0.15, my, p.x2 - dx * 0.15, my, p.x2, p.y2];
}

/** The edge whose curve passes within `tol` px of (x, y), or -1. */
export function hitEdge(paths: readonly EdgePath[], x: number, y: number, tol = 4): number {
  let best = -1;
  let bestD = tol * tol;
  for (const p of paths) {
    if (x < Math.min(p.x1, p.x2) - tol || x > Math.max(p.x1, p.x2) + tol || y < Math.min(p.y1, p.y2) - tol || y > Math.max(p.y1, p.y2) + tol) continue;
    const [ax, ay, bx, by, cx, cy, dx, dy] = edgeCurve(p);
    let px = ax;
    let py = ay;
    for (let k = 1; k <= 24; k++) {
      const t = k / 24;
      const u = 1 - t;
      const qx = u * u * u * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t * t * t * dx;
      const qy = u * u * u * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t * t * t * dy;
      // Distance from (x, y) to segment (px,py)-(qx,qy).
      const sx = qx - px;
      const sy = qy - py;
      const len = sx * sx + sy * sy;
      const f = len > 0 ? Math.max(0, Math.min(1, ((x - px) * sx + (y - py) * sy) / len)) : 0;
      const ex = px + f * sx - x;
      const ey = py + f * sy - y;
      const d = ex * ex + ey * ey;
      if (d <= bestD) {
        bestD = d;
        best = p.edge;
      }
      px = qx;
      py = qy;
    }
  }
  return best;
}

export type Hit =
  | { area: 'overview'; t: number }
  | { area: 'axis'; t: number }
  | { area: 'label'; row: number; group: number; toggle: boolean }
  | { area: 'track'; row: number; group: number; t: number; span: number; edge: number }
  | { area: 'none' };

/** Tolerance (px) around thin spans and instants. */
export const HIT_TOL_PX = 3;

/** What is at panel coordinates (x, y). */
export function hitTest(
  model: TimelineModel,
  layout: RowLayout,
  geo: Geometry,
  w: ViewWindow,
  scrollTop: number,
  x: number,
  y: number,
  edges?: readonly EdgePath[],
): Hit {
  if (x < 0 || y < 0 || x > geo.width || y > geo.height) return { area: 'none' };
  if (y < OVERVIEW_H) return x >= geo.trackX0 ? { area: 'overview', t: xToTime(overviewScale(geo, model), x) } : { area: 'none' };
  const s = trackScale(geo, w);
  if (y < geo.bodyTop) return x >= geo.trackX0 ? { area: 'axis', t: xToTime(s, x) } : { area: 'none' };
  const ri = rowAtY(layout, y - geo.bodyTop + scrollTop);
  if (x < geo.trackX0) {
    if (ri < 0) return { area: 'none' };
    const r = layout.rows[ri];
    return { area: 'label', row: ri, group: r.group, toggle: r.type === 'group' };
  }
  const t = xToTime(s, x);
  const tol = HIT_TOL_PX / pxPerMs(s);
  let span = -1;
  if (ri >= 0) span = hitSpanInRow(model, layout.rows[ri], t, tol);
  let edge = -1;
  if (span < 0 && edges) edge = hitEdge(edges, x, y);
  if (ri < 0 && edge < 0) return { area: 'none' };
  return { area: 'track', row: ri, group: ri >= 0 ? layout.rows[ri].group : -1, t, span, edge };
}

/** Screen rectangle of a span (x may extend past the track area; w ≥ 1). Null when its row is not laid out. */
export function spanRect(
  model: TimelineModel,
  layout: RowLayout,
  geo: Geometry,
  w: ViewWindow,
  scrollTop: number,
  span: number,
): { x: number; y: number; w: number; h: number; row: number } | null {
  const ri = layout.laneRow[model.spans.lane[span]];
  if (ri < 0) return null;
  const r = layout.rows[ri];
  const s = trackScale(geo, w);
  const x1 = timeToX(s, model.spans.start[span]);
  const x2 = timeToX(s, model.spans.end[span]);
  return { x: x1, y: rowScreenY(geo, r, scrollTop), w: Math.max(1, x2 - x1), h: r.h, row: ri };
}
