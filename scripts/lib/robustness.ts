/**
 * One robustness case: reduce a (mutated) bundle in memory with both
 * `unknownEvents` modes and check what a user relies on when a bundle is bad:
 * no exception escapes, every failure is a well-formed TraceErrorInfo naming
 * its file (and for trace.jsonl problems the line and, when the line carries
 * one, the seq), no "internal error", and a partial state whenever the
 * manifest was readable. Shared by scripts/fuzz-robustness.ts and
 * test/robustness.test.ts.
 */
import { isUtf8 } from 'node:buffer';
import type { BundleSource } from '../../src/trace/bundle/source';
import { MemorySource, type FileBody } from '../../src/trace/bundle/source';
import type { TraceErrorInfo } from '../../src/trace/errors';
import { reduceBundle } from '../../src/trace/reducer';
import { ManifestSchema } from '../../src/trace/schema/manifest';
import { isDeepStrictEqual } from 'node:util';
import { shownEventType } from '../../src/trace/diagnostics';
import { COLLECTION_OF, OBJECT_KINDS } from '../../src/trace/indexes/refs';
import type { RolloutTrace } from '../../src/trace/schema/state';
import { serializeState } from '../../src/trace/serialize';
import type { BundleFiles } from './bundle-files';
import { bundleSize, traceLines } from './bundle-files';
import type { FloodMutant, ProtoIdsMutant } from './hostile';

/** Reads like src/cli/directory-source.ts: bytes that are not UTF-8 are refused rather than replaced. */
class StrictMemorySource implements BundleSource {
  constructor(
    readonly name: string,
    private readonly files: Map<string, string | Buffer>,
  ) {}
  async readText(p: string): Promise<string | null> {
    const f = this.files.get(p);
    if (f === undefined) return null;
    if (typeof f === 'string') return f;
    const text = f.toString('utf8');
    if (text.includes('\uFFFD') && !isUtf8(f)) throw new Error(`${p} is not valid UTF-8`);
    return text;
  }
  async readBytes(p: string): Promise<Uint8Array | null> {
    const f = this.files.get(p);
    if (f === undefined) return null;
    return typeof f === 'string' ? Buffer.from(f) : f;
  }
  size(p: string): number | null {
    const f = this.files.get(p);
    return f === undefined ? null : typeof f === 'string' ? Buffer.byteLength(f) : f.byteLength;
  }
}

export function bundleMap(b: BundleFiles): Map<string, string | Buffer> {
  const m = new Map<string, string | Buffer>(b.files);
  if (b.manifest !== null) m.set('manifest.json', b.manifest);
  if (b.trace !== null) m.set('trace.jsonl', b.trace);
  return m;
}

export function sourceFor(b: BundleFiles, strict: boolean): BundleSource {
  const m = bundleMap(b);
  if (strict) return new StrictMemorySource('fuzz', m);
  const bodies = new Map<string, FileBody>();
  for (const [k, v] of m) bodies.set(k, typeof v === 'string' ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return new MemorySource('fuzz', bodies);
}

export interface ModeResult {
  mode: 'error' | 'skip';
  ms: number;
  cpuMs: number;
  error: TraceErrorInfo | null;
  hasState: boolean;
  eventsApplied: number;
}

export interface CaseResult {
  results: ModeResult[];
  violations: string[];
}

/** Whole-log trace.jsonl errors that legitimately have no line. */
const WHOLE_LOG = [/^open trace event log/, /^read trace event log/, /^cancelled$/];

function manifestReadable(b: BundleFiles): boolean {
  if (b.manifest === null) return false;
  try {
    const m = ManifestSchema.safeParse(JSON.parse(b.manifest));
    return m.success && m.data.schema_version === 2;
  } catch {
    return false;
  }
}

function lineText(b: BundleFiles, line: number): string | null {
  const t = b.trace ?? (b.files.get('trace.jsonl') ? b.files.get('trace.jsonl')!.toString() : null);
  if (t === null) return null;
  // The reducer splits on '\n' only.
  return t.split('\n')[line - 1] ?? null;
}

export function checkError(e: TraceErrorInfo, b: BundleFiles): string[] {
  const v: string[] = [];
  if (!e || typeof e !== 'object') return ['error is not an object'];
  if (typeof e.file !== 'string' || !e.file) v.push('error has no file');
  if (typeof e.message !== 'string' || !e.message) v.push('error has no message');
  if (!Array.isArray(e.causes) || e.causes.some((c) => typeof c !== 'string')) v.push('error causes are not strings');
  if (e.line !== null && !(Number.isInteger(e.line) && e.line > 0)) v.push(`error line ${e.line} is not a positive integer`);
  if (e.seq !== null && !Number.isSafeInteger(e.seq)) v.push(`error seq ${e.seq} is not a safe integer (the worker protocol refuses it; use seqText)`);
  if (e.seqText !== undefined && (typeof e.seqText !== 'string' || e.seq !== null))
    v.push(`error seqText ${String(e.seqText)} is not text in place of a null seq`);
  if (/internal error/i.test(e.message)) v.push(`internal error: ${e.message}`);
  if (e.file === 'trace.jsonl') {
    if (e.line === null && !WHOLE_LOG.some((r) => r.test(e.message))) v.push(`trace.jsonl error without a line: ${e.message}`);
    if (e.line !== null && e.seq === null) {
      const text = lineText(b, e.line);
      if (text && /"seq"\s*:\s*\d+/.test(text) && e.seqText === undefined)
        v.push(`trace.jsonl error at line ${e.line} without the seq the line shows: ${e.message}`);
      if (text && e.seqText !== undefined && !text.includes(e.seqText))
        v.push(`trace.jsonl error at line ${e.line} names seq ${e.seqText}, which the line does not show`);
    }
  }
  return v;
}

export const PER_BUNDLE_MS = 5_000;
/** The CPU budget grows with the bundle past this size (a flood of unknown events is tens of megabytes). */
const BUDGET_BYTES = 4 << 20;

/** CPU budget for reducing a bundle: PER_BUNDLE_MS, scaled by size past BUDGET_BYTES. */
export function budgetFor(b: BundleFiles, limitMs = PER_BUNDLE_MS): number {
  return limitMs * Math.max(1, bundleSize(b) / BUDGET_BYTES);
}

export async function runCase(b: BundleFiles, strict: boolean, limitMs = PER_BUNDLE_MS): Promise<CaseResult> {
  const results: ModeResult[] = [];
  const violations: string[] = [];
  const readable = manifestReadable(b);
  for (const mode of ['error', 'skip'] as const) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let r;
    try {
      r = await reduceBundle(sourceFor(b, strict), mode === 'skip' ? { unknownEvents: 'skip' } : {});
    } catch (e) {
      violations.push(`[${mode}] uncaught exception: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600));
      continue;
    }
    const ms = performance.now() - t0;
    // The bound is on CPU time: the machine is shared, and wall time also counts other processes.
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (cpuMs > limitMs) violations.push(`[${mode}] took ${cpuMs.toFixed(0)} ms of CPU (> ${limitMs} ms)`);
    if (r.error) for (const x of checkError(r.error, b)) violations.push(`[${mode}] ${x}`);
    if (readable && !r.state) violations.push(`[${mode}] manifest readable but no partial state`);
    if (!r.error && !r.state) violations.push(`[${mode}] neither state nor error`);
    if (r.error === null && r.manifest === null) violations.push(`[${mode}] success without manifest`);
    results.push({ mode, ms, cpuMs, error: r.error, hasState: !!r.state, eventsApplied: r.eventsApplied });
  }
  return { results, violations };
}

/** The reduced state as plain JSON, seqs mapped through `seq` (null: no state). */
function stateJson(state: RolloutTrace | null, seq: (s: number) => number = (x) => x): unknown {
  if (!state) return null;
  return JSON.parse(serializeState(state), (k, v) => (/(^|_)seq$/.test(k) && Number.isSafeInteger(v) ? seq(v) : v));
}

/**
 * A flood of unknown events changes nothing but line numbers and seqs in
 * 'skip' mode: the reduction succeeds or fails as the bundle without the flood
 * does (the same error, at the shifted line and seq), with the same state once
 * seqs are mapped, and each flooded type is one diagnostic group with the
 * right count and first and last line and seq.
 */
export async function checkFlood(m: FloodMutant, strict: boolean): Promise<string[]> {
  const v: string[] = [];
  const { base, insertions, types } = m.flood;
  const seqOf = (s: number) => s + insertions.reduce((n, x) => n + (x.fromSeq <= s ? x.n : 0), 0);
  const lineOf = (l: number) => l + insertions.reduce((n, x) => n + (x.at <= l - 1 ? x.n : 0), 0);
  const before = await reduceBundle(sourceFor(base, strict), { unknownEvents: 'skip' });
  const after = await reduceBundle(sourceFor(m.files, strict), { unknownEvents: 'skip' });
  const e0 = before.error;
  const e1 = after.error;
  if ((e0 === null) !== (e1 === null))
    v.push(`[flood] ${e0 ? 'fails' : 'succeeds'} without the flood but ${e1 ? `fails with it: ${e1.message}` : 'succeeds with it'}`);
  else if (e0 && e1) {
    const same =
      e0.file === e1.file &&
      errorFamily(e0) === errorFamily(e1) &&
      e1.line === (e0.line === null ? null : lineOf(e0.line)) &&
      e1.seq === (e0.seq === null ? null : seqOf(e0.seq));
    if (!same)
      v.push(
        `[flood] another error with the flood: ${e1.file}:${e1.line} seq ${e1.seq} ${e1.message} (without: ${e0.file}:${e0.line} seq ${e0.seq} ${e0.message})`,
      );
  }
  if (!isDeepStrictEqual(stateJson(after.state), stateJson(before.state, seqOf)))
    v.push('[flood] the state differs from the state without the flood (seqs mapped)');
  for (const g of after.diagnostics) {
    if (g.sample.length > 1000 || g.omitted !== g.count - g.sample.length)
      v.push(`[flood] group ${g.eventType?.slice(0, 40)}: sample ${g.sample.length}, omitted ${g.omitted} of ${g.count}`);
  }
  if (e1 === null) {
    if (after.diagnostics.length !== before.diagnostics.length + types.size)
      v.push(`[flood] ${after.diagnostics.length} diagnostic groups, expected ${before.diagnostics.length} + ${types.size}`);
    for (const [t, want] of types) {
      const g = after.diagnostics.find((x) => x.eventType === shownEventType(t));
      if (!g) v.push(`[flood] no diagnostic group for type ${t.slice(0, 40)}`);
      else if (g.count !== want.count || !isDeepStrictEqual(g.first, want.first) || !isDeepStrictEqual(g.last, want.last))
        v.push(
          `[flood] group ${t.slice(0, 40)}: ${g.count} events, first ${JSON.stringify(g.first)}, last ${JSON.stringify(g.last)}; expected ${want.count}, ${JSON.stringify(want.first)}, ${JSON.stringify(want.last)}`,
        );
    }
  }
  return v;
}

/**
 * An id renamed to a prototype name in every field that holds it is still an
 * id: a bundle that reduced cleanly still does, with as many objects in each
 * map, the new name an own key where the old one was, and maps whose
 * prototype is still Object.prototype.
 */
export async function checkProtoIds(m: ProtoIdsMutant, strict: boolean): Promise<string[]> {
  const v: string[] = [];
  const { base, victim, evil } = m.protoIds;
  const before = await reduceBundle(sourceFor(base, strict));
  if (before.error || !before.state) return v;
  const after = await reduceBundle(sourceFor(m.files, strict));
  // Thread ids that Codex parses as UUIDs (sub-agent threads) are refused when renamed, as the reference refuses them.
  if (after.error && /expected a UUID/.test(after.error.causes.join(' ') + after.error.message)) return v;
  if (after.error || !after.state)
    return [`[proto-ids] reduced cleanly before the rename, fails after: ${after.error?.message} ${after.error?.causes.join('; ').slice(0, 200)}`];
  for (const kind of OBJECT_KINDS) {
    const coll = COLLECTION_OF[kind];
    const b = before.state[coll] as Record<string, unknown>;
    const a = after.state[coll] as Record<string, unknown>;
    if (Object.getPrototypeOf(a) !== Object.prototype) v.push(`[proto-ids] ${coll} lost its prototype`);
    if (Object.keys(a).length !== Object.keys(b).length)
      v.push(`[proto-ids] ${coll}: ${Object.keys(a).length} objects, ${Object.keys(b).length} before the rename`);
    if (Object.hasOwn(b, victim) && !Object.hasOwn(a, evil)) v.push(`[proto-ids] ${coll}: ${evil} is not an own key where ${victim} was`);
  }
  return v;
}

/** A short family name for an error message: numbers, ids and quoted bits removed. */
export function errorFamily(e: TraceErrorInfo): string {
  const where = e.file === 'trace.jsonl' || e.file === 'manifest.json' ? e.file : e.file.startsWith('payloads/') ? 'payload' : 'other';
  const msg = e.message
    .replace(/line \d+/g, 'line N')
    .replace(/`[^`]*`/g, '`…`')
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27,}\b/gi, 'ID')
    .replace(/\b(event|seq|call|item|turn|thread|payload|session|operation|cell|request|compaction|edge) [\w:.-]*\d[\w:.-]*/gi, '$1 ID')
    .replace(/\d+/g, 'N');
  return `${where}: ${msg}`.slice(0, 110);
}

export { traceLines };
