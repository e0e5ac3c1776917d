/**
 * A failure while reading or reducing a bundle. `message` is the headline
 * (what was wrong); `causes` are the underlying reasons, outermost first.
 * `file`/`line`/`seq` locate it: line is 1-based in trace.jsonl.
 */
export interface TraceErrorInfo {
  file: string;
  line: number | null;
  seq: number | null;
  message: string;
  causes: string[];
}

export class TraceError extends Error {
  constructor(
    readonly info: TraceErrorInfo,
  ) {
    super(formatTraceError(info));
    this.name = 'TraceError';
  }
}

export function formatTraceError(e: TraceErrorInfo): string {
  const where = [e.file, e.line != null ? `line ${e.line}` : null, e.seq != null ? `seq ${e.seq}` : null]
    .filter(Boolean)
    .join(', ');
  const head = where ? `${where}: ${e.message}` : e.message;
  return e.causes.length ? `${head}\n${e.causes.map((c) => `  caused by: ${c}`).join('\n')}` : head;
}

/** Events skipped (not fatal) while reducing in lenient mode, grouped: see ./diagnostics. */
export type { DiagnosticGroup, DiagnosticOccurrence } from './diagnostics';
