/** The strata chart's visible domain ([start, end]): zooming, panning, brushing and following the focus. Pure. */
import type { ChartXMode, StrataGeometry } from './strataGeometry';
import { panView, zoomView, type ViewLimits } from '../../trace/viewport';

export type View = [number, number];

export function isZoomed(view: View, domain: View): boolean {
  return view[0] > domain[0] + 1e-9 || view[1] < domain[1] - 1e-9;
}

/** The limits of the view: the whole domain, and at least a few calls (1/5000 of the time span). */
function limitsOf(domain: View, xMode: ChartXMode): ViewLimits {
  const full = domain[1] - domain[0];
  return { lo: domain[0], hi: domain[1], minSpan: Math.min(full, xMode === 'calls' ? 3 : full / 5000) };
}

/** Zoom by a wheel's deltaY around domain position `at`, never past the whole domain nor below a few calls. */
export function zoomAt(view: View, domain: View, at: number, deltaY: number, xMode: ChartXMode): View {
  return zoomView(view, at, Math.exp(-deltaY * 0.0025), limitsOf(domain, xMode));
}

/** Move the view by `delta` domain units, kept inside the domain. */
export function panBy(view: View, domain: View, delta: number): View {
  return panView(view, delta, { lo: domain[0], hi: domain[1], minSpan: 0 });
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
