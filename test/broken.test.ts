/**
 * The broken copies of recorded bundles (test/fixtures/<corpus>/broken/<case>/,
 * see ERRORS.md there), each with the verdict of its generation's reducer
 * (0.169.0 for traces, 0.164.0 for traces-schema1). Where it refused the case,
 * its stderr is in expected-error.txt; our reducer must refuse it too; when the
 * official error names a trace.jsonl line, ours must name the same line (and the
 * seq written on it, when that line parses); when it names a payload, ours must
 * name it as well. Where it accepted the case, its output is state.json beside
 * it, and ours must equal it byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

const CORPORA = ['traces', 'traces-schema1'];

interface Case {
  name: string;
  dir: string;
  /** The official stderr, or null when the official reducer accepted the case. */
  error: string | null;
}

const cases: Case[] = CORPORA.flatMap((corpus) => {
  const root = fileURLToPath(new URL(`./fixtures/${corpus}/broken/`, import.meta.url));
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'expected-error.txt')))
    .map((e) => {
      const dir = path.join(root, e.name);
      const accepted = fs.existsSync(path.join(dir, 'state.json'));
      return { name: `${corpus}/${e.name}`, dir, error: accepted ? null : fs.readFileSync(path.join(dir, 'expected-error.txt'), 'utf8') };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
});

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

  const refused = cases.filter((c) => c.error !== null);
  const accepted = cases.filter((c) => c.error === null);

  it.each(accepted.map((c) => [c.name, c] as const))('%s is accepted like its official reducer accepts it', async (_name, c) => {
    const result = await reduceBundle(new DirectorySource(c.dir));
    expect(result.error).toBeNull();
    expect(serializeState(result.state!)).toBe(fs.readFileSync(path.join(c.dir, 'state.json'), 'utf8'));
  });

  it.each(refused.map((c) => [c.name, c] as const))('%s is refused like its official reducer refuses it', async (_name, c) => {
    const headline = (c.error!.split('\n')[0] ?? '').replace(/^Error: /, '');
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
