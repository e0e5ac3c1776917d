/**
 * Time ↔ pixel transforms and window arithmetic for the timeline: zoom around
 * a point, pan, clamp to the trace, fit a range, reveal a span. Pure TS.
 */
import { clampView, panView, zoomView, type ViewLimits } from '../viewport';

export interface ViewWindow {
  startMs: number;
  endMs: number;
}

/** A window mapped onto `width` pixels starting at `x0`. */
export interface Scale extends ViewWindow {
  x0: number;
  width: number;
}

/** Smallest visible window (ms). Timestamps are whole ms, so this is already far past any detail. */
export const MIN_WINDOW_MS = 0.5;
/** How far past the trace bounds the window may be panned, as a fraction of the trace duration. */
export const PAN_MARGIN = 0.05;

export function makeScale(w: ViewWindow, x0: number, width: number): Scale {
  return { startMs: w.startMs, endMs: w.endMs, x0, width: Math.max(1, width) };
}

export function timeToX(s: Scale, t: number): number {
  return s.x0 + ((t - s.startMs) * s.width) / (s.endMs - s.startMs);
}

export function xToTime(s: Scale, x: number): number {
  return s.startMs + ((x - s.x0) * (s.endMs - s.startMs)) / s.width;
}

/** Pixels per millisecond. */
export function pxPerMs(s: Scale): number {
  return s.width / (s.endMs - s.startMs);
}

/** The whole trace plus a small margin: the widest window allowed. */
export function fullWindow(bounds: ViewWindow): ViewWindow {
  const pad = (bounds.endMs - bounds.startMs) * 0.01;
  return { startMs: bounds.startMs - pad, endMs: bounds.endMs + pad };
}

/** The limits a timeline window is kept in: the trace plus PAN_MARGIN on each side, and at least MIN_WINDOW_MS wide. */
function windowLimits(bounds: ViewWindow): ViewLimits {
  const margin = (bounds.endMs - bounds.startMs) * PAN_MARGIN;
  return { lo: bounds.startMs - margin, hi: bounds.endMs + margin, minSpan: MIN_WINDOW_MS };
}

const asWindow = ([startMs, endMs]: [number, number]): ViewWindow => ({ startMs, endMs });

/** Keep a window within the trace (plus margin) and between MIN_WINDOW_MS and the full width. */
export function clampWindow(w: ViewWindow, bounds: ViewWindow): ViewWindow {
  return asWindow(clampView([w.startMs, w.endMs], windowLimits(bounds), bounds.startMs));
}

/** Zoom by `factor` (>1 zooms in) keeping time `anchor` at the same pixel. */
export function zoomAround(w: ViewWindow, anchor: number, factor: number, bounds: ViewWindow): ViewWindow {
  return asWindow(zoomView([w.startMs, w.endMs], anchor, factor, windowLimits(bounds), bounds.startMs));
}

/** Move the window by `deltaMs` (positive = later). */
export function panBy(w: ViewWindow, deltaMs: number, bounds: ViewWindow): ViewWindow {
  return asWindow(panView([w.startMs, w.endMs], deltaMs, windowLimits(bounds), bounds.startMs));
}

/** A window showing [a, b] with `pad` (fraction of its length) on both sides. */
export function fitRange(a: number, b: number, bounds: ViewWindow, pad = 0.08): ViewWindow {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const dur = Math.max(hi - lo, MIN_WINDOW_MS);
  const mid = (lo + hi) / 2;
  const half = (dur * (1 + 2 * pad)) / 2;
  return clampWindow({ startMs: mid - half, endMs: mid + half }, bounds);
}

/**
 * The window to show so that span [a, b] is revealed, or null when the current
 * window already shows it well: fully inside and at least `minPx` wide (or as
 * wide as it can get). A span that fits is centred at the current zoom; one
 * that does not fit, or is too thin to see, is zoomed to.
 */
export function revealWindow(w: ViewWindow, a: number, b: number, widthPx: number, bounds: ViewWindow, minPx = 3): ViewWindow | null {
  const dur = w.endMs - w.startMs;
  const spanDur = Math.max(0, b - a);
  const px = (spanDur * widthPx) / dur;
  const inside = a >= w.startMs && b <= w.endMs;
  // A zero-length span is "wide enough" at any zoom; a span thinner than minPx
  // gets zoomed to unless that would need more than the minimum window.
  const thin = spanDur > 0 && px < minPx && dur > MIN_WINDOW_MS * 1.01;
  if (inside && !thin) return null;
  if (spanDur > dur * 0.9) return fitRange(a, b, bounds);
  if (thin) {
    // Zoom so the span is about a tenth of the width, keeping context around it.
    const next = Math.max(spanDur * 10, MIN_WINDOW_MS);
    const mid = (a + b) / 2;
    return clampWindow({ startMs: mid - next / 2, endMs: mid + next / 2 }, bounds);
  }
  const mid = (a + b) / 2;
  return clampWindow({ startMs: mid - dur / 2, endMs: mid + dur / 2 }, bounds);
}

/** Two windows equal within a tiny tolerance (avoids store churn). */
export function sameWindow(a: ViewWindow | null, b: ViewWindow | null): boolean {
  if (!a || !b) return a === b;
  const eps = Math.max(1e-6, (a.endMs - a.startMs) * 1e-9);
  return Math.abs(a.startMs - b.startMs) <= eps && Math.abs(a.endMs - b.endMs) <= eps;
}
