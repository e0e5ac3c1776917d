/** The strata chart's visible domain ([start, end]): zooming, panning, brushing and following the focus. Pure. */
import type { ChartXMode, StrataGeometry } from './strataGeometry';

export type View = [number, number];

export function isZoomed(view: View, domain: View): boolean {
  return view[0] > domain[0] + 1e-9 || view[1] < domain[1] - 1e-9;
}

/** Zoom by a wheel's deltaY around domain position `at`, never past the whole domain nor below a few calls (1/5000 of the time span). */
export function zoomAt(view: View, domain: View, at: number, deltaY: number, xMode: ChartXMode): View {
  const [a, b] = view;
  const span = b - a;
  const [d0, d1] = domain;
  const full = d1 - d0;
  const k = Math.exp(deltaY * 0.0025);
  const next = Math.min(full, Math.max(xMode === 'calls' ? 3 : full / 5000, span * k));
  const na = at - ((at - a) / span) * next;
  const lo = Math.max(d0, Math.min(na, d1 - next));
  return [lo, lo + next];
}

/** Move the view by `delta` domain units, kept inside the domain. */
export function panBy(view: View, domain: View, delta: number): View {
  const span = view[1] - view[0];
  const lo = Math.max(domain[0], Math.min(view[0] + delta, domain[1] - span));
  return [lo, lo + span];
}

/** The view a brush from `a` to `b` (domain, a ≤ b) zooms to, or null when it is too narrow to mean a zoom. */
export function brushView(a: number, b: number, xMode: ChartXMode): View | null {
  const minSpan = xMode === 'calls' ? 2 : 1;
  return b - a >= minSpan / 4 ? [a, Math.max(b, a + minSpan)] : null;
}

/** The view moved (same span) so that bar `i` is inside it, or null when it already is. */
export function viewShowing(view: View, g: StrataGeometry, i: number): View | null {
  if (g.lo[i] >= view[0] && g.hi[i] <= view[1]) return null;
  const span = view[1] - view[0];
  const lo = Math.max(g.domain[0], Math.min(g.mid[i] - span / 2, g.domain[1] - span));
  return [lo, lo + span];
}
