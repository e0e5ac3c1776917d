/**
 * The broken copies of recorded bundles (test/fixtures/traces/broken/<case>/,
 * see ERRORS.md there): codex 0.169.0 refuses each one, and its stderr is in
 * expected-error.txt. Our reducer must refuse them too; when the official error
 * names a trace.jsonl line, ours must name the same line (and the seq written on
 * it, when that line parses); when it names a payload, ours must name it as well.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';

const ROOT = fileURLToPath(new URL('./fixtures/traces/broken/', import.meta.url));

interface Case {
  name: string;
  dir: string;
  error: string;
}

const cases: Case[] = fs.existsSync(ROOT)
  ? fs
      .readdirSync(ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, e.name, 'expected-error.txt')))
      .map((e) => ({ name: e.name, dir: path.join(ROOT, e.name), error: fs.readFileSync(path.join(ROOT, e.name, 'expected-error.txt'), 'utf8') }))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
  : [];

/** The trace.jsonl line an official error names (`parse trace event line N`, `... at line N`), if any. */
function officialLine(headline: string): number | null {
  const m = /(?:trace event line|at line) (\d+)$/.exec(headline);
  return m ? Number(m[1]) : null;
}

/** The seq written on a 1-based line of trace.jsonl, or null when the line does not parse. */
function seqOnLine(dir: string, line: number): number | null {
  const text = fs.readFileSync(path.join(dir, 'trace.jsonl'), 'utf8');
  const l = text.split('\n')[line - 1];
  try {
    const o = JSON.parse(l ?? '');
    return typeof o?.seq === 'number' ? o.seq : null;
  } catch {
    return null;
  }
}

describe('broken bundles', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s is refused like codex 0.169.0 refuses it', async (_name, c) => {
    const headline = (c.error.split('\n')[0] ?? '').replace(/^Error: /, '');
    const result = await reduceBundle(new DirectorySource(c.dir));
    expect(result.error, `official: ${headline}`).not.toBeNull();
    const err = result.error!;
    const line = officialLine(headline);
    if (line !== null) {
      expect(err.line, `official: ${headline}`).toBe(line);
      const seq = seqOnLine(c.dir, line);
      if (seq !== null) expect(err.seq, `official: ${headline}`).toBe(seq);
    }
    for (const id of new Set(headline.match(/raw_payload:\d+/g) ?? [])) {
      expect([err.file, err.message, ...err.causes].join('\n'), `official: ${headline}`).toContain(id);
    }
  });
});
