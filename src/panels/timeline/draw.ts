/**
 * Canvas drawing of the timeline. Everything it draws is positioned by the
 * pure layout (src/trace/timeline); this file only turns that into pixels.
 * Rects are batched per colour (one path per colour) and only the visible
 * part of each lane is visited, at most about two spans per pixel column.
 * A missing 2D context (tests) makes it a no-op.
 */
import { formatClock, formatDuration } from '../../ui/format';
import {
  isUntracedCompaction,
  edgeCurve,
  forEachVisible,
  forEachVisibleRun,
  pickRuns,
  groupSummary,
  pickSummaryRuns,
  generateTicks,
  INDENT,
  OVERVIEW_H,
  overviewScale,
  SK,
  spanLabel,
  timeToX,
  trackScale,
  visibleRows,
  type EdgePath,
  type Geometry,
  type OverviewBins,
  type RowLayout,
  type TimelineModel,
  type ViewWindow,
} from '../../trace/timeline';
import type { Palette } from './palette';

export interface Frame {
  model: TimelineModel;
  layout: RowLayout;
  geo: Geometry;
  window: ViewWindow;
  scrollTop: number;
  palette: Palette;
  mask: Uint8Array | null;
  selectedSpan: number;
  selectedEdge: number;
  selectedGroup: number;
  hoverSpan: number;
  hoverEdge: number;
  activeGroup: number;
  range: { a: number; b: number } | null;
  cursorX: number | null;
  overview: OverviewBins | null;
  edges: readonly EdgePath[];
}

export interface DrawStats {
  /** Spans visited (after culling and level of detail). */
  spans: number;
  /** Rects filled (after merging). */
  rects: number;
  ms: number;
}

const DIM_ALPHA = 0.16;

function spanColor(m: TimelineModel, p: Palette, i: number): string {
  const { kind, status, cat } = m.spans;
  switch (kind[i]) {
    case SK.turn:
      return p.turn;
    case SK.inference:
      switch (status[i]) {
        case 1:
          return p.err;
        case 2:
        case 4:
          return p.warn;
        case 3:
          return p.run;
        default:
          return p.inference;
      }
    case SK.tool:
      return p.tools[cat[i]] ?? p.tools[6];
    case SK.terminal_op:
      return p.tools[0];
    case SK.terminal_session:
      return p.session;
    case SK.code_cell:
      return p.tools[5];
    case SK.compaction_request:
      return status[i] === 1 ? p.err : status[i] === 3 ? p.run : p.compaction;
    default:
      return p.compaction;
  }
}

/** Status outline for spans not coloured by status (tools, terminal ops, code cells, turns). */
function statusOutline(m: TimelineModel, p: Palette, i: number): string | null {
  const k = m.spans.kind[i];
  if (k === SK.inference || k === SK.compaction_request || k === SK.terminal_session) return null;
  switch (m.spans.status[i]) {
    case 1:
      return p.err;
    case 2:
    case 4:
      return p.warn;
    case 3:
      return p.run;
    default:
      return null;
  }
}

/** Reused coverage rows (one per colour and row band) for thin rects. */
const coveragePool: Uint8Array[] = [];

/**
 * Rects grouped by colour. Filled with one fillStyle per colour and fillRect per
 * rect on whole pixels (axis-aligned integer rects take the rasterizer's fast
 * path). Rects a few pixels wide — zoomed-out lanes, and collapsed summary
 * rows that overlay many lanes — are first marked in a per-pixel coverage row
 * and then filled as runs, so a frame fills at most about one rect per pixel
 * column per row and colour, however many spans it shows.
 */
class Buckets {
  private colors: string[] = [];
  private rects: number[][] = [];
  private index = new Map<string, number>();
  private cover = new Map<number, { color: number; y: number; h: number; px: Uint8Array; lo: number; hi: number }>();
  private x0 = 0;
  private width = 1;
  /** Start a frame; the arrays are kept (not reallocated) between frames. */
  reset(x0: number, width: number): this {
    this.x0 = x0;
    this.width = width;
    for (const a of this.rects) a.length = 0;
    for (const c of this.cover.values()) coveragePool.push(c.px);
    this.cover.clear();
    return this;
  }
  private colorIndex(color: string): number {
    let k = this.index.get(color);
    if (k === undefined) {
      k = this.colors.length;
      this.index.set(color, k);
      this.colors.push(color);
      this.rects.push([]);
    }
    return k;
  }
  add(color: string, x: number, y: number, w: number, h: number) {
    const k = this.colorIndex(color);
    let xa = Math.round(x);
    let xb = Math.max(xa + 1, Math.round(x + w));
    const ya = Math.round(y);
    const hh = Math.round(h);
    if (xb - xa <= 3) {
      const key = (k * 65536 + (ya + 16384)) * 512 + (hh & 511);
      let c = this.cover.get(key);
      if (!c) {
        const need = this.width + 8;
        let px = coveragePool.pop();
        if (!px || px.length < need) px = new Uint8Array(need);
        c = { color: k, y: ya, h: hh, px, lo: Infinity, hi: -Infinity };
        this.cover.set(key, c);
      }
      xa = Math.max(xa, this.x0 - 2) - this.x0 + 2;
      xb = Math.min(xb, this.x0 + this.width + 2) - this.x0 + 2;
      for (let p = xa; p < xb; p++) c.px[p] = 1;
      if (xa < c.lo) c.lo = xa;
      if (xb > c.hi) c.hi = xb;
      return;
    }
    const a = this.rects[k];
    const n = a.length;
    // Extend the previous rect of this colour in the same row when they overlap on screen.
    if (n > 0 && a[n - 3] === ya && a[n - 1] === hh) {
      const pa = a[n - 4];
      const pb = pa + a[n - 2];
      if (xa >= pa && xa < pb) {
        if (xb > pb) a[n - 2] = xb - pa;
        return;
      }
    }
    a.push(xa, ya, xb - xa, hh);
  }
  /** Turn coverage rows into runs. */
  private flush() {
    for (const c of this.cover.values()) {
      const a = this.rects[c.color];
      const px = c.px;
      let p = c.lo;
      while (p < c.hi) {
        if (!px[p]) {
          p++;
          continue;
        }
        const start = p;
        while (p < c.hi && px[p]) px[p++] = 0;
        a.push(start + this.x0 - 2, c.y, p - start, c.h);
      }
      coveragePool.push(px);
    }
    this.cover.clear();
  }
  get count(): number {
    this.flush();
    let n = 0;
    for (const a of this.rects) n += a.length / 4;
    return n;
  }
  fill(ctx: CanvasRenderingContext2D, alpha = 1) {
    this.flush();
    ctx.globalAlpha = alpha;
    for (let c = 0; c < this.colors.length; c++) {
      const a = this.rects[c];
      ctx.fillStyle = this.colors[c];
      for (let k = 0; k < a.length; k += 4) ctx.fillRect(a[k], a[k + 1], a[k + 2], a[k + 3]);
    }
    ctx.globalAlpha = 1;
  }
  stroke(ctx: CanvasRenderingContext2D, width: number) {
    this.flush();
    ctx.lineWidth = width;
    for (let c = 0; c < this.colors.length; c++) {
      const a = this.rects[c];
      ctx.strokeStyle = this.colors[c];
      for (let k = 0; k < a.length; k += 4) ctx.strokeRect(a[k] + 0.5, a[k + 1] + 0.5, Math.max(0, a[k + 2] - 1), a[k + 3] - 1);
    }
  }
}

/** Drawing is not re-entrant: one set of buckets, reused by every frame (less garbage while panning). */
const scratch = { fills: new Buckets(), dim: new Buckets(), outlines: new Buckets() };

/** `text` cut with an ellipsis to fit `maxW` pixels. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxW: number): string {
  if (maxW <= 8) return '';
  if (ctx.measureText(text).width <= maxW) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : '';
}

function diamond(ctx: CanvasRenderingContext2D, x: number, y: number, r: number) {
  ctx.moveTo(x, y - r);
  ctx.lineTo(x + r, y);
  ctx.lineTo(x, y + r);
  ctx.lineTo(x - r, y);
  ctx.closePath();
}

/** What every region of one frame is drawn against: the frame, its time scale and the visible rows. */
interface View {
  ctx: CanvasRenderingContext2D;
  f: Frame;
  s: ReturnType<typeof trackScale>;
  msPerPx: number;
  x0: number;
  xMax: number;
  /** First and last visible row. */
  r0: number;
  r1: number;
  ticks: ReturnType<typeof generateTicks>;
  fontUi: string;
}

export function drawTimeline(ctx: CanvasRenderingContext2D | null, f: Frame): DrawStats {
  const t0 = typeof performance !== 'undefined' ? performance.now() : 0;
  if (!ctx) return { spans: 0, rects: 0, ms: 0 };
  const { model: m, layout, geo, palette: p, scrollTop } = f;
  const win = f.window;
  const [r0, r1] = visibleRows(layout, scrollTop, scrollTop + geo.bodyH);
  const v: View = {
    ctx,
    f,
    s: trackScale(geo, win),
    msPerPx: (win.endMs - win.startMs) / geo.trackW,
    x0: geo.trackX0,
    xMax: geo.trackX0 + geo.trackW,
    r0,
    r1,
    ticks: generateTicks(win, geo.trackW, m.originMs),
    fontUi: `11px ${p.fontUi}`,
  };

  ctx.fillStyle = p.bg;
  ctx.fillRect(0, 0, geo.width, geo.height);
  const stats = drawBody(v);
  drawLabelColumn(v);
  drawOverview(v);
  drawAxis(v);
  return { ...stats, ms: (typeof performance !== 'undefined' ? performance.now() : 0) - t0 };
}

/** The time area: row backdrops, grid, spans, outlines, edges, the range and the cursor, clipped to the track. */
function drawBody(v: View): { spans: number; rects: number } {
  const { ctx, f, x0 } = v;
  const { geo } = f;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, geo.bodyTop, geo.trackW, geo.bodyH);
  ctx.clip();
  drawRowBackdrops(v);
  const { drawn, rects } = drawSpans(v);
  drawOutline(v, f.hoverSpan, f.palette.text, 1);
  drawOutline(v, f.selectedSpan, f.palette.accent, 2);
  drawEdges(v);
  drawRangeAndCursor(v);
  ctx.restore();
  return { spans: drawn, rects };
}

/** Group header rows, track separators and the grid lines at ticks. */
function drawRowBackdrops(v: View): void {
  const { ctx, f, s, x0, r0, r1, ticks } = v;
  const { layout, geo, palette: p, scrollTop } = f;
  // Group header rows and track separators.
  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    const y = geo.bodyTop + row.y - scrollTop;
    if (row.type === 'group') {
      ctx.fillStyle = row.group === f.selectedGroup ? p.selectedBg : p.panel;
      ctx.fillRect(x0, y, geo.trackW, row.h);
      ctx.fillStyle = p.border;
      ctx.fillRect(x0, y + row.h - 1, geo.trackW, 1);
      if (r > 0) ctx.fillRect(x0, y, geo.trackW, 1);
    } else if (row.label !== null && row.track > 0) {
      ctx.fillStyle = p.border;
      ctx.globalAlpha = 0.6;
      ctx.fillRect(x0, y - 2, geo.trackW, 1);
      ctx.globalAlpha = 1;
    }
  }
  // Grid lines at ticks.
  ctx.fillStyle = p.border;
  ctx.globalAlpha = 0.55;
  for (const t of ticks.ticks) ctx.fillRect(Math.round(timeToX(s, t.t)), geo.bodyTop, 1, geo.bodyH);
  ctx.globalAlpha = 1;
}

/** Every visible span, batched per colour, then the notches, compaction diamonds and labels on top. */
function drawSpans(v: View): { drawn: number; rects: number } {
  const { ctx, f, s, msPerPx, x0, xMax, r0, r1, fontUi } = v;
  const { model: m, layout, geo, palette: p, mask, scrollTop } = f;
  const win = f.window;
  const { start, end, kind, mark } = m.spans;
  let drawn = 0;
  const fills = scratch.fills.reset(x0, geo.trackW);
  const dimFills = scratch.dim.reset(x0, geo.trackW);
  const outlines = scratch.outlines.reset(x0, geo.trackW);
  const labels: { i: number; x: number; y: number; w: number; h: number; dim: boolean }[] = [];
  const instants: { i: number; x: number; y: number; r: number; dim: boolean }[] = [];
  const marks: number[] = [];

  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    const y = geo.bodyTop + row.y - scrollTop;
    if (row.type === 'group') {
      // Thread lifetime.
      const g = m.groups[row.group];
      if (g.end >= g.start) {
        const a = Math.max(x0 - 2, timeToX(s, g.start));
        const b = Math.min(xMax + 2, timeToX(s, g.end));
        if (b >= a) {
          const lifeY = row.collapsed ? y + row.h - 4 : y + row.h / 2 - 1.5;
          fills.add(g.open ? p.run : p.borderStrong, a, lifeY, Math.max(1, b - a), row.collapsed ? 2 : 3);
        }
      }
      if (!row.collapsed) continue;
    }
    const compact = row.type === 'group';
    if (compact && mask === null) {
      // Collapsed group: the union of each class's spans (turns, runtime, inference), coarsened when zoomed out.
      for (const cls of groupSummary(m, row.group)) {
        const runs = pickSummaryRuns(m, cls, msPerPx);
        const sy = cls.name === 'turns' ? y + 4 : y + 6;
        const hh = cls.name === 'turns' ? row.h - 10 : row.h - 14;
        drawn += forEachVisibleRun(runs.start, runs.end, win.startMs - msPerPx, win.endMs + msPerPx, msPerPx, (k) => {
          const xa = Math.max(x0 - 2, timeToX(s, runs.start[k]));
          const xb = Math.min(xMax + 2, timeToX(s, runs.end[k]));
          fills.add(spanColor(m, p, runs.colorSpan[k]), xa, sy, Math.max(1, xb - xa), hh);
        });
      }
      // Compaction installs, on top.
      for (const laneId of row.laneIds) {
        const lane = m.lanes[laneId];
        if (lane.track !== 'compaction') continue;
        for (const i of lane.spans)
          if (kind[i] === SK.compaction && start[i] >= win.startMs - msPerPx && start[i] <= win.endMs + msPerPx)
            instants.push({ i, x: timeToX(s, start[i]), y: y + row.h / 2, r: 4, dim: false });
      }
      continue;
    }
    for (const laneId of row.laneIds) {
      const lane = m.lanes[laneId];
      const bg = lane.background;
      const sy = compact ? y + (kind[lane.spans[0]] === SK.turn ? 4 : 6) : bg ? y + 1 : y + 2;
      const baseH = compact ? (kind[lane.spans[0]] === SK.turn ? row.h - 10 : row.h - 14) : bg ? row.h - 2 : row.h - 4;
      const drawSpan = (i: number) => {
        const dim = mask !== null && mask[i] === 0;
        if (kind[i] === SK.compaction) {
          instants.push({ i, x: timeToX(s, start[i]), y: sy + baseH / 2, r: compact ? 4 : 5, dim });
          return;
        }
        let xa = timeToX(s, start[i]);
        let xb = timeToX(s, end[i]);
        if (xa < x0 - 2) xa = x0 - 2;
        if (xb > xMax + 2) xb = xMax + 2;
        const w = Math.max(1, xb - xa);
        const color = spanColor(m, p, i);
        (dim ? dimFills : fills).add(color, xa, sy, w, baseH);
        if (!dim && !bg) {
          const o = statusOutline(m, p, i);
          if (o && w >= 3) outlines.add(o, xa, sy, w, baseH);
          if (!compact && w >= 30) labels.push({ i, x: xa, y: sy, w, h: baseH, dim });
          const mk = mark[i];
          if (mk === mk && w >= 6) marks.push(timeToX(s, mk), sy, baseH);
        }
      };
      const t0 = win.startMs - msPerPx;
      const t1 = win.endMs + msPerPx;
      // Zoomed out (and unfiltered): draw merged runs, O(pixels) instead of O(spans).
      const runs = mask === null ? pickRuns(m, lane, msPerPx, geo.trackW) : null;
      if (runs) {
        drawn += forEachVisibleRun(runs.start, runs.end, t0, t1, msPerPx, (k) => {
          const i = runs.colorSpan[k];
          if (runs.count[k] === 1) {
            drawSpan(i);
            return;
          }
          const xa = Math.max(x0 - 2, timeToX(s, runs.start[k]));
          const xb = Math.min(xMax + 2, timeToX(s, runs.end[k]));
          fills.add(spanColor(m, p, i), xa, sy, Math.max(1, xb - xa), baseH);
        });
      } else {
        drawn += forEachVisible(lane.spans, start, end, t0, t1, msPerPx, drawSpan);
      }
    }
  }
  const rects = dimFills.count + fills.count;
  dimFills.fill(ctx, DIM_ALPHA);
  fills.fill(ctx);
  outlines.stroke(ctx, 1.5);
  // Code cell initial response / yield: a notch on the bar's bottom edge.
  if (marks.length) {
    ctx.fillStyle = p.bg;
    ctx.beginPath();
    for (let k = 0; k < marks.length; k += 3) {
      const mx = Math.round(marks[k]);
      const by = marks[k + 1] + marks[k + 2];
      ctx.moveTo(mx - 4, by);
      ctx.lineTo(mx, by - 5);
      ctx.lineTo(mx + 4, by);
      ctx.closePath();
    }
    ctx.fill();
  }
  // Compaction installs: diamonds with a faint rule.
  for (const d of instants) {
    ctx.globalAlpha = d.dim ? DIM_ALPHA : 1;
    ctx.beginPath();
    diamond(ctx, d.x, d.y, d.r);
    if (isUntracedCompaction(m, d.i)) {
      // Untraced (detected, no record): a hollow diamond, as the compaction table marks it.
      ctx.fillStyle = p.bg;
      ctx.fill();
      ctx.strokeStyle = p.compaction;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      continue;
    }
    ctx.fillStyle = p.compaction;
    ctx.fill();
    ctx.strokeStyle = p.bg;
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  // Labels inside wide spans.
  if (labels.length) {
    ctx.font = fontUi;
    ctx.textBaseline = 'middle';
    for (const l of labels) {
      const left = Math.max(l.x, x0) + 4;
      const right = Math.min(l.x + l.w, xMax) - 4;
      const text = fitText(ctx, spanLabel(m, l.i), right - left);
      if (!text) continue;
      const k = kind[l.i];
      ctx.fillStyle = k === SK.turn ? p.turnText : p.spanText;
      ctx.fillText(text, left, l.y + l.h / 2 + 0.5);
    }
  }
  return { drawn, rects };
}

/** The hover or selection outline of span `i` (none when it is -1 or off screen). */
function drawOutline(v: View, i: number, color: string, width: number): void {
  const { ctx, f, s, x0, xMax, r0, r1 } = v;
  const { model: m, layout, geo, scrollTop } = f;
  const { start, end, kind } = m.spans;
  if (i < 0) return;
  const ri = layout.laneRow[m.spans.lane[i]];
  if (ri < 0 || ri < r0 || ri > r1) return;
  const row = layout.rows[ri];
  const y = geo.bodyTop + row.y - scrollTop;
  const compact = row.type === 'group';
  if (kind[i] === SK.compaction) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    diamond(ctx, timeToX(s, start[i]), y + row.h / 2, compact ? 6 : 7);
    ctx.stroke();
    return;
  }
  const xa = Math.max(x0 - 3, timeToX(s, start[i]));
  const xb = Math.min(xMax + 3, timeToX(s, end[i]));
  const w = Math.max(3, xb - xa);
  const cx = w === 3 ? (xa + xb) / 2 - 1.5 : xa;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.strokeRect(cx - width / 2, y + 1 - width / 2 + 0.5, w + width, row.h - 2 + width - 1);
}

/** Interaction edges: curves with an arrowhead and a source dot. */
function drawEdges(v: View): void {
  const { ctx, f, x0, xMax } = v;
  const { model: m, palette: p } = f;
  for (const e of f.edges) {
    const edge = m.edges[e.edge];
    const minX = Math.min(e.x1, e.x2);
    const maxX = Math.max(e.x1, e.x2);
    if (maxX < x0 - 10 || minX > xMax + 10) continue;
    const sel = e.edge === f.selectedEdge;
    const hov = e.edge === f.hoverEdge;
    const color = p.edges[edge.kind];
    const [ax, ay, bx, by, cx, cy, dx, dy] = edgeCurve(e);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = sel ? 2.5 : hov ? 2 : 1.25;
    ctx.setLineDash(edge.kind === 'wait' || edge.kind === 'close_agent' ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.bezierCurveTo(bx, by, cx, cy, dx, dy);
    ctx.stroke();
    ctx.setLineDash([]);
    // Arrowhead along the final tangent.
    let tx = dx - cx;
    let ty = dy - cy;
    if (Math.abs(tx) + Math.abs(ty) < 0.01) {
      tx = dx - ax;
      ty = dy - ay;
    }
    const len = Math.hypot(tx, ty) || 1;
    tx /= len;
    ty /= len;
    const sz = sel ? 7 : 6;
    ctx.beginPath();
    ctx.moveTo(dx, dy);
    ctx.lineTo(dx - tx * sz - ty * sz * 0.5, dy - ty * sz + tx * sz * 0.5);
    ctx.lineTo(dx - tx * sz + ty * sz * 0.5, dy - ty * sz - tx * sz * 0.5);
    ctx.closePath();
    ctx.fill();
    // Source dot.
    ctx.beginPath();
    ctx.arc(ax, ay, sel ? 3 : 2.2, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** The range selection overlay and the cursor line. */
function drawRangeAndCursor(v: View): void {
  const { ctx, f, s, x0 } = v;
  const { geo, palette: p } = f;
  if (f.range) {
    const a = timeToX(s, Math.min(f.range.a, f.range.b));
    const b = timeToX(s, Math.max(f.range.a, f.range.b));
    ctx.fillStyle = p.rangeFill;
    ctx.fillRect(a, geo.bodyTop, Math.max(1, b - a), geo.bodyH);
    ctx.fillStyle = p.accent;
    ctx.fillRect(Math.round(a), geo.bodyTop, 1, geo.bodyH);
    ctx.fillRect(Math.round(b), geo.bodyTop, 1, geo.bodyH);
  }
  // Cursor line.
  if (f.cursorX !== null && f.cursorX >= x0) {
    ctx.fillStyle = p.dim;
    ctx.globalAlpha = 0.5;
    ctx.fillRect(Math.round(f.cursorX), geo.bodyTop, 1, geo.bodyH);
    ctx.globalAlpha = 1;
  }
}

/** The label column: thread headers (chevron, status dot, name) and track labels. */
function drawLabelColumn(v: View): void {
  const { ctx, f, x0, r0, r1, fontUi } = v;
  const { model: m, layout, geo, palette: p, scrollTop } = f;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, geo.bodyTop, x0, geo.bodyH);
  ctx.clip();
  ctx.fillStyle = p.panel;
  ctx.fillRect(0, geo.bodyTop, x0, geo.bodyH);
  ctx.textBaseline = 'middle';
  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    const y = geo.bodyTop + row.y - scrollTop;
    const g = m.groups[row.group];
    const indent = 8 + g.depth * INDENT;
    if (row.type === 'group') {
      if (row.group === f.selectedGroup || row.group === f.activeGroup) {
        ctx.fillStyle = row.group === f.selectedGroup ? p.selectedBg : p.hover;
        ctx.fillRect(0, y, x0, row.h);
      }
      if (row.group === f.activeGroup) {
        ctx.fillStyle = p.accent;
        ctx.fillRect(0, y, 2, row.h);
      }
      ctx.fillStyle = p.border;
      ctx.fillRect(0, y + row.h - 1, x0, 1);
      if (r > 0) ctx.fillRect(0, y, x0, 1);
      // Chevron.
      ctx.fillStyle = p.dim;
      ctx.beginPath();
      const cx = indent + 4;
      const cy = y + row.h / 2;
      if (row.collapsed) {
        ctx.moveTo(cx - 2, cy - 4);
        ctx.lineTo(cx + 3, cy);
        ctx.lineTo(cx - 2, cy + 4);
      } else {
        ctx.moveTo(cx - 4, cy - 2);
        ctx.lineTo(cx + 4, cy - 2);
        ctx.lineTo(cx, cy + 3);
      }
      ctx.closePath();
      ctx.fill();
      // Status dot for failed / running threads.
      let right = x0 - 8;
      if (g.status === 1 || g.open) {
        ctx.fillStyle = g.status === 1 ? p.err : p.run;
        ctx.beginPath();
        ctx.arc(right - 3, cy, 3, 0, Math.PI * 2);
        ctx.fill();
        right -= 12;
      }
      const tx = indent + 14;
      ctx.font = `600 12px ${p.fontUi}`;
      ctx.fillStyle = p.text;
      const name = g.nickname ?? g.agentPath;
      const nameText = fitText(ctx, name, right - tx);
      ctx.fillText(nameText, tx, cy + 0.5);
      if (g.nickname && nameText === name) {
        const nx = tx + ctx.measureText(name).width + 6;
        ctx.font = `11px ${p.fontMono}`;
        ctx.fillStyle = p.dim;
        ctx.fillText(fitText(ctx, g.agentPath, right - nx), nx, cy + 0.5);
      }
    } else if (row.label !== null) {
      ctx.font = fontUi;
      ctx.fillStyle = p.dim;
      ctx.fillText(fitText(ctx, row.label, x0 - indent - 22), indent + 14, y + row.h / 2 + 0.5);
      if (row.track > 0) {
        ctx.fillStyle = p.border;
        ctx.globalAlpha = 0.6;
        ctx.fillRect(indent + 14, y - 2, x0 - indent - 14, 1);
        ctx.globalAlpha = 1;
      }
    }
  }
  ctx.restore();
  ctx.fillStyle = p.border;
  ctx.fillRect(x0 - 1, 0, 1, geo.height);
}

/** The overview strip: activity over the whole trace, the shown window framed, and its label cell. */
function drawOverview(v: View): void {
  const { ctx, f, x0, xMax } = v;
  const { model: m, geo, palette: p } = f;
  const win = f.window;
  const ov = overviewScale(geo, m);
  ctx.fillStyle = p.sunken;
  ctx.fillRect(x0, 0, geo.trackW, OVERVIEW_H);
  if (f.overview) {
    const { bins, inference, runtime, compaction, failed } = f.overview;
    const bw = geo.trackW / bins;
    const half = (OVERVIEW_H - 6) / 2;
    const bar = (arr: Float32Array, color: string, y: number, h: number) => {
      ctx.fillStyle = color;
      for (let b = 0; b < bins; b++) {
        const v = arr[b];
        if (v <= 0) continue;
        ctx.globalAlpha = Math.min(1, 0.25 + 0.75 * Math.min(1, v));
        const hh = Math.max(1, h * Math.min(1, 0.35 + 0.65 * Math.min(1, v)));
        ctx.fillRect(x0 + b * bw, y + (h - hh), Math.max(1, bw), hh);
      }
      ctx.globalAlpha = 1;
    };
    bar(inference, p.inference, 3, half);
    bar(runtime, p.tools[0], 3 + half, half);
    for (let b = 0; b < bins; b++) {
      if (compaction[b] > 0) {
        ctx.fillStyle = p.compaction;
        ctx.fillRect(x0 + b * bw, 1, Math.max(2, bw), OVERVIEW_H - 2);
      }
      if (failed[b] > 0) {
        ctx.fillStyle = p.err;
        ctx.fillRect(x0 + b * bw, OVERVIEW_H - 3, Math.max(2, bw), 3);
      }
    }
  }
  {
    const a = Math.max(x0, timeToX(ov, win.startMs));
    const b = Math.min(xMax, timeToX(ov, win.endMs));
    ctx.fillStyle = p.bg;
    ctx.globalAlpha = 0.6;
    ctx.fillRect(x0, 0, Math.max(0, a - x0), OVERVIEW_H);
    ctx.fillRect(b, 0, Math.max(0, xMax - b), OVERVIEW_H);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(a) + 0.5, 0.5, Math.max(2, Math.round(b - a) - 1), OVERVIEW_H - 1);
  }
  // Overview label cell.
  ctx.fillStyle = p.panel;
  ctx.fillRect(0, 0, x0 - 1, geo.bodyTop);
  ctx.textBaseline = 'middle';
  ctx.font = `600 11px ${p.fontUi}`;
  ctx.fillStyle = p.dim;
  ctx.fillText('Overview', 8, OVERVIEW_H / 2);
  ctx.font = `11px ${p.fontMono}`;
  ctx.fillStyle = p.faint;
  const total = formatDuration(m.endMs - m.startMs);
  ctx.fillText(total, x0 - 8 - ctx.measureText(total).width, OVERVIEW_H / 2);
}

/** The time axis: range band, minor and major ticks, the cursor's time, and the window's clock and length. */
function drawAxis(v: View): void {
  const { ctx, f, s, msPerPx, x0, xMax, ticks } = v;
  const { model: m, geo, palette: p } = f;
  const win = f.window;
  const axisY = OVERVIEW_H;
  const axisH = geo.bodyTop - OVERVIEW_H;
  ctx.fillStyle = p.panel;
  ctx.fillRect(x0, axisY, geo.trackW, axisH);
  ctx.fillStyle = p.border;
  ctx.fillRect(0, axisY, geo.width, 1);
  ctx.fillRect(0, geo.bodyTop - 1, geo.width, 1);
  // Range band in the axis.
  if (f.range) {
    const a = timeToX(s, Math.min(f.range.a, f.range.b));
    const b = timeToX(s, Math.max(f.range.a, f.range.b));
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, axisY, geo.trackW, axisH);
    ctx.clip();
    ctx.fillStyle = p.accent;
    ctx.globalAlpha = 0.22;
    ctx.fillRect(a, axisY + 1, Math.max(1, b - a), axisH - 2);
    ctx.globalAlpha = 1;
    ctx.restore();
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, axisY, geo.trackW, axisH);
  ctx.clip();
  ctx.fillStyle = p.faint;
  const firstMinor = Math.ceil((win.startMs - m.originMs) / ticks.minorStep);
  const lastMinor = Math.floor((win.endMs - m.originMs) / ticks.minorStep);
  if (lastMinor - firstMinor < 2000) {
    for (let k = firstMinor; k <= lastMinor; k++) ctx.fillRect(Math.round(timeToX(s, m.originMs + k * ticks.minorStep)), geo.bodyTop - 4, 1, 3);
  }
  ctx.font = `11px ${p.fontUi}`;
  ctx.textBaseline = 'middle';
  for (const t of ticks.ticks) {
    const x = Math.round(timeToX(s, t.t));
    ctx.fillStyle = p.dim;
    ctx.fillRect(x, axisY + 4, 1, axisH - 5);
    ctx.fillStyle = p.text;
    ctx.fillText(t.label, x + 4, axisY + axisH / 2);
  }
  // Cursor time.
  if (f.cursorX !== null && f.cursorX >= x0) {
    const t = s.startMs + (f.cursorX - x0) * msPerPx;
    const text = `${formatClock(t)}`;
    ctx.font = `11px ${p.fontMono}`;
    const tw = ctx.measureText(text).width + 10;
    let bx = f.cursorX - tw / 2;
    bx = Math.max(x0, Math.min(xMax - tw, bx));
    ctx.fillStyle = p.text;
    ctx.fillRect(bx, axisY + 3, tw, axisH - 6);
    ctx.fillStyle = p.bg;
    ctx.fillText(text, bx + 5, axisY + axisH / 2);
  }
  ctx.restore();
  // Axis label cell: wall clock of the window start.
  ctx.font = `11px ${p.fontMono}`;
  ctx.fillStyle = p.text;
  ctx.textBaseline = 'middle';
  ctx.fillText(formatClock(win.startMs), 8, axisY + axisH / 2);
  const winText = formatDuration(win.endMs - win.startMs);
  ctx.fillStyle = p.faint;
  ctx.fillText(winText, x0 - 8 - ctx.measureText(winText).width, axisY + axisH / 2);
}
