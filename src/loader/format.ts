import { seqLabel, type TraceErrorInfo } from '../trace/errors';

export function formatStart(ms: number | null): string {
  if (ms === null) return 'unknown start';
  const d = new Date(ms);
  return Number.isNaN(d.getTime())
    ? String(ms)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

/** `trace.jsonl, line 10, seq 9` (only the parts that are known). */
export function formatLocation(e: Pick<TraceErrorInfo, 'file' | 'line' | 'seq' | 'seqText'>): string {
  const seq = seqLabel(e);
  return [e.file || null, e.line != null ? `line ${e.line}` : null, seq != null ? `seq ${seq}` : null].filter(Boolean).join(', ');
}
