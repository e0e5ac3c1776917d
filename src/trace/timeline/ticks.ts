/**
 * Time axis ticks: a "nice" step (1-2-5 in ms and s, then 1/2/5/10/15/30 min
 * and hours) so labels are at least `minSpacingPx` apart, with labels
 * relative to the trace start (`+250 ms`, `+1.5 s`, `+2 min`). Pure TS.
 */
import type { ViewWindow } from './scale';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

/** Candidate steps in ms, ascending. */
export const TICK_STEPS: readonly number[] = [
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SEC,
  2 * SEC,
  5 * SEC,
  10 * SEC,
  15 * SEC,
  30 * SEC,
  MIN,
  2 * MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/** Minor subdivisions for steps that are not 1-2-5 multiples. */
const MINOR_DIVISIONS = new Map<number, number>([
  [15 * SEC, 3],
  [30 * SEC, 3],
  [MIN, 4],
  [2 * MIN, 4],
  [5 * MIN, 5],
  [10 * MIN, 5],
  [15 * MIN, 3],
  [30 * MIN, 3],
  [HOUR, 4],
  [2 * HOUR, 4],
  [3 * HOUR, 3],
  [6 * HOUR, 3],
  [12 * HOUR, 4],
  [24 * HOUR, 4],
]);

export interface Tick {
  /** Unix ms. */
  t: number;
  /** Relative label (from the trace start). */
  label: string;
}

export interface Ticks {
  step: number;
  /** Minor subdivisions between labelled ticks. */
  minorStep: number;
  ticks: Tick[];
}

function decimalsFor(step: number): number {
  // Enough decimals to tell neighbouring ticks apart.
  let d = 0;
  while (d < 6 && Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) > 1e-9) d++;
  return d;
}

/** A tick label for an offset `rel` (ms from the trace start) at tick `step`. */
export function formatTickLabel(rel: number, step: number): string {
  const sign = rel < 0 ? '−' : '+';
  const a = Math.abs(rel) < step * 1e-6 ? 0 : Math.abs(rel);
  if (step < SEC) {
    if (a < SEC) return `${sign}${a.toFixed(decimalsFor(step))} ms`;
    return `${sign}${(a / SEC).toFixed(Math.min(6, decimalsFor(step / SEC)))} s`;
  }
  if (step < MIN) {
    if (a < MIN) return `${sign}${(a / SEC).toFixed(decimalsFor(step / SEC))} s`;
    const m = Math.floor(a / MIN);
    const s = Math.round((a - m * MIN) / SEC);
    return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  }
  if (step < HOUR) {
    if (a < HOUR) return `${sign}${Math.round(a / MIN)} min`;
    const h = Math.floor(a / HOUR);
    return `${sign}${h}h ${String(Math.round((a - h * HOUR) / MIN)).padStart(2, '0')}m`;
  }
  return `${sign}${Math.round(a / HOUR)} h`;
}

/** Ticks for a window drawn `widthPx` wide, aligned to multiples of the step from `originMs`. */
export function generateTicks(w: ViewWindow, widthPx: number, originMs: number, minSpacingPx = 90): Ticks {
  const dur = w.endMs - w.startMs;
  const want = (dur * minSpacingPx) / Math.max(1, widthPx);
  let step = TICK_STEPS[TICK_STEPS.length - 1];
  for (const s of TICK_STEPS) {
    if (s >= want) {
      step = s;
      break;
    }
  }
  const first = Math.ceil((w.startMs - originMs) / step);
  const last = Math.floor((w.endMs - originMs) / step);
  const ticks: Tick[] = [];
  for (let k = first; k <= last && ticks.length < 1000; k++) {
    const rel = k * step;
    ticks.push({ t: originMs + rel, label: formatTickLabel(rel, step) });
  }
  const special = MINOR_DIVISIONS.get(step);
  const mant = Math.round(step / 10 ** Math.floor(Math.log10(step) + 1e-9));
  const minorStep = step / (special ?? (mant === 2 ? 4 : 5));
  return { step, minorStep, ticks };
}
