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
import { STRATA } from '../../trace/windows/sizes';
import { formatRelative } from '../../ui/format';
import { NONE_HIDDEN, PAD, strataFrame, type ChartMetric } from './strataModel';
import { drawStrata, drawStrataOverlay, type Colors } from './strataDraw';
import { StrataTip } from './StrataTip';
import { own } from '../../trace/indexes/refs';
import { barAt, buildStrataGeometry, type ChartXMode } from './strataGeometry';
import { brushView, isZoomed, panBy, viewShowing, zoomAt } from './strataZoom';

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

function StrataChartImpl(props: StrataChartProps) {
  const {
    state,
    analysis,
    thread,
    metric,
    xMode,
    focusedCallId,
    lifetime,
    selectedCompactionId,
    onPickCall,
    onPickCompaction,
    height = 188,
    hidden = NONE_HIDDEN,
  } = props;
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

  const frame = useMemo(
    () => strataFrame({ width, height, view, geometry, thread, analysis, metric, xMode, focusedCallId, lifetime, hidden }),
    [width, height, view, geometry, thread, analysis, metric, xMode, focusedCallId, lifetime, hidden],
  );
  const { plotW, plotH, toX, focusedIndex, sharedAxis } = frame;
  const toDomain = useCallback((x: number) => view[0] + ((x - PAD.left) / plotW) * (view[1] - view[0]), [view, plotW]);

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
    drawStrata(ctx, frame, colors);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- colorsFor reads the colours of colorsVersion
  }, [frame, colorsVersion]);

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
    drawStrataOverlay(ctx, { geometry, toX, plotH }, colorsFor(wrap), hover, brush);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- colorsFor reads the colours of colorsVersion
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
    <div
      className="rw-chart"
      data-testid="strata-chart"
      data-calls={thread.calls.length}
      data-metric={metric}
      data-xmode={xMode}
      data-shared-axis={sharedAxis || undefined}
    >
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
          <button
            type="button"
            className="rw-chart-reset btn"
            onPointerDown={(e) => e.stopPropagation()}
            onPointerUp={(e) => e.stopPropagation()}
            onClick={() => setView(geometry.domain)}
          >
            Reset zoom
          </button>
        )}
        <div ref={tipRef} className="rw-tip" role="tooltip" hidden={!hovered} data-testid="strata-tooltip">
          {hovered && <StrataTip state={state} analysis={analysis} thread={thread} index={hover!} metric={metric} />}
        </div>
      </div>
    </div>
  );
}

export const StrataChart = memo(StrataChartImpl);
