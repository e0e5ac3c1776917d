/**
 * What the strata chart shows, before any pixel: the plot's padding, which
 * strata are in the bars, each bar's height without the hidden ones, whether
 * bars and token lines share an axis. Pure (no DOM, no React).
 */
import type { CallStats, ThreadWindows, WindowAnalysis } from '../../trace/windows/analysis';
import type { ItemLifetime } from '../../trace/windows/lifetime';
import { byteTicks, niceTicks } from './chartScale';
import type { ChartXMode, StrataGeometry } from './strataGeometry';
import { STRATA, STRATUM_COUNT, estimateTokens } from '../../trace/windows/sizes';

export type ChartMetric = 'bytes' | 'tokens';

/** Room around the plot for the axes' labels. */
export const PAD = { left: 54, right: 54, top: 14, bottom: 22 };

/** In token mode, bars (estimated) and lines (reported) share one axis when their ranges are comparable (within 3×); otherwise tokens get the right axis. */
export function sharesTokenAxis(thread: ThreadWindows, metric: ChartMetric): boolean {
  if (metric !== 'tokens' || thread.maxInputTokens <= 0) return false;
  const est = estimateTokens(thread.maxBytes);
  return Math.max(est, thread.maxInputTokens) / Math.max(1, Math.min(est, thread.maxInputTokens)) <= 3;
}

export const NONE_HIDDEN: ReadonlySet<number> = new Set();

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

/** Carriers of the selected item (bar indexes), and the call that produced it. */
export interface StrataLife {
  carriers: number[];
  set: ReadonlySet<number>;
  producer: number | null;
}

export interface StrataFrame {
  width: number;
  height: number;
  plotW: number;
  plotH: number;
  view: readonly [number, number];
  geometry: StrataGeometry;
  thread: ThreadWindows;
  usageOf(i: number): CallStats['usage'];
  metric: ChartMetric;
  /** Bar units per byte: 1, or 1/4 for estimated tokens. */
  unit: number;
  leftTicks: number[];
  leftTop: number;
  rightTicks: number[];
  rightTop: number;
  sharedAxis: boolean;
  focusedIndex: number | null;
  life: StrataLife | null;
  hidden: ReadonlySet<number>;
  /** Each bar's height (bytes) without the hidden strata. */
  shownTotals: ArrayLike<number>;
  xMode: ChartXMode;
  anyCached: boolean;
  toX(d: number): number;
}

export interface StrataFrameArgs {
  width: number;
  height: number;
  view: readonly [number, number];
  geometry: StrataGeometry;
  thread: ThreadWindows;
  analysis: WindowAnalysis;
  metric: ChartMetric;
  xMode: ChartXMode;
  focusedCallId: string | null;
  lifetime: ItemLifetime | null;
  hidden: ReadonlySet<number>;
}

/** Everything the drawing needs, computed once per change of what is shown. */
export function strataFrame(a: StrataFrameArgs): StrataFrame {
  const { width, height, view, geometry, thread, analysis, metric, xMode, hidden } = a;
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = Math.max(10, height - PAD.top - PAD.bottom);
  const unit = metric === 'tokens' ? 0.25 : 1;
  const shown = visibleTotals(thread, hidden);
  const barMax = metric === 'tokens' ? estimateTokens(shown.max) : shown.max;
  // In token mode bars (estimated) and lines (reported) share one axis; in byte mode tokens get their own axis on the right.
  const sharedAxis = sharesTokenAxis(thread, metric);
  const leftMax = sharedAxis ? Math.max(barMax, thread.maxInputTokens) : barMax;
  const leftTicks = metric === 'bytes' ? byteTicks(leftMax || 1, 4) : niceTicks(leftMax || 1, 4);
  const leftTop = leftTicks[leftTicks.length - 1] || 1;
  const rightTicks = niceTicks(thread.maxInputTokens || 1, 4);
  const rightTop = sharedAxis ? leftTop : rightTicks[rightTicks.length - 1] || 1;
  const usageOf = (i: number) => analysis.calls.get(thread.calls[i])?.usage ?? null;
  const anyCached = thread.calls.some((_, i) => (usageOf(i)?.cached_input_tokens ?? 0) > 0);
  const callIndex = new Map(thread.calls.map((id, i) => [id, i]));
  const focusedIndex = a.focusedCallId !== null ? (callIndex.get(a.focusedCallId) ?? null) : null;
  let life: StrataLife | null = null;
  const lt = a.lifetime;
  if (lt && lt.threadId === thread.threadId) {
    const carriers = lt.callIds.map((id) => callIndex.get(id)).filter((i): i is number => i !== undefined);
    if (carriers.length > 0 || lt.producerCallId)
      life = { carriers, set: new Set(carriers), producer: lt.producerCallId ? (callIndex.get(lt.producerCallId) ?? null) : null };
  }
  const toX = (d: number) => PAD.left + ((d - view[0]) / (view[1] - view[0])) * plotW;
  return {
    width,
    height,
    plotW,
    plotH,
    view,
    geometry,
    thread,
    usageOf,
    metric,
    unit,
    leftTicks,
    leftTop,
    rightTicks,
    rightTop,
    sharedAxis,
    focusedIndex,
    life,
    hidden,
    shownTotals: shown.totals,
    xMode,
    anyCached,
    toX,
  };
}
