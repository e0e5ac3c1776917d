/** Scale helpers for the strata chart: nice ticks, compact axis labels. Pure functions. */

/** About `count` round tick values from 0 up to at least `max` (1, 2, 5 × 10^k steps). */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/** Byte ticks on binary boundaries: 0, 8 KiB, 16 KiB… (or plain bytes below 1 KiB). */
export function byteTicks(max: number, count = 4): number[] {
  if (max < 1024) return niceTicks(max, count);
  const unit = max < 1024 * 1024 ? 1024 : 1024 * 1024;
  return niceTicks(max / unit, count).map((v) => v * unit);
}

/** Tick steps in ms for a time axis (relative offsets). */
const TIME_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
];

export function timeStep(spanMs: number, maxTicks: number): number {
  const raw = spanMs / Math.max(1, maxTicks);
  return TIME_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
}

/** Round step (1, 2, 5, 10, 20, 50, …) for integer call ordinals. */
export function ordinalStep(span: number, maxTicks: number): number {
  const raw = span / Math.max(1, maxTicks);
  if (raw <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
}

export function axisBytes(n: number): string {
  if (n === 0) return '0';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function axisCount(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < 1000) return String(Math.round(n));
  if (Math.abs(n) < 1_000_000) return `${+(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${+(n / 1_000_000).toFixed(1)}M`;
}

export function axisTime(ms: number): string {
  if (ms === 0) return '0';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${+(ms / 1000).toFixed(a < 10_000 ? 1 : 0)} s`;
  if (a < 3_600_000) return `${Math.floor(ms / 60_000)}m${a % 60_000 ? ` ${Math.round((a % 60_000) / 1000)}s` : ''}`;
  return `${Math.floor(ms / 3_600_000)}h${a % 3_600_000 ? ` ${Math.round((a % 3_600_000) / 60_000)}m` : ''}`;
}
