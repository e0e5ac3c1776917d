/**
 * Context strata chart: for every inference call of a thread, its request
 * window's make-up by stratum as a stacked bar (body bytes, or estimated
 * tokens = bytes / 4), the reported input and cached tokens as lines, and
 * compactions as clickable marks. Canvas for the bars (two layers: the chart,
 * and a hover overlay redrawn alone), DOM for the compaction flags and the
 * tooltip (text nodes only).
 *
 * Interaction: click a bar to select its call; drag across bars to zoom into
 * them, double-click (or Reset) to zoom out; Ctrl/⌘ + wheel zooms at the
 * pointer, Shift + wheel pans; ← / → move the selection between calls.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RolloutTrace } from '../../trace/schema/state';
import type { ItemLifetime } from '../../trace/windows/lifetime';
import type { ThreadWindows, WindowAnalysis } from '../../trace/windows/analysis';
import { STRATA, STRATUM_COUNT, STRATUM_LABEL, STRATUM_SHORT, estimateTokens } from '../../trace/windows/sizes';
import { formatBytes, formatDuration, formatInt, formatRelative } from '../../ui/format';
import { axisBytes, axisCount, axisTime, byteTicks, niceTicks, ordinalStep, timeStep } from './chartScale';
import { own } from '../../trace/indexes/refs';
import { barAt, buildStrataGeometry, firstVisible, type ChartXMode } from './strataGeometry';
import { brushView, isZoomed, panBy, viewShowing, zoomAt } from './strataZoom';

export type ChartMetric = 'bytes' | 'tokens';
export type { ChartXMode } from './strataGeometry';

export interface StrataChartProps {
  state: RolloutTrace;
  analysis: WindowAnalysis;
  thread: ThreadWindows;
  metric: ChartMetric;
  xMode: ChartXMode;
  focusedCallId: string | null;
  /** Lifetime of the selected item (drawn when it belongs to this thread). */
  lifetime: ItemLifetime | null;
  selectedCompactionId: string | null;
  onPickCall(callId: string): void;
  onPickCompaction(compactionId: string): void;
  height?: number;
  /** Strata left out of the bars (by index in STRATA); the axis scales to the rest. */
  hidden?: ReadonlySet<number>;
}

const NONE_HIDDEN: ReadonlySet<number> = new Set();

/** Each call's bar height with the hidden strata left out, and the tallest of them. */
export function visibleTotals(thread: ThreadWindows, hidden: ReadonlySet<number>): { totals: ArrayLike<number>; max: number } {
  if (hidden.size === 0) return { totals: thread.totals, max: thread.maxBytes };
  const n = thread.calls.length;
  const totals = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let s = 0; s < STRATUM_COUNT; s++) if (!hidden.has(s)) t += thread.strata[i * STRATUM_COUNT + s];
    totals[i] = t;
    if (t > max) max = t;
  }
  return { totals, max };
}

/**
 * The strata to leave out when a thread's chart opens: the instructions when
 * they are most of every window (a 20 KB system prompt leaves the strata that
 * change as slivers). The user's own choice in the legend overrides this.
 */
export function defaultHiddenStrata(thread: ThreadWindows | null): ReadonlySet<number> {
  if (!thread || thread.calls.length === 0) return NONE_HIDDEN;
  const k = STRATA.indexOf('instructions');
  let instructions = 0;
  let all = 0;
  for (let i = 0; i < thread.calls.length; i++) {
    instructions += thread.strata[i * STRATUM_COUNT + k];
    all += thread.totals[i];
  }
  return all > instructions && instructions > 0.5 * all ? new Set([k]) : NONE_HIDDEN;
}

const PAD = { left: 54, right: 54, top: 14, bottom: 22 };

interface Colors {
  strata: string[];
  input: string;
  cached: string;
  compaction: string;
  grid: string;
  axis: string;
  text: string;
  focus: string;
  lifetime: string;
  life: string;
  hover: string;
  bg: string;
}

function readColors(el: HTMLElement): Colors {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    strata: STRATA.map((s, i) => v(`--rw-s-${s}`, ['#8250df', '#0969da', '#1a7f37', '#0e8a9c', '#d4860b', '#b35900', '#cf4f8a'][i])),
    input: v('--rw-line-input', '#1f2328'),
    cached: v('--rw-line-cached', '#0969da'),
    compaction: v('--compaction', '#b35900'),
    grid: v('--rw-grid', 'rgba(0,0,0,0.07)'),
    axis: v('--text-faint', '#8b949e'),
    text: v('--text', '#1f2328'),
    focus: v('--text', '#1f2328'),
    lifetime: v('--rw-lifetime', 'rgba(26,115,232,0.14)'),
    life: v('--accent', '#1a73e8'),
    hover: v('--rw-hover', 'rgba(127,127,127,0.14)'),
    bg: v('--bg', '#ffffff'),
  };
}

/** In token mode, bars (estimated) and lines (reported) share one axis when their ranges are comparable (within 3×); otherwise tokens get the right axis. */
export function sharesTokenAxis(thread: ThreadWindows, metric: ChartMetric): boolean {
  if (metric !== 'tokens' || thread.maxInputTokens <= 0) return false;
  const est = estimateTokens(thread.maxBytes);
  return Math.max(est, thread.maxInputTokens) / Math.max(1, Math.min(est, thread.maxInputTokens)) <= 3;
}

function StrataChartImpl(props: StrataChartProps) {
  const { state, analysis, thread, metric, xMode, focusedCallId, lifetime, selectedCompactionId, onPickCall, onPickCompaction, height = 188, hidden = NONE_HIDDEN } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overRef = useRef<HTMLCanvasElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [colorsVersion, setColorsVersion] = useState(0);
  const geometry = useMemo(() => buildStrataGeometry(analysis, thread, xMode), [analysis, thread, xMode]);
  const [view, setView] = useState<[number, number]>(geometry.domain);
  const [hover, setHover] = useState<number | null>(null);
  // CSS colours, read once per theme (getComputedStyle forces a style recalc: never per pointer move).
  const colorsCache = useRef<{ version: number; colors: Colors } | null>(null);
  const colorsFor = (el: HTMLElement): Colors => {
    if (!colorsCache.current || colorsCache.current.version !== colorsVersion) colorsCache.current = { version: colorsVersion, colors: readColors(el) };
    return colorsCache.current.colors;
  };
  const [brush, setBrush] = useState<[number, number] | null>(null);

  // A new thread or x mode: show everything.
  useLayoutEffect(() => {
    setView(geometry.domain);
    setHover(null);
  }, [geometry]);

  useLayoutEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Theme changes (prefers-color-scheme) re-read the CSS colours.
  useEffect(() => {
    const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    if (!mq) return;
    const on = () => setColorsVersion((v) => v + 1);
    mq.addEventListener?.('change', on);
    return () => mq.removeEventListener?.('change', on);
  }, []);

  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = Math.max(10, height - PAD.top - PAD.bottom);
  const toX = useCallback((d: number) => PAD.left + ((d - view[0]) / (view[1] - view[0])) * plotW, [view, plotW]);
  const toDomain = useCallback((x: number) => view[0] + ((x - PAD.left) / plotW) * (view[1] - view[0]), [view, plotW]);

  const unit = metric === 'tokens' ? 0.25 : 1;
  const shown = useMemo(() => visibleTotals(thread, hidden), [thread, hidden]);
  const barMax = metric === 'tokens' ? estimateTokens(shown.max) : shown.max;
  // In token mode bars (estimated) and lines (reported) share one axis; in byte mode tokens get their own axis on the right.
  const sharedAxis = sharesTokenAxis(thread, metric);
  const leftMax = sharedAxis ? Math.max(barMax, thread.maxInputTokens) : barMax;
  const anyCached = useMemo(() => thread.calls.some((id) => (analysis.calls.get(id)?.usage?.cached_input_tokens ?? 0) > 0), [thread, analysis]);
  const leftTicks = useMemo(() => (metric === 'bytes' ? byteTicks(leftMax || 1, 4) : niceTicks(leftMax || 1, 4)), [leftMax, metric]);
  const leftTop = leftTicks[leftTicks.length - 1] || 1;
  const rightTicks = useMemo(() => niceTicks(thread.maxInputTokens || 1, 4), [thread.maxInputTokens]);
  const rightTop = sharedAxis ? leftTop : rightTicks[rightTicks.length - 1] || 1;

  const callIndex = useMemo(() => new Map(thread.calls.map((id, i) => [id, i])), [thread]);
  const focusedIndex = focusedCallId !== null ? callIndex.get(focusedCallId) ?? null : null;
  const life = useMemo(() => {
    if (!lifetime || lifetime.threadId !== thread.threadId) return null;
    const carriers = lifetime.callIds.map((id) => callIndex.get(id)).filter((i): i is number => i !== undefined);
    if (carriers.length === 0 && !lifetime.producerCallId) return null;
    const producer = lifetime.producerCallId ? callIndex.get(lifetime.producerCallId) ?? null : null;
    return { carriers, set: new Set(carriers), producer };
  }, [lifetime, thread, callIndex]);

  // ---- base layer
  useEffect(() => {
    const canvas = baseRef.current;
    const wrap = wrapRef.current;
    if (!canvas || !wrap || width <= 0) return;
    const ctx = canvas.getContext?.('2d');
    if (!ctx) return;
    const colors = colorsFor(wrap);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '10.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    const y = (v: number, top: number) => PAD.top + plotH - (v / top) * plotH;

    // grid + left axis
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const t of leftTicks) {
      const yy = Math.round(y(t, leftTop)) + 0.5;
      ctx.strokeStyle = colors.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(PAD.left, yy);
      ctx.lineTo(PAD.left + plotW, yy);
      ctx.stroke();
      ctx.fillStyle = colors.axis;
      ctx.fillText(metric === 'tokens' ? axisCount(t) : axisBytes(t), PAD.left - 6, yy);
    }
    if (!sharedAxis && thread.maxInputTokens > 0) {
      ctx.textAlign = 'left';
      for (const t of rightTicks) ctx.fillText(axisCount(t), PAD.left + plotW + 6, y(t, rightTop));
    }

    const [first, last] = [Math.max(0, firstVisible(geometry, view[0]) - 1), Math.min(geometry.n, firstVisible(geometry, view[1]) + 1)];

    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, 0, plotW, height);
    ctx.clip();

    // lifetime band (behind bars)
    if (life && life.carriers.length > 0) {
      const a = life.carriers[0];
      const b = life.carriers[life.carriers.length - 1];
      const x0 = toX(geometry.lo[a]) - 3;
      const x1 = toX(geometry.hi[b]) + 3;
      ctx.fillStyle = colors.lifetime;
      ctx.fillRect(x0, PAD.top - 6, Math.max(2, x1 - x0), plotH + 6);
    }

    // bars
    const strata = thread.strata;
    const dim = life !== null;
    for (let i = first; i < last; i++) {
      let x0 = toX(geometry.lo[i]);
      let x1 = toX(geometry.hi[i]);
      if (x1 - x0 < 1) {
        const m = (x0 + x1) / 2;
        x0 = m - 0.5;
        x1 = m + 0.5;
      }
      const w = x1 - x0;
      let acc = 0;
      ctx.globalAlpha = dim && !life!.set.has(i) ? 0.32 : 1;
      for (let s = 0; s < STRATUM_COUNT; s++) {
        const v = strata[i * STRATUM_COUNT + s] * unit;
        if (v <= 0 || hidden.has(s)) continue;
        const yTop = y(acc + v, leftTop);
        const yBot = y(acc, leftTop);
        ctx.fillStyle = colors.strata[s];
        ctx.fillRect(x0, yTop, w, Math.max(0.75, yBot - yTop));
        acc += v;
      }
    }
    ctx.globalAlpha = 1;

    // compaction marks
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = colors.compaction;
    ctx.lineWidth = 1.25;
    for (const m of thread.compactions) {
      const d = xMode === 'calls' ? m.afterIndex : m.atMs - thread.startMs;
      const xx = Math.round(toX(d)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xx, PAD.top - 4);
      ctx.lineTo(xx, PAD.top + plotH);
      ctx.stroke();
    }
    ctx.setLineDash([]);

    // token lines: input (solid) and cached (dashed)
    const drawLine = (pick: (i: number) => number | null, color: string, dash: number[]) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(dash);
      ctx.beginPath();
      let open = false;
      for (let i = first; i < last; i++) {
        const v = pick(i);
        if (v === null) {
          open = false;
          continue;
        }
        const xx = toX(geometry.mid[i]);
        const yy = y(v, rightTop);
        if (open) ctx.lineTo(xx, yy);
        else ctx.moveTo(xx, yy);
        open = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      const step = (toX(geometry.mid[Math.min(last - 1, first + 1)] ?? 0) - toX(geometry.mid[first] ?? 0)) || plotW;
      if (step >= 7) {
        ctx.fillStyle = color;
        for (let i = first; i < last; i++) {
          const v = pick(i);
          if (v === null) continue;
          ctx.beginPath();
          ctx.arc(toX(geometry.mid[i]), y(v, rightTop), step >= 14 ? 2.2 : 1.5, 0, Math.PI * 2);
          ctx.fill();
        }
      }
    };
    const usageOf = (i: number) => analysis.calls.get(thread.calls[i])?.usage ?? null;
    if (thread.maxInputTokens > 0) {
      drawLine((i) => usageOf(i)?.input_tokens ?? null, colors.input, []);
      if (anyCached) drawLine((i) => usageOf(i)?.cached_input_tokens ?? null, colors.cached, [4, 3]);
    }

    // focused call: outline and a caret under the axis
    if (focusedIndex !== null && focusedIndex >= first && focusedIndex < last) {
      const i = focusedIndex;
      const x0 = toX(geometry.lo[i]);
      const x1 = Math.max(x0 + 1, toX(geometry.hi[i]));
      const top = y(shown.totals[i] * unit, leftTop);
      ctx.strokeStyle = colors.focus;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x0 - 1.5, top - 1.5, x1 - x0 + 3, PAD.top + plotH - top + 1.5);
      ctx.fillStyle = colors.focus;
      const cx = (x0 + x1) / 2;
      ctx.beginPath();
      ctx.moveTo(cx, PAD.top + plotH + 2);
      ctx.lineTo(cx - 4, PAD.top + plotH + 8);
      ctx.lineTo(cx + 4, PAD.top + plotH + 8);
      ctx.closePath();
      ctx.fill();
    }

    // lifetime ticks above carriers, producer marked with a ring
    if (life) {
      ctx.fillStyle = colors.life;
      for (const i of life.carriers) {
        if (i < first || i >= last) continue;
        const cx = toX(geometry.mid[i]);
        ctx.fillRect(cx - 1, PAD.top - 7, 2, 5);
      }
      if (life.producer !== null) {
        const cx = toX(geometry.mid[life.producer]);
        ctx.strokeStyle = colors.life;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(cx, PAD.top - 5, 3.2, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    ctx.restore();

    // x axis labels
    ctx.fillStyle = colors.axis;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    const maxTicks = Math.max(2, Math.floor(plotW / 70));
    if (xMode === 'calls') {
      const step = ordinalStep(view[1] - view[0], maxTicks);
      const start = Math.max(step, Math.ceil((view[0] + 0.5) / step) * step);
      for (let k = start; k - 0.5 <= view[1]; k += step) {
        if (k > geometry.n) break;
        ctx.fillText(`#${k}`, toX(k - 0.5), height - 6);
      }
      if (start > 1 && view[0] < 0.5) ctx.fillText('#1', toX(0.5), height - 6);
    } else {
      const step = timeStep(view[1] - view[0], maxTicks);
      for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) ctx.fillText(`+${axisTime(t)}`, toX(t), height - 6);
    }
  }, [width, height, colorsVersion, geometry, view, thread, analysis, metric, unit, leftTicks, leftTop, rightTicks, rightTop, sharedAxis, focusedIndex, life, toX, plotW, plotH, xMode, anyCached, hidden, shown]);

  // ---- overlay (hover column + brush), redrawn alone on pointer moves
  useEffect(() => {
    const canvas = overRef.current;
    const wrap = wrapRef.current;
    if (!canvas || !wrap || width <= 0) return;
    const ctx = canvas.getContext?.('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const colors = colorsFor(wrap);
    if (hover !== null && hover < geometry.n) {
      const x0 = toX(geometry.lo[hover]);
      const x1 = Math.max(x0 + 1, toX(geometry.hi[hover]));
      ctx.fillStyle = colors.hover;
      ctx.fillRect(x0 - 2, PAD.top - 6, x1 - x0 + 4, plotH + 6);
    }
    if (brush) {
      const a = Math.min(brush[0], brush[1]);
      const b = Math.max(brush[0], brush[1]);
      ctx.fillStyle = colors.lifetime;
      ctx.fillRect(a, PAD.top, b - a, plotH);
      ctx.strokeStyle = colors.life;
      ctx.strokeRect(a + 0.5, PAD.top + 0.5, b - a - 1, plotH - 1);
    }
  }, [hover, brush, width, height, geometry, toX, plotH, colorsVersion]);

  // ---- pointer interaction
  const hitTest = useCallback(
    (x: number): number | null => {
      if (x < PAD.left - 2 || x > PAD.left + plotW + 2 || geometry.n === 0) return null;
      // By time, a bar within 8 px of the pointer counts.
      return barAt(geometry, toDomain(x), xMode, ((view[1] - view[0]) / plotW) * 8);
    },
    [geometry, toDomain, xMode, view, plotW],
  );

  const drag = useRef<{ x: number; moved: boolean } | null>(null);
  const placeTip = (clientX: number, clientY: number) => {
    const tip = tipRef.current;
    const wrap = wrapRef.current;
    if (!tip || !wrap) return;
    const r = wrap.getBoundingClientRect();
    const x = clientX - r.left;
    const tw = tip.offsetWidth || 220;
    const left = x + 14 + tw > r.width ? x - 14 - tw : x + 14;
    tip.style.transform = `translate(${Math.max(0, left)}px, ${Math.max(0, clientY - r.top - 20)}px)`;
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const r = wrapRef.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    if (drag.current) {
      if (Math.abs(x - drag.current.x) > 4) drag.current.moved = true;
      if (drag.current.moved) setBrush([drag.current.x, Math.max(PAD.left, Math.min(PAD.left + plotW, x))]);
    }
    const i = drag.current?.moved ? null : hitTest(x);
    if (i !== hover) setHover(i);
    if (i !== null) placeTip(e.clientX, e.clientY);
  };
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    const r = wrapRef.current!.getBoundingClientRect();
    drag.current = { x: e.clientX - r.left, moved: false };
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d) return;
    const r = wrapRef.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    if (d.moved) {
      setBrush(null);
      const next = brushView(toDomain(Math.min(d.x, x)), toDomain(Math.max(d.x, x)), xMode);
      if (next) setView(next);
      return;
    }
    const i = hitTest(x);
    if (i !== null) onPickCall(thread.calls[i]);
  };

  // Ctrl/⌘ + wheel zooms at the pointer; Shift + wheel (or a horizontal wheel) pans. Plain wheel scrolls the page.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      const horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY);
      if (!(e.ctrlKey || e.metaKey || e.shiftKey || horizontal)) return;
      e.preventDefault();
      const r = el.getBoundingClientRect();
      setView((view) => {
        const span = view[1] - view[0];
        if (e.ctrlKey || e.metaKey) return zoomAt(view, geometry.domain, view[0] + ((e.clientX - r.left - PAD.left) / plotW) * span, e.deltaY, xMode);
        return panBy(view, geometry.domain, ((horizontal ? e.deltaX : e.deltaY) / plotW) * span);
      });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [geometry, plotW, xMode]);

  const zoomed = isZoomed(view, geometry.domain);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (geometry.n === 0) return;
    let next: number | null = null;
    const cur = focusedIndex ?? -1;
    if (e.key === 'ArrowRight') next = Math.min(geometry.n - 1, cur + 1);
    else if (e.key === 'ArrowLeft') next = Math.max(0, cur < 0 ? 0 : cur - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = geometry.n - 1;
    else if (e.key === 'Escape' && zoomed) {
      setView(geometry.domain);
      e.preventDefault();
      return;
    }
    if (next === null) return;
    e.preventDefault();
    onPickCall(thread.calls[next]);
  };

  // Keep the focused call inside the zoomed view.
  useEffect(() => {
    if (focusedIndex === null || !zoomed) return;
    const next = viewShowing(view, geometry, focusedIndex);
    if (next) setView(next);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusedIndex]);

  const hovered = hover !== null ? analysis.calls.get(thread.calls[hover]) : undefined;
  const compactionLabel = (id: string) => thread.compactions.findIndex((m) => m.compactionId === id) + 1;

  return (
    <div className="rw-chart" data-testid="strata-chart" data-calls={thread.calls.length} data-metric={metric} data-xmode={xMode} data-shared-axis={sharedAxis || undefined}>
      <div
        ref={wrapRef}
        className="rw-chart-plot"
        style={{ height }}
        tabIndex={0}
        role="img"
        aria-label={`Context strata of ${thread.calls.length} inference calls, ${thread.compactions.length} compactions. Arrow keys move between calls.`}
        onPointerMove={onPointerMove}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onPointerLeave={() => {
          if (!drag.current) setHover(null);
        }}
        onDoubleClick={() => setView(geometry.domain)}
        onKeyDown={onKeyDown}
      >
        <canvas ref={baseRef} className="rw-canvas" style={{ width: '100%', height }} />
        <canvas ref={overRef} className="rw-canvas rw-canvas-over" style={{ width: '100%', height }} />
        {width > 0 &&
          thread.compactions.map((m, k) => {
            const d = xMode === 'calls' ? m.afterIndex : m.atMs - thread.startMs;
            if (d < view[0] || d > view[1]) return null;
            const x = toX(d);
            const selected = selectedCompactionId === m.compactionId;
            return (
              <button
                key={m.compactionId}
                type="button"
                className={`rw-compaction-flag${selected ? ' is-selected' : ''}`}
                style={{ left: x }}
                data-testid="strata-compaction"
                data-compaction-id={m.compactionId}
                title={`Compaction ${k + 1}: ${own(state.compactions, m.compactionId)?.input_item_ids.length ?? 0} items replaced by ${own(state.compactions, m.compactionId)?.replacement_item_ids.length ?? 0}, installed ${formatRelative(m.atMs, state.started_at_unix_ms)}`}
                onPointerDown={(e) => e.stopPropagation()}
                onPointerUp={(e) => e.stopPropagation()}
                onPointerMove={(e) => {
                  e.stopPropagation();
                  if (hover !== null) setHover(null);
                }}
                onClick={(e) => {
                  e.stopPropagation();
                  onPickCompaction(m.compactionId);
                }}
              >
                C{compactionLabel(m.compactionId)}
              </button>
            );
          })}
        {zoomed && (
          <button type="button" className="rw-chart-reset btn" onPointerDown={(e) => e.stopPropagation()} onPointerUp={(e) => e.stopPropagation()} onClick={() => setView(geometry.domain)}>
            Reset zoom
          </button>
        )}
        <div ref={tipRef} className="rw-tip" role="tooltip" hidden={!hovered} data-testid="strata-tooltip">
          {hovered && <ChartTip state={state} analysis={analysis} thread={thread} index={hover!} metric={metric} />}
        </div>
      </div>
    </div>
  );
}

function ChartTip({ state, analysis, thread, index, metric }: { state: RolloutTrace; analysis: WindowAnalysis; thread: ThreadWindows; index: number; metric: ChartMetric }) {
  const c = analysis.calls.get(thread.calls[index])!;
  const fmt = (b: number) => (metric === 'tokens' ? `≈${formatInt(estimateTokens(b))}` : formatBytes(b));
  return (
    <>
      <div className="rw-tip-head">
        <strong>Inference {c.ordinal}</strong>
        <span className="faint">{formatRelative(c.startMs, state.started_at_unix_ms)}</span>
        <span className="faint">{formatDuration(c.durationMs)}</span>
      </div>
      <div className="rw-tip-grid">
        {STRATA.map((s, k) => {
          const v = thread.strata[index * STRATUM_COUNT + k];
          if (v <= 0) return null;
          return (
            <div key={s} className="rw-tip-row">
              <span className={`rw-swatch rw-sw-${s}`} />
              <span>{STRATUM_LABEL[s]}</span>
              <span className="mono">{fmt(v)}</span>
            </div>
          );
        })}
        <div className="rw-tip-row rw-tip-total">
          <span />
          <span>{c.items} items</span>
          <span className="mono">{fmt(c.bytes)}</span>
        </div>
      </div>
      <div className="rw-tip-foot">
        {c.usage ? (
          <span>
            input <b className="mono">{formatInt(c.usage.input_tokens)}</b> · cached <b className="mono">{formatInt(c.usage.cached_input_tokens)}</b> · out{' '}
            <b className="mono">{formatInt(c.usage.output_tokens)}</b>
          </span>
        ) : (
          <span className="faint">no usage reported</span>
        )}
        <span>
          <span className="rw-plus">+{c.added}</span> <span className="rw-minus">−{c.dropped}</span>
          {c.compactionsBefore.length > 0 && <span className="rw-tip-comp"> after compaction</span>}
          {c.unexplained > 0 && <span className="rw-warn-text"> · {c.unexplained} unexplained</span>}
        </span>
      </div>
    </>
  );
}

export const StrataChart = memo(StrataChartImpl);

/** The chart legend (DOM); each stratum is a toggle that shows or hides it in the bars. */
export function StrataLegend({ hidden = NONE_HIDDEN, onToggle }: { hidden?: ReadonlySet<number>; onToggle?(stratum: number): void }) {
  return (
    <div className="rw-legend" aria-label="Legend">
      {STRATA.map((s, i) => (
        <button
          key={s}
          type="button"
          className={`rw-legend-item rw-legend-toggle${hidden.has(i) ? ' is-hidden' : ''}`}
          aria-pressed={!hidden.has(i)}
          data-testid={`rw-legend-${s}`}
          title={`${STRATUM_LABEL[s]}: ${hidden.has(i) ? 'hidden; click to show it in the bars' : 'click to hide it, so the axis scales to the rest'}`}
          onClick={() => onToggle?.(i)}
        >
          <span className={`rw-swatch rw-sw-${s}`} />
          {STRATUM_SHORT[s]}
        </button>
      ))}
      <span className="rw-legend-item" title="Input tokens reported by the call's usage">
        <span className="rw-line rw-line-input" />
        input tokens
      </span>
      <span className="rw-legend-item" title="Cached input tokens reported by the call's usage">
        <span className="rw-line rw-line-cached" />
        cached
      </span>
      <span className="rw-legend-item">
        <span className="rw-line rw-line-compaction" />
        compaction
      </span>
    </div>
  );
}
