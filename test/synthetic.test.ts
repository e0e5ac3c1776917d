/**
 * Hand-built schema-2 bundles (test/fixtures/synthetic/<case>/, made by
 * scripts/make-synthetic.ts) and edited schema-1 bundles
 * (test/fixtures/synthetic-schema1/<case>/, scripts/make-synthetic-schema1.ts)
 * reduced by our reducer and compared with what the official reducer of their
 * generation (codex 0.169.0 / 0.164.0 `debug trace-reduce`) did with them:
 *   - state.json present: we must succeed and write exactly those bytes;
 *   - expected-error.txt present: we must fail too, and when the official error
 *     is about a trace.jsonl event (error-location.json, found by reducing
 *     prefixes of trace.jsonl with the official binary) our error must name that
 *     line and its seq; when it is about a payload, our error must name the payload.
 * Each case's case.md says what it exercises; FINDINGS.md summarizes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

const ROOTS = ['synthetic', 'synthetic-schema1'].map((d) => fileURLToPath(new URL(`./fixtures/${d}/`, import.meta.url)));

interface ErrorLocation {
  about: 'manifest' | 'payload' | 'trace-line';
  line: number | null;
  seq: number | null;
  headline: string;
}

interface Case {
  name: string;
  dir: string;
  state: string | null;
  error: string | null;
  location: ErrorLocation | null;
}

function loadCases(): Case[] {
  return ROOTS.filter((root) => fs.existsSync(root)).flatMap((root) => casesIn(root, path.basename(root) === 'synthetic' ? '' : `${path.basename(root)}/`));
}

function casesIn(root: string, prefix: string): Case[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const dir = path.join(root, e.name);
      const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null);
      const loc = read('error-location.json');
      return {
        name: prefix + e.name,
        dir,
        state: read('state.json'),
        error: read('expected-error.txt'),
        location: loc ? (JSON.parse(loc) as ErrorLocation) : null,
      };
    })
    .filter((c) => c.state !== null || c.error !== null)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

const cases = loadCases();
const okCases = cases.filter((c) => c.state !== null);
const errorCases = cases.filter((c) => c.state === null);

/** The raw payload ids an error text names. */
const payloadIds = (text: string) => [...new Set(text.match(/raw_payload:\d+/g) ?? [])];

describe('synthetic bundles', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  describe('reduce exactly like the official reducer', () => {
    it.each(okCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const result = await reduceBundle(new DirectorySource(c.dir));
      expect(result.error, result.error ? `${result.error.message}\n${result.error.causes.join('\n')}` : '').toBeNull();
      expect(result.state).not.toBeNull();
      expect(serializeState(result.state!)).toBe(c.state);
    });
  });

  describe('fail where the official reducer fails', () => {
    it.each(errorCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const result = await reduceBundle(new DirectorySource(c.dir));
      expect(result.error, `official: ${c.error!.split('\n')[0]}`).not.toBeNull();
      const err = result.error!;
      const loc = c.location;
      if (loc?.about === 'trace-line' && loc.line !== null) {
        expect({ line: err.line, ...(loc.seq !== null ? { seq: err.seq } : {}) }, `official: ${loc.headline}`).toEqual({
          line: loc.line,
          ...(loc.seq !== null ? { seq: loc.seq } : {}),
        });
      }
      if (loc?.about === 'payload') {
        const ours = [err.file, err.message, ...err.causes].join('\n');
        for (const id of payloadIds(loc.headline)) expect(ours, `official: ${loc.headline}`).toContain(id);
      }
    });
  });
});
