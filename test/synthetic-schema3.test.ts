/**
 * Hand-built schema-3 bundles (test/fixtures/synthetic-schema3/<case>/, made by
 * scripts/make-synthetic-schema3.ts) for rules the recordings do not exercise,
 * reduced and compared with what Codex 0.171.0 did: its state.json byte for
 * byte, or its error headline and first cause.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { expectSameText } from './same-text';

const ROOT = fileURLToPath(new URL('./fixtures/synthetic-schema3/', import.meta.url));
const read = (dir: string, f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null);
const cases = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => ({ name: e.name, dir: path.join(ROOT, e.name) }))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

describe('schema 3 synthetic bundles', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await reduceBundle(new DirectorySource(c.dir));
    const state = read(c.dir, 'state.json');
    if (state !== null) {
      expect(result.error).toBeNull();
      expectSameText(serializeState(result.state!), state);
      return;
    }
    const [first, ...rest] = read(c.dir, 'expected-error.txt')!.split('\n');
    const cause = rest.map((l) => l.trim()).find((l) => l !== '' && l !== 'Caused by:');
    expect(result.error).not.toBeNull();
    expect(result.error!.message).toBe(first.replace(/^Error: /, '').replace('<bundle>/', ''));
    if (cause) expect(result.error!.causes[0]).toBe(cause);
  });
});
