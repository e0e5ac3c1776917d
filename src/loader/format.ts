import { seqLabel, type TraceErrorInfo } from '../trace/errors';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export function formatStart(ms: number | null): string {
  if (ms === null) return 'unknown start';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** `trace.jsonl, line 10, seq 9` (only the parts that are known). */
export function formatLocation(e: Pick<TraceErrorInfo, 'file' | 'line' | 'seq' | 'seqText'>): string {
  const seq = seqLabel(e);
  return [e.file || null, e.line != null ? `line ${e.line}` : null, seq != null ? `seq ${seq}` : null].filter(Boolean).join(', ');
}
