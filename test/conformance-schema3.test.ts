/** Every schema-3 bundle recorded with Codex 0.171.0 must reduce to the state.json its reducer wrote, byte for byte. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { expectSameText } from './same-text';

function corpusBundles(): string[] {
  const root = join(__dirname, 'fixtures/traces-schema3');
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

describe('schema 3: reduce matches 0.171.0 state.json byte for byte', () => {
  const bundles = corpusBundles();
  it('covers the whole corpus, nested resume bundles included', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(20);
    expect(bundles.some((b) => b.endsWith('multi-turn-resume/bundle-3'))).toBe(true);
  });
  for (const dir of bundles) {
    it(dir.split('fixtures/traces-schema3/')[1], async () => {
      const result = await reduceBundle(new DirectorySource(dir));
      expect(result.error).toBeNull();
      expectSameText(serializeState(result.state!), readFileSync(join(dir, 'state.json'), 'utf8'));
    });
  }
});
