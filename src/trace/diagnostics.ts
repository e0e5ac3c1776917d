/**
 * Events skipped while reducing in lenient mode, grouped by kind and event
 * type. A bundle may hold millions of them (a newer Codex that writes a
 * frequent event type this reducer does not know): each group keeps its count,
 * its first and last occurrence and the first SAMPLE_LIMIT occurrences, and at
 * most GROUP_LIMIT types get a group of their own (the rest share one), so
 * what is kept stays small however many there are. The zod schema is the
 * shape that crosses the worker protocol; the types are inferred from it.
 */
import { z } from 'zod';

/** Occurrences kept per group. */
export const DIAGNOSTIC_SAMPLE_LIMIT = 1000;
/** Event types with a group of their own; further types are counted in one group with `eventType: null`. */
export const DIAGNOSTIC_GROUP_LIMIT = 100;
/** Longest event type name kept (a type name is whatever the log says). */
export const DIAGNOSTIC_TYPE_CHARS = 200;

export const DiagnosticOccurrenceSchema = z.object({
  line: z.number().int(),
  seq: z.number().int().nullable(),
});
export type DiagnosticOccurrence = z.infer<typeof DiagnosticOccurrenceSchema>;

export const DiagnosticGroupSchema = z.object({
  kind: z.literal('unknown_event_type'),
  file: z.string(),
  /** The skipped events' type (cut to DIAGNOSTIC_TYPE_CHARS); null for the group of types beyond DIAGNOSTIC_GROUP_LIMIT. */
  eventType: z.string().nullable(),
  message: z.string(),
  count: z.number().int().positive(),
  first: DiagnosticOccurrenceSchema,
  last: DiagnosticOccurrenceSchema,
  /** The first occurrences, in log order, at most DIAGNOSTIC_SAMPLE_LIMIT. */
  sample: z.array(DiagnosticOccurrenceSchema).max(DIAGNOSTIC_SAMPLE_LIMIT),
  /** Occurrences not in `sample` (count - sample.length). */
  omitted: z.number().int().nonnegative(),
});
export type DiagnosticGroup = z.infer<typeof DiagnosticGroupSchema>;
export type DiagnosticKind = DiagnosticGroup['kind'];

export const DiagnosticGroupsSchema = z.array(DiagnosticGroupSchema).max(DIAGNOSTIC_GROUP_LIMIT + 1);

/** A type name as shown: cut to DIAGNOSTIC_TYPE_CHARS. */
export function shownEventType(t: string): string {
  return t.length > DIAGNOSTIC_TYPE_CHARS ? `${t.slice(0, DIAGNOSTIC_TYPE_CHARS)}…` : t;
}

export class DiagnosticCollector {
  private readonly groups = new Map<string, DiagnosticGroup>();
  private other: DiagnosticGroup | null = null;

  constructor(
    private readonly sampleLimit = DIAGNOSTIC_SAMPLE_LIMIT,
    private readonly groupLimit = DIAGNOSTIC_GROUP_LIMIT,
  ) {}

  /** Total occurrences recorded. */
  total = 0;

  add(kind: DiagnosticKind, file: string, eventType: string, line: number, seq: number | null): void {
    this.total++;
    const key = `${kind}\u0000${file}\u0000${eventType}`;
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size < this.groupLimit) {
        const shown = shownEventType(eventType);
        g = newGroup(kind, file, shown, `unknown event type \`${shown}\``, line, seq);
        this.groups.set(key, g);
      } else {
        g = this.other ??= newGroup(kind, file, null, `unknown event types beyond the first ${this.groupLimit}`, line, seq);
      }
    }
    g.count++;
    g.last = { line, seq };
    if (g.sample.length < this.sampleLimit) g.sample.push({ line, seq });
    else g.omitted++;
  }

  /** The groups in order of first occurrence, the shared group of further types last. */
  result(): DiagnosticGroup[] {
    const out = [...this.groups.values()];
    if (this.other) out.push(this.other);
    return out.map((g) => ({ ...g, first: { ...g.first }, last: { ...g.last }, sample: [...g.sample] }));
  }
}

function newGroup(kind: DiagnosticKind, file: string, eventType: string | null, message: string, line: number, seq: number | null): DiagnosticGroup {
  return { kind, file, eventType, message, count: 0, first: { line, seq }, last: { line, seq }, sample: [], omitted: 0 };
}

/** Total events over groups. */
export function diagnosticCount(groups: readonly DiagnosticGroup[]): number {
  let n = 0;
  for (const g of groups) n += g.count;
  return n;
}

/** "lines 7–200,006 (seq 6–200,005)", or "line 7 (seq 6)" for one occurrence. */
export function diagnosticRange(g: DiagnosticGroup, fmt: (n: number) => string = String): string {
  const seqs = (a: number | null, b: number | null): string => {
    if (a === null && b === null) return '';
    if (g.count === 1 || a === b) return ` (seq ${a === null ? '?' : fmt(a)})`;
    return ` (seq ${a === null ? '?' : fmt(a)}–${b === null ? '?' : fmt(b)})`;
  };
  if (g.count === 1) return `line ${fmt(g.first.line)}${seqs(g.first.seq, g.first.seq)}`;
  return `lines ${fmt(g.first.line)}–${fmt(g.last.line)}${seqs(g.first.seq, g.last.seq)}`;
}

/** One line per group, as the CLI prints it. */
export function formatDiagnosticGroup(g: DiagnosticGroup, fmt: (n: number) => string = String): string {
  const what = g.eventType === null ? g.message : `event${g.count === 1 ? '' : 's'} of type \`${g.eventType}\``;
  return `${g.file}: skipped ${fmt(g.count)} ${g.eventType === null ? `events of ${what}` : what}, ${diagnosticRange(g, fmt)}`;
}
