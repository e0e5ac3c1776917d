/**
 * One-dimensional pan and zoom, shared by the charts: the timeline's time
 * window and the strata chart's call (or time) range are both a [lo, hi]
 * view kept inside limits, zoomed about an anchor that stays under the
 * pointer, and panned by a distance. Pure TS.
 */

export type View1D = readonly [number, number];

export interface ViewLimits {
  /** The view never starts before lo nor ends after hi. */
  lo: number;
  hi: number;
  /** The narrowest view (the widest is hi - lo). */
  minSpan: number;
}

/** The view kept inside the limits, its span between minSpan and the whole; `fallbackStart` replaces a start that is not a number. */
export function clampView(view: View1D, limits: ViewLimits, fallbackStart: number = limits.lo): [number, number] {
  let span = view[1] - view[0];
  if (!Number.isFinite(span) || span <= 0) span = limits.minSpan;
  span = Math.min(Math.max(span, limits.minSpan), limits.hi - limits.lo);
  const start = Number.isFinite(view[0]) ? view[0] : fallbackStart;
  const lo = Math.max(limits.lo, Math.min(start, limits.hi - span));
  return [lo, lo + span];
}

/** Zoom to `span / factor` (factor > 1 zooms in), keeping `anchor` at the same fraction of the view. */
export function zoomView(view: View1D, anchor: number, factor: number, limits: ViewLimits, fallbackStart?: number): [number, number] {
  const span = view[1] - view[0];
  const next = span / factor;
  const frac = span > 0 ? (anchor - view[0]) / span : 0.5;
  const start = anchor - frac * next;
  return clampView([start, start + next], limits, fallbackStart);
}

/** Move the view by `delta` (positive: towards hi), same span. */
export function panView(view: View1D, delta: number, limits: ViewLimits, fallbackStart?: number): [number, number] {
  return clampView([view[0] + delta, view[1] + delta], limits, fallbackStart);
}
