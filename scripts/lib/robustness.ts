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
import type { BundleFiles } from './bundle-files';
import { traceLines } from './bundle-files';

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
  if (e.seqText !== undefined && (typeof e.seqText !== 'string' || e.seq !== null)) v.push(`error seqText ${String(e.seqText)} is not text in place of a null seq`);
  if (/internal error/i.test(e.message)) v.push(`internal error: ${e.message}`);
  if (e.file === 'trace.jsonl') {
    if (e.line === null && !WHOLE_LOG.some((r) => r.test(e.message))) v.push(`trace.jsonl error without a line: ${e.message}`);
    if (e.line !== null && e.seq === null) {
      const text = lineText(b, e.line);
      if (text && /"seq"\s*:\s*\d+/.test(text) && e.seqText === undefined) v.push(`trace.jsonl error at line ${e.line} without the seq the line shows: ${e.message}`);
      if (text && e.seqText !== undefined && !text.includes(e.seqText)) v.push(`trace.jsonl error at line ${e.line} names seq ${e.seqText}, which the line does not show`);
    }
  }
  return v;
}

export const PER_BUNDLE_MS = 5_000;

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
