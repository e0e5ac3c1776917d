/**
 * The broken copies of a schema-3 bundle (test/fixtures/traces-schema3/broken/,
 * see ERRORS.md there): Codex 0.171.0 refuses each one (expected-error.txt).
 * We must refuse them too, with the same headline where the message is the
 * reducer's own (not for the manifest cases, whose wording is this viewer's),
 * the same cause for shard failures, the same trace.jsonl line (and its seq),
 * and the shard file and payload id the official error names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';

const ROOT = fileURLToPath(new URL('./fixtures/traces-schema3/broken/', import.meta.url));
/** Cases whose official message is about files this viewer explains in its own words. */
const OWN_WORDING = new Set(['missing-manifest', 'unknown-schema-version', 'unknown-event-type']);

const cases = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, e.name, 'expected-error.txt')))
  .map((e) => ({ name: e.name, dir: path.join(ROOT, e.name), error: fs.readFileSync(path.join(ROOT, e.name, 'expected-error.txt'), 'utf8') }))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

function seqOnLine(dir: string, line: number): number | null {
  const l = fs.readFileSync(path.join(dir, 'trace.jsonl'), 'utf8').split('\n')[line - 1];
  try {
    const o = JSON.parse(l ?? '');
    return typeof o?.seq === 'number' ? o.seq : null;
  } catch {
    return null;
  }
}

describe('schema 3 broken bundles', () => {
  it('has the recorded cases, shard failures included', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['corrupt-shard', 'missing-shard', 'truncated-shard', 'missing-payload-record']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s is refused like codex 0.171.0 refuses it', async (name, c) => {
    const [first, ...rest] = c.error.split('\n');
    const headline = first.replace(/^Error: /, '');
    const cause = rest.map((l) => l.trim()).find((l) => l !== '' && l !== 'Caused by:') ?? null;
    const result = await reduceBundle(new DirectorySource(c.dir));
    expect(result.error, `official: ${headline}`).not.toBeNull();
    const err = result.error!;
    if (!OWN_WORDING.has(name)) expect(err.message).toBe(headline.replace('<bundle>/', ''));
    if (cause !== null && !OWN_WORDING.has(name)) expect(err.causes[0]).toBe(cause);
    const line = /(?:trace event line|at line) (\d+)/.exec(headline);
    if (line) {
      expect(err.file).toBe('trace.jsonl');
      expect(err.line).toBe(Number(line[1]));
      const seq = seqOnLine(c.dir, Number(line[1]));
      if (seq !== null) expect(err.seq).toBe(seq);
    }
    const shard =
      /<bundle>\/(payloads\/\d+\.zst)/.exec(headline) ??
      (/in shard (\d+)/.exec(headline) && [null, `payloads/${/in shard (\d+)/.exec(headline)![1].padStart(6, '0')}.zst`]);
    if (shard) expect(err.file).toBe(shard[1]);
    for (const id of new Set(headline.match(/raw_payload:\d+/g) ?? [])) expect([err.message, ...err.causes].join('\n')).toContain(id);
  });
});
