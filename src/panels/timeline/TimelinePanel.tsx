/**
 * The timeline: the whole session on one time axis, drawn on a canvas.
 * One track group per agent thread (root first, sub-agents nested), each with
 * turns, inference calls, tool calls, code cells, terminal operations grouped
 * by session, and compaction; interaction edges as arrows between tracks.
 *
 * Navigation as in Perfetto: wheel / pinch zooms around the cursor, drag pans,
 * W/S zoom, A/D pan, F fits the selection (or the selected range), 0 resets;
 * dragging on the time axis selects a range; the overview strip moves the
 * window. The visible window lives in the store (viewport), the selection is
 * the store's, and the store's filters dim what does not match.
 *
 * All geometry comes from the pure layout in src/trace/timeline (tested there
 * and by clicking where it says things are); this file wires input to it.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../../store';
import type { ObjectKind, ObjectRef } from '../../trace/indexes/refs';
import {
  getTimelineModel,
  clampWindow,
  defaultCollapsed,
  edgePaths,
  filterMask,
  filtersActive,
  findSpan,
  groupSummary,
  laneRuns,
  fitRange,
  fullWindow,
  geometry,
  hitTest,
  layoutRows,
  maxScroll,
  overviewBins,
  OVERVIEW_H,
  overviewScale,
  panBy,
  revealTarget,
  revealWindow,
  sameWindow,
  spanObjectKind,
  spanRect,
  summarizeRange,
  trackScale,
  xToTime,
  zoomAround,
  type EdgePath,
  type Hit,
  type TimelineModel,
  type ViewWindow,
} from '../../trace/timeline';
import { drawTimeline, type Frame } from './draw';
import { readPalette, type Palette } from './palette';
import { TimelineToolbar } from './Toolbar';
import { HoverCard, RangeCard, type HoverInfo } from './Cards';
import './timeline.css';

/** Size used when the host cannot be measured (no layout engine, e.g. tests). */
export const TIMELINE_FALLBACK_SIZE = { width: 1200, height: 480 } as const;

const ZOOM_STEP = 1.25;
const PAN_STEP = 0.12;

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

export function TimelinePanel() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const loadSeq = useStore((s) => s.loadSeq);
  const model = useMemo(() => (state ? getTimelineModel(state, indexes) : null), [state, indexes]);
  if (!model) return <div className="tl tl-empty dim">No trace loaded.</div>;
  return <TimelineView key={loadSeq} model={model} />;
}

/** Dev/test hook (`window.__timeline`): canvas-relative geometry of what is drawn. */
export interface TimelineDebug {
  rectOf(ref: ObjectRef): { x: number; y: number; w: number; h: number } | null;
  geometry(): { width: number; height: number; trackX0: number; trackW: number; bodyTop: number; bodyH: number };
  rows(): number;
  scrollTop(): number;
}

interface Drag {
  kind: 'pan' | 'range' | 'overview';
  x0: number;
  y0: number;
  win0: ViewWindow;
  scroll0: number;
  moved: boolean;
  hit: Hit;
  rangeA: number;
}

function TimelineView({ model }: { model: TimelineModel }) {
  const state = model.state;
  const indexes = model.indexes;
  const setViewport = useStore((s) => s.setViewport);
  const filters = useStore((s) => s.filters);
  const selection = useStore((s) => s.selection);
  const selectionSeq = useStore((s) => s.selectionSeq);
  const select = useStore((s) => s.select);
  const activeThreadId = useStore((s) => s.activeThreadId);

  const rootRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const vscrollRef = useRef<HTMLDivElement>(null);

  // ---------------------------------------------------------------- size and theme
  const [size, setSize] = useState<{ width: number; height: number }>(TIMELINE_FALLBACK_SIZE);
  useLayoutEffect(() => {
    const el = hostRef.current;
    if (!el) return;
    const measure = () => {
      const w = el.clientWidth;
      const h = el.clientHeight;
      if (w > 0 && h > 0) setSize((prev) => (prev.width === w && prev.height === h ? prev : { width: w, height: h }));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const [palette, setPalette] = useState<Palette>(() => readPalette(null));
  useLayoutEffect(() => {
    const update = () => setPalette(readPalette(hostRef.current));
    update();
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    mq?.addEventListener?.('change', update);
    return () => mq?.removeEventListener?.('change', update);
  }, []);

  // ---------------------------------------------------------------- layout
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(() => defaultCollapsed(model));
  const layout = useMemo(() => layoutRows(model, collapsed), [model, collapsed]);
  const geo = useMemo(() => geometry(size.width, size.height), [size]);
  // Tell the workspace how tall the region must be to show every track: the chrome above the canvas
  // (region tabs, toolbar) does not depend on the region's height, so this does not feed back on itself.
  const setTimelineWants = useStore((s) => s.setTimelineWants);
  useLayoutEffect(() => {
    const host = hostRef.current;
    const region = rootRef.current?.closest<HTMLElement>('.ws-bottom') ?? rootRef.current;
    if (!host || !region || host.clientHeight === 0) return;
    setTimelineWants(region.clientHeight - host.clientHeight + geo.bodyTop + layout.height + 2);
  }, [setTimelineWants, geo.bodyTop, layout.height, size.height]);
  const bounds = useMemo(() => ({ startMs: model.startMs, endMs: model.endMs }), [model]);
  const geoRef = useRef(geo);
  geoRef.current = geo;
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  // Per-frame state lives in refs: panning and zooming redraw the canvas without re-rendering React.
  const toWindow = useCallback((v: ViewWindow | null) => (v ? clampWindow(v, bounds) : fullWindow(bounds)), [bounds]);
  const winRef = useRef<ViewWindow>(toWindow(useStore.getState().viewport));
  const scrollRef = useRef(0);
  const hoverRef = useRef<{ span: number; edge: number; cursorX: number | null } | null>(null);
  const edgesRef = useRef<readonly EdgePath[]>([]);

  const mask = useMemo(() => filterMask(model, filters, state), [model, filters, state]);
  const matchCount = useMemo(() => (mask ? mask.reduce((a, b) => a + b, 0) : model.spans.count), [mask, model]);
  const target = useMemo(() => (selection ? revealTarget(model, state, indexes, selection) : null), [model, state, indexes, selection]);
  const selectedGroup = selection?.kind === 'thread' ? (model.groupOfThread.get(selection.id) ?? -1) : -1;
  const activeGroup = activeThreadId ? (model.groupOfThread.get(activeThreadId) ?? -1) : -1;
  const overview = useMemo(() => overviewBins(model, Math.max(1, Math.floor(geo.trackW / 2))), [model, geo.trackW]);

  const [hover, setHover] = useState<HoverInfo | null>(null);
  const [range, setRange] = useState<{ a: number; b: number } | null>(null);

  // ---------------------------------------------------------------- drawing
  type StaticFrame = Omit<Frame, 'window' | 'scrollTop' | 'hoverSpan' | 'hoverEdge' | 'cursorX' | 'edges'>;
  const staticFrame: StaticFrame = {
    model,
    layout,
    geo,
    palette,
    mask,
    selectedSpan: target?.span ?? -1,
    selectedEdge: target?.edge ?? -1,
    selectedGroup,
    activeGroup,
    range,
    overview,
  };
  const frameRef = useRef(staticFrame);
  frameRef.current = staticFrame;
  const raf = useRef(0);
  const paint = useCallback(() => {
    raf.current = 0;
    const sf = frameRef.current;
    const scrollTop = Math.min(scrollRef.current, maxScroll(sf.geo, sf.layout));
    scrollRef.current = scrollTop;
    const h = hoverRef.current;
    const edges = edgePaths(sf.model, sf.layout, sf.geo, winRef.current, scrollTop);
    edgesRef.current = edges;
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = (typeof window !== 'undefined' && window.devicePixelRatio) || 1;
    const cw = Math.max(1, Math.round(sf.geo.width * dpr));
    const ch = Math.max(1, Math.round(sf.geo.height * dpr));
    if (canvas.width !== cw) canvas.width = cw;
    if (canvas.height !== ch) canvas.height = ch;
    let ctx: CanvasRenderingContext2D | null;
    try {
      // Opaque: every pixel is painted, and an opaque canvas composites more cheaply.
      ctx = canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D | null;
    } catch {
      ctx = null;
    }
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const stats = drawTimeline(ctx, {
      ...sf,
      window: winRef.current,
      scrollTop,
      hoverSpan: h?.span ?? -1,
      hoverEdge: h?.edge ?? -1,
      cursorX: h?.cursorX ?? null,
      edges,
    });
    const sink = (window as unknown as { __timelineDraws?: { ms: number; spans: number }[] }).__timelineDraws;
    if (sink) sink.push(stats);
  }, []);
  const requestPaint = useCallback(() => {
    if (raf.current) return;
    if (typeof requestAnimationFrame === 'function') raf.current = requestAnimationFrame(paint);
    else paint();
  }, [paint]);
  useLayoutEffect(() => {
    // Edges are needed for hit testing before the first paint.
    edgesRef.current = edgePaths(model, layout, geo, winRef.current, Math.min(scrollRef.current, maxScroll(geo, layout)));
    requestPaint();
  });
  useEffect(
    () => () => {
      if (raf.current && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(raf.current);
    },
    [],
  );
  // Build the level-of-detail runs while idle, so the first zoomed-out frame does not pay for them.
  useEffect(() => {
    let cancelled = false;
    const lanes = model.lanes.filter((l) => l.spans.length > 256);
    const groups = model.groups.map((g) => g.index);
    const idle: (cb: () => void) => void =
      typeof requestIdleCallback === 'function' ? (cb) => requestIdleCallback(cb, { timeout: 2000 }) : (cb) => setTimeout(cb, 50);
    const step = () => {
      if (cancelled) return;
      const t0 = performance.now();
      while (performance.now() - t0 < 8) {
        const lane = lanes.pop();
        if (lane) laneRuns(model, lane);
        else {
          const g = groups.pop();
          if (g === undefined) return;
          groupSummary(model, g);
        }
      }
      idle(step);
    };
    idle(step);
    return () => {
      cancelled = true;
    };
  }, [model]);

  // The visible window: the store's viewport slice, followed without re-rendering.
  useEffect(() => {
    winRef.current = toWindow(useStore.getState().viewport);
    requestPaint();
    return useStore.subscribe((s, prev) => {
      if (s.viewport === prev.viewport) return;
      winRef.current = toWindow(s.viewport);
      requestPaint();
    });
  }, [toWindow, requestPaint]);

  // ---------------------------------------------------------------- window and scroll helpers
  const setWin = useCallback(
    (w: ViewWindow | null) => {
      const cur = useStore.getState().viewport;
      const next = w ? clampWindow(w, bounds) : null;
      if (!sameWindow(cur, next)) setViewport(next);
    },
    [bounds, setViewport],
  );
  const setScroll = useCallback(
    (v: number) => {
      const c = Math.max(0, Math.min(v, maxScroll(geoRef.current, layoutRef.current)));
      if (c === scrollRef.current) return;
      scrollRef.current = c;
      if (vscrollRef.current && Math.abs(vscrollRef.current.scrollTop - c) > 0.5) vscrollRef.current.scrollTop = c;
      canvasRef.current?.setAttribute('data-scroll-top', String(c));
      requestPaint();
    },
    [requestPaint],
  );
  const anchorTime = useCallback((cursorX: number | null | undefined) => {
    const w = winRef.current;
    const g = geoRef.current;
    if (cursorX != null && cursorX >= g.trackX0) return xToTime(trackScale(g, w), cursorX);
    return (w.startMs + w.endMs) / 2;
  }, []);
  const zoomStep = useCallback(
    (dir: 1 | -1, cursorX?: number | null) => setWin(zoomAround(winRef.current, anchorTime(cursorX), dir > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, bounds)),
    [anchorTime, bounds, setWin],
  );
  const panStep = useCallback(
    (dir: 1 | -1) => {
      const w = winRef.current;
      setWin(panBy(w, dir * PAN_STEP * (w.endMs - w.startMs), bounds));
    },
    [bounds, setWin],
  );
  const onZoom = useCallback((dir: 1 | -1) => zoomStep(dir), [zoomStep]);
  const onReset = useCallback(() => setWin(null), [setWin]);
  const onCollapseAll = useCallback((c: boolean) => setCollapsed(c ? new Set(model.groups.map((g) => g.index)) : new Set()), [model]);

  // ---------------------------------------------------------------- reveal the selection
  const selfSelect = useRef(false);
  const pendingReveal = useRef<{ span: number; group: number } | null>(null);
  const [revealTick, setRevealTick] = useState(0);
  useEffect(() => {
    const fromHere = selfSelect.current;
    selfSelect.current = false;
    if (fromHere || !target) return;
    if (collapsed.has(target.group) && target.span >= 0) {
      setCollapsed((prev) => {
        const next = new Set(prev);
        next.delete(target.group);
        return next;
      });
    }
    // A selection that came with a view (a link, Back / Forward) keeps the view's own window.
    const st = useStore.getState();
    const keepWindow = st.viewSelectionSeq === selectionSeq && st.viewport !== null;
    const w = keepWindow ? null : revealWindow(winRef.current, target.startMs, target.endMs, geo.trackW, bounds);
    if (w) setWin(w);
    pendingReveal.current = { span: target.span, group: target.group };
    setRevealTick((t) => t + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectionSeq]);
  useLayoutEffect(() => {
    const p = pendingReveal.current;
    if (!p) return;
    pendingReveal.current = null;
    const ri = p.span >= 0 ? layout.laneRow[model.spans.lane[p.span]] : layout.groupRow[p.group];
    const row = layout.rows[ri];
    if (!row) return;
    const top = scrollRef.current;
    if (row.y < top || row.y + row.h > top + geo.bodyH) setScroll(row.y - Math.max(0, geo.bodyH / 3));
  }, [revealTick, layout, model, geo, setScroll]);

  const selectRef = useCallback(
    (ref: ObjectRef) => {
      selfSelect.current = true;
      select(ref);
    },
    [select],
  );

  const toggleGroup = useCallback((g: number) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(g)) next.delete(g);
      else next.add(g);
      return next;
    });
  }, []);

  // ---------------------------------------------------------------- pointer input
  const drag = useRef<Drag | null>(null);
  const local = (e: { clientX: number; clientY: number }) => {
    const r = canvasRef.current?.getBoundingClientRect();
    return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
  };
  const hitAt = (x: number, y: number) => hitTest(model, layout, geo, winRef.current, scrollRef.current, x, y, edgesRef.current);
  const setHoverState = (h: { span: number; edge: number; cursorX: number | null; x: number; y: number } | null) => {
    const prev = hoverRef.current;
    hoverRef.current = h ? { span: h.span, edge: h.edge, cursorX: h.cursorX } : null;
    if (prev?.span !== hoverRef.current?.span || prev?.edge !== hoverRef.current?.edge || prev?.cursorX !== hoverRef.current?.cursorX) requestPaint();
    const info = h && (h.span >= 0 || h.edge >= 0) ? { span: h.span, edge: h.span >= 0 ? -1 : h.edge, x: h.x, y: h.y } : null;
    setHover((cur) => (cur === info || (cur && info && cur.span === info.span && cur.edge === info.edge && cur.x === info.x && cur.y === info.y) ? cur : info));
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0) return;
    const { x, y } = local(e);
    const hit = hitAt(x, y);
    const kind: Drag['kind'] = hit.area === 'overview' ? 'overview' : hit.area === 'axis' ? 'range' : 'pan';
    drag.current = { kind, x0: x, y0: y, win0: winRef.current, scroll0: scrollRef.current, moved: false, hit, rangeA: hit.area === 'axis' ? hit.t : 0 };
    try {
      e.currentTarget.setPointerCapture?.(e.pointerId);
    } catch {
      /* not supported */
    }
    if (hit.area === 'overview') {
      const w = winRef.current;
      const half = (w.endMs - w.startMs) / 2;
      setWin({ startMs: hit.t - half, endMs: hit.t + half });
    } else if (hit.area === 'axis') {
      setRange({ a: hit.t, b: hit.t });
    }
    // (The click focuses the panel root itself, tabIndex 0, so the keys then act on it.)
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const { x, y } = local(e);
    const d = drag.current;
    if (d) {
      const dx = x - d.x0;
      const dy = y - d.y0;
      if (!d.moved && Math.hypot(dx, dy) > 3) d.moved = true;
      if (d.kind === 'pan' && d.moved) {
        const msPerPx = (d.win0.endMs - d.win0.startMs) / geo.trackW;
        setWin(panBy(d.win0, -dx * msPerPx, bounds));
        if (layout.height > geo.bodyH) setScroll(d.scroll0 - dy);
        setHoverState(null);
      } else if (d.kind === 'range') {
        setRange({ a: d.rangeA, b: xToTime(trackScale(geo, winRef.current), Math.max(geo.trackX0, Math.min(geo.width, x))) });
        setHoverState({ span: -1, edge: -1, x, y, cursorX: x });
      } else if (d.kind === 'overview') {
        const t = xToTime(overviewScale(geo, model), x);
        const w = winRef.current;
        const half = (w.endMs - w.startMs) / 2;
        setWin({ startMs: t - half, endMs: t + half });
      }
      return;
    }
    const hit = hitAt(x, y);
    const cursorX = x >= geo.trackX0 && y >= OVERVIEW_H ? x : null;
    if (hit.area === 'track') setHoverState({ span: hit.span, edge: hit.span < 0 ? hit.edge : -1, x, y, cursorX });
    else setHoverState(hit.area === 'axis' ? { span: -1, edge: -1, x, y, cursorX: x } : null);
  };

  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    try {
      e.currentTarget.releasePointerCapture?.(e.pointerId);
    } catch {
      /* not captured */
    }
    if (!d) return;
    if (d.kind === 'range') {
      const { x } = local(e);
      if (Math.abs(x - d.x0) < 3) setRange(null);
      return;
    }
    if (d.kind !== 'pan' || d.moved) return;
    const hit = d.hit;
    if (hit.area === 'label') {
      if (hit.toggle) toggleGroup(hit.group);
      return;
    }
    if (hit.area !== 'track') return;
    if (hit.span >= 0) selectRef(model.spans.refs[hit.span]);
    else if (hit.edge >= 0) selectRef(model.edges[hit.edge].ref);
    else if (hit.row >= 0 && layout.rows[hit.row].type === 'group') selectRef({ kind: 'thread', id: model.groups[hit.group].threadId });
  };

  const onPointerLeave = () => {
    if (!drag.current) setHoverState(null);
  };

  // Wheel: zoom around the cursor (pinch sends ctrl+wheel), horizontal swipe pans, shift or the label column scrolls vertically.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const { x } = local(e);
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      const dx = e.deltaX * unit;
      const dy = e.deltaY * unit;
      if (x < geo.trackX0 || e.shiftKey) {
        setScroll(scrollRef.current + (e.shiftKey && dy === 0 ? dx : dy));
        return;
      }
      const w = winRef.current;
      if (Math.abs(dx) > Math.abs(dy) && !e.ctrlKey) {
        setWin(panBy(w, dx * ((w.endMs - w.startMs) / geo.trackW), bounds));
        return;
      }
      const factor = Math.exp(-dy * (e.ctrlKey ? 0.012 : 0.003));
      setWin(zoomAround(w, xToTime(trackScale(geo, w), x), factor, bounds));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [geo, bounds, setWin, setScroll]);

  // ---------------------------------------------------------------- keyboard
  const actionsRef = useRef({ zoomStep, panStep, range, target, setWin, bounds });
  actionsRef.current = { zoomStep, panStep, range, target, setWin, bounds };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Wherever the focus is, unless typing: the timeline's keys are listed in `?` as the page's own, and no
      // other panel uses these letters. A click on the timeline first was a step users did not know to take.
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const a = actionsRef.current;
      const key = e.key.toLowerCase();
      const cx = hoverRef.current?.cursorX ?? null;
      if (key === 'w') a.zoomStep(1, cx);
      else if (key === 's') a.zoomStep(-1, cx);
      else if (key === 'a') a.panStep(-1);
      else if (key === 'd') a.panStep(1);
      else if (key === 'f') {
        if (a.range && a.range.a !== a.range.b) a.setWin(fitRange(a.range.a, a.range.b, a.bounds, 0.02));
        else if (a.target) a.setWin(fitRange(a.target.startMs, a.target.endMs, a.bounds));
        else return;
      } else if (key === '0') a.setWin(null);
      else if (key === 'escape' && a.range) setRange(null);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Dev and test builds: where things are on the canvas, for e2e tests and the benchmark.
  useEffect(() => {
    if (import.meta.env.MODE === 'production') return;
    const w = window as unknown as { __timeline?: TimelineDebug };
    w.__timeline = {
      rectOf: (ref) => {
        const f = frameRef.current;
        const i = findSpan(f.model, ref);
        return i < 0 ? null : spanRect(f.model, f.layout, f.geo, winRef.current, scrollRef.current, i);
      },
      geometry: () => frameRef.current.geo,
      rows: () => frameRef.current.layout.rows.length,
      scrollTop: () => scrollRef.current,
    };
    return () => {
      delete w.__timeline;
    };
  }, []);

  // ---------------------------------------------------------------- derived UI
  const rangeSummary = useMemo(() => (range && range.a !== range.b ? summarizeRange(model, range.a, range.b, mask, state) : null), [range, model, mask, state]);
  const anyCollapsed = model.groups.some((g) => collapsed.has(g.index) && g.tracks.length > 0);
  const spanKindsPresent = useMemo(() => {
    const s = new Set<ObjectKind>();
    for (let i = 0; i < model.spans.count; i++) s.add(spanObjectKind(model, i));
    return s;
  }, [model]);
  const filtered = filtersActive(filters);
  const collapsedAttr = [...collapsed].sort((a, b) => a - b).join(',');

  return (
    <div
      className="tl"
      ref={rootRef}
      tabIndex={0}
      data-testid="timeline-panel"
      aria-label="Timeline. W and S zoom, A and D pan, F fits the selection, 0 resets."
    >
      <TimelineToolbar
        model={model}
        kindsPresent={spanKindsPresent}
        matchCount={matchCount}
        filtered={filtered}
        onZoom={onZoom}
        onReset={onReset}
        anyCollapsed={anyCollapsed}
        onCollapseAll={onCollapseAll}
      />
      <div className="tl-host" ref={hostRef}>
        <canvas
          ref={canvasRef}
          className="tl-canvas"
          data-testid="timeline-canvas"
          data-collapsed-groups={collapsedAttr}
          data-rows={layout.rows.length}
          data-scroll-top={scrollRef.current}
          style={{ width: geo.width, height: geo.height, cursor: hover ? 'pointer' : 'default' }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => (drag.current = null)}
          onPointerLeave={onPointerLeave}
          role="img"
          aria-label={`Timeline of ${model.groups.length} agent thread${model.groups.length === 1 ? '' : 's'} and ${model.spans.count} spans`}
        />
        <div
          className="tl-vscroll"
          ref={vscrollRef}
          style={{ top: geo.bodyTop, display: layout.height > geo.bodyH ? undefined : 'none' }}
          onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
        >
          <div style={{ height: layout.height }} />
        </div>
        {hover && !drag.current && <HoverCard model={model} info={hover} geo={geo} />}
        {rangeSummary && (
          <RangeCard
            summary={rangeSummary}
            model={model}
            geo={geo}
            toWindow={toWindow}
            onZoom={() => setWin(fitRange(rangeSummary.startMs, rangeSummary.endMs, bounds, 0.02))}
            onClear={() => setRange(null)}
          />
        )}
      </div>
    </div>
  );
}
