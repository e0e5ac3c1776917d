/**
 * Finds which trace.jsonl line an oracle error belongs to: the smallest prefix
 * of trace.jsonl that fails with the same headline (the binary stops at the
 * first bad event, so failures are monotone in the prefix length).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runOracle } from '../oracle';
import { type BundleFiles, traceLines, writeBundleDir } from './bundle-files';

export type ErrorAbout = 'manifest' | 'payload' | 'trace-line';

export interface ErrorLocation {
  /** What the official error is about. */
  about: ErrorAbout;
  /** 1-based trace.jsonl line of the event being applied when it failed, or null. */
  line: number | null;
  /** The `seq` written on that line, or null when the line has none / does not parse. */
  seq: number | null;
  /** The official headline (first stderr line, without `Error: `). */
  headline: string;
}

export function headlineOf(stderr: string): string {
  const first = stderr.split('\n')[0] ?? '';
  return first.replace(/^Error: /, '');
}

export function classifyError(headline: string): ErrorAbout {
  if (/^trace schema \d+ /.test(headline) || /manifest/.test(headline) || /^No such file or directory/.test(headline)) return 'manifest';
  // Reading / parsing a payload file; errors about a payload's content (e.g. `unsupported model item type T in payload P`)
  // are errors of the event that uses it.
  if (/^(open|read|parse|invalid) payload raw_payload:\d+$/.test(headline)) return 'payload';
  return 'trace-line';
}

function seqOf(line: string): number | null {
  try {
    const o = JSON.parse(line);
    return typeof o?.seq === 'number' ? o.seq : null;
  } catch {
    return null;
  }
}

export async function locateOracleError(files: BundleFiles, stderr: string): Promise<ErrorLocation> {
  const headline = headlineOf(stderr);
  const about = classifyError(headline);
  if (about === 'manifest' || files.trace === null || files.manifest === null) return { about, line: null, seq: null, headline };
  const lines = traceLines(files.trace);
  const endsWithNewline = files.trace.endsWith('\n');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctv-locate-'));
  const cache = new Map<number, boolean>();
  const failsSame = async (k: number): Promise<boolean> => {
    if (cache.has(k)) return cache.get(k)!;
    const dir = path.join(tmp, `p${k}`);
    const text = lines.slice(0, k).join('\n') + (k < lines.length || endsWithNewline ? '\n' : '');
    writeBundleDir(dir, { ...files, trace: k === 0 ? '' : text });
    const r = await runOracle(dir);
    const same = !r.ok && headlineOf(r.stderr) === headline;
    fs.rmSync(dir, { recursive: true, force: true });
    cache.set(k, same);
    return same;
  };
  try {
    if (await failsSame(0)) return { about, line: null, seq: null, headline };
    let lo = 1;
    let hi = lines.length;
    if (!(await failsSame(hi))) return { about, line: null, seq: null, headline };
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (await failsSame(mid)) hi = mid;
      else lo = mid + 1;
    }
    return { about, line: lo, seq: seqOf(lines[lo - 1]), headline };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
