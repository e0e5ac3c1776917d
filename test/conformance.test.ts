import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { expectSameText } from './same-text';

/**
 * Every real bundle of a corpus with the official state.json beside it:
 * traces (schema 2, 0.169.0), traces-schema1 (0.164.0), traces-schema3, and
 * traces-variants (other releases; reducer.txt names the reference).
 */
const CORPORA = ['traces', 'traces-schema1', 'traces-schema3', 'traces-variants'];

function corpusBundles(corpus: string): string[] {
  const root = join(__dirname, 'fixtures', corpus);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, 'state.json'))) out.push(dir);
    for (const sub of readdirSync(dir).sort()) {
      if (sub.startsWith('bundle-') && existsSync(join(dir, sub, 'state.json'))) out.push(join(dir, sub));
    }
  }
  return out;
}

describe.each(CORPORA)('%s: reduce matches the official state.json byte for byte', (corpus) => {
  const bundles = corpusBundles(corpus);
  it('covers the whole corpus, nested resume bundles included', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(corpus === 'traces-variants' ? 10 : 20);
    if (corpus !== 'traces-variants') expect(bundles.some((b) => b.endsWith('multi-turn-resume/bundle-3'))).toBe(true);
  });
  for (const dir of bundles) {
    const name = dir.split(`fixtures/${corpus}/`)[1];
    it(name, async () => {
      const result = await reduceBundle(new DirectorySource(dir));
      expect(result.error).toBeNull();
      expectSameText(serializeState(result.state!), readFileSync(join(dir, 'state.json'), 'utf8'));
    });
  }
});
