/** Formatting helpers shared by every panel. Pure functions. */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Wall-clock time of a unix-ms timestamp, local time: `14:03:07.412`. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time: `2026-11-25 14:03:07`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A duration: `0 ms`, `412 ms`, `1.24 s`, `12.4 s`, `3m 07s`, `2h 05m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  const a = Math.abs(ms);
  let s: string;
  if (a < 1000) s = `${Math.round(a)} ms`;
  else if (a < 10_000) s = `${(a / 1000).toFixed(2)} s`;
  else if (a < 60_000) s = `${(a / 1000).toFixed(1)} s`;
  else if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    s = `${m}m ${pad(Math.floor((a % 60_000) / 1000))}s`;
  } else {
    const h = Math.floor(a / 3_600_000);
    s = `${h}h ${pad(Math.floor((a % 3_600_000) / 60_000))}m`;
  }
  return neg ? `−${s}` : s;
}

/** Offset from the trace start: `+1.240 s`, `+412 ms`. */
export function formatRelative(ms: number, startMs: number): string {
  const d = ms - startMs;
  const sign = d < 0 ? '−' : '+';
  const a = Math.abs(d);
  if (a < 1000) return `${sign}${a} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(3)} s`;
  return `${sign}${formatDuration(a)}`;
}

/**
 * Integer with thousands separators: `26,000`. Written out rather than
 * toLocaleString: Intl's first call costs tens of milliseconds and every call
 * after it is slow in hot paths (table cells, tooltips, progress).
 */
export function formatInt(n: number): string {
  const v = Math.round(n);
  let s = String(Math.abs(v));
  for (let i = s.length - 3; i > 0; i -= 3) s = `${s.slice(0, i)},${s.slice(i)}`;
  return v < 0 ? `-${s}` : s;
}

/** Compact count: `950`, `12.3k`, `4.56M`. */
export function formatCompact(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 1_000_000) return `${(n / 1000).toFixed(a < 10_000 ? 2 : 1).replace(/\.0+$/, '')}k`;
  return `${(n / 1_000_000).toFixed(2).replace(/\.0+$/, '')}M`;
}

export { formatBytes } from '../trace/format';

/** UTF-8 byte length of a string (for "[encrypted N bytes]"). */
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * Size in bytes of an encoded blob: the decoded size when the value is
 * base64 (how encrypted_content is carried), else its UTF-8 length.
 */
export function encodedByteLength(value: string): number {
  const v = value.trim();
  if (v.length > 0 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && (v.length % 4 === 0 || !v.endsWith('='))) {
    const pad = v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0;
    return Math.floor((v.length * 3) / 4) - pad;
  }
  return utf8Length(value);
}

/** A ratio as a percentage with one decimal: `0.0%`, `42.5%`; `—` for none (nothing to divide by). */
export function formatPercent(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(1)}%`;
}

/**
 * An amount of money: thousands separated, two decimals from 1 up, four
 * below (a call costs fractions of a cent), `0` for nothing.
 */
export function formatMoney(n: number): string {
  if (n === 0) return '0';
  const a = Math.abs(n);
  const digits = a >= 1 ? 2 : 4;
  const fixed = a.toFixed(digits);
  const [int, frac] = fixed.split('.');
  const out = `${formatInt(Number(int))}.${frac}`;
  return n < 0 ? `-${out}` : out;
}
