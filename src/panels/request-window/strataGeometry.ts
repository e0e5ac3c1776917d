/** Where the strata chart puts each call's bar along x, and which bar a domain position falls on. Pure. */
import type { ThreadWindows, WindowAnalysis } from '../../trace/windows/analysis';

export type ChartXMode = 'calls' | 'time';

/** Per call: domain extent [lo, hi] of its bar and its centre, and the domain of the whole thread. */
export interface StrataGeometry {
  n: number;
  lo: Float64Array;
  hi: Float64Array;
  mid: Float64Array;
  domain: [number, number];
}

export function buildStrataGeometry(analysis: WindowAnalysis, thread: ThreadWindows, xMode: ChartXMode): StrataGeometry {
  const n = thread.calls.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const mid = new Float64Array(n);
  if (xMode === 'calls') {
    for (let i = 0; i < n; i++) {
      lo[i] = i + 0.14;
      hi[i] = i + 0.86;
      mid[i] = i + 0.5;
    }
    return { n, lo, hi, mid, domain: [0, Math.max(1, n)] };
  }
  const t0 = thread.startMs;
  let t1 = thread.endMs;
  for (let i = 0; i < n; i++) {
    const c = analysis.calls.get(thread.calls[i])!;
    lo[i] = c.startMs - t0;
    hi[i] = (c.endMs ?? c.startMs) - t0;
    mid[i] = (lo[i] + hi[i]) / 2;
    t1 = Math.max(t1, c.endMs ?? c.startMs);
  }
  const span = Math.max(1, t1 - t0);
  return { n, lo, hi, mid, domain: [-span * 0.01, span * 1.01] };
}

/** First index whose bar ends at or after `x` (bars are sorted by start). */
export function firstVisible(g: StrataGeometry, x: number): number {
  let a = 0;
  let b = g.n;
  while (a < b) {
    const m = (a + b) >> 1;
    if (g.hi[m] < x) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * The bar at domain position `d`: by calls, the slot it falls in; by time, the
 * bar under it, else the nearest within `tol` (domain units).
 */
export function barAt(g: StrataGeometry, d: number, xMode: ChartXMode, tol: number): number | null {
  if (xMode === 'calls') {
    const i = Math.floor(d);
    return i >= 0 && i < g.n ? i : null;
  }
  let i = Math.max(0, firstVisible(g, d - tol) - 1);
  let best: number | null = null;
  let bestDist = Infinity;
  for (; i < g.n && g.lo[i] <= d + tol; i++) {
    const dist = d < g.lo[i] ? g.lo[i] - d : d > g.hi[i] ? d - g.hi[i] : 0;
    if (dist < bestDist || (dist === bestDist && dist === 0)) {
      best = i;
      bestDist = dist;
    }
  }
  return best !== null && bestDist <= tol ? best : null;
}
