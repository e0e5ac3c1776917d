import { z } from 'zod';

/**
 * A failure while reading or reducing a bundle. `message` is the headline
 * (what was wrong); `causes` are the underlying reasons, outermost first;
 * `advice`, when there is a way out, says what to do instead.
 * `file`/`line`/`seq` locate it: line is 1-based in trace.jsonl.
 */
export interface TraceErrorInfo {
  file: string;
  line: number | null;
  /** The event's seq when it is a safe integer; null otherwise (see seqText). */
  seq: number | null;
  /** The seq as written in the file, when it is not a safe integer (`9007199254740993`, `1e400`): a number would change it. */
  seqText?: string;
  message: string;
  causes: string[];
  advice?: string[];
}

/** A TraceErrorInfo as it crosses to the page or comes from a server. */
export const TraceErrorInfoSchema = z.object({
  file: z.string(),
  line: z.number().int().nullable(),
  seq: z.number().int().nullable(),
  seqText: z.string().optional(),
  message: z.string(),
  causes: z.array(z.string()),
  advice: z.array(z.string()).optional(),
}) satisfies z.ZodType<TraceErrorInfo>;

/** How a seq is shown: the file's text when it is not a safe integer. */
export function seqLabel(e: { seq: number | null; seqText?: string }): string | null {
  return e.seqText ?? (e.seq != null ? String(e.seq) : null);
}

/** `trace.jsonl, line 10, seq 9` (only the parts that are known). */
export function formatLocation(e: Pick<TraceErrorInfo, 'file' | 'line' | 'seq' | 'seqText'>): string {
  const seq = seqLabel(e);
  return [e.file || null, e.line != null ? `line ${e.line}` : null, seq != null ? `seq ${seq}` : null].filter(Boolean).join(', ');
}

/**
 * The seq fields for an error: a safe integer stays a number; anything else
 * (a JSON number text, or an integer past 2^53) is carried as text, so it
 * survives the worker protocol and is shown as the file has it.
 */
export function seqFields(seq: number | string | null): { seq: number | null; seqText?: string } {
  if (seq === null) return { seq: null };
  if (typeof seq === 'number')
    return Number.isSafeInteger(seq) ? { seq } : { seq: null, seqText: Number.isInteger(seq) ? BigInt(seq).toString() : String(seq) };
  if (/^\d+$/.test(seq) && Number.isSafeInteger(Number(seq))) return { seq: Number(seq) };
  return { seq: null, seqText: seq };
}

export function formatTraceError(e: TraceErrorInfo): string {
  const where = [e.file, e.line != null ? `line ${e.line}` : null, seqLabel(e) != null ? `seq ${seqLabel(e)}` : null].filter(Boolean).join(', ');
  const head = where ? `${where}: ${e.message}` : e.message;
  const lines = [head, ...e.causes.map((c) => `  caused by: ${c}`), ...(e.advice ?? []).map((a) => `  what to do: ${a}`)];
  return lines.join('\n');
}

/** Events skipped (not fatal) while reducing in lenient mode, grouped: see ./diagnostics. */
export type { DiagnosticGroup, DiagnosticOccurrence } from './diagnostics';
