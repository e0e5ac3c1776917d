import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrivingSource } from '../src/trace/bundle/arriving';
import { MemorySource } from '../src/trace/bundle/source';
import { singleBundleFiles } from '../src/trace/bundle/scan';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { TRACES, folderInputs } from './loader-helpers';

/** A small seeded generator, so that a failing order can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function bundle(name: string) {
  const dir = path.join(TRACES, name);
  return singleBundleFiles(folderInputs(name))!.map((f) => ({ path: f.path, data: new Uint8Array(readFileSync(path.join(dir, f.path))) }));
}

/** Reduces `name` with its files delivered in a shuffled order, some after a pause. */
async function reduceArriving(name: string, seed: number) {
  const files = bundle(name);
  const next = rng(seed);
  const order = files.map((f) => ({ f, k: next() })).sort((a, b) => a.k - b.k);
  const source = new ArrivingSource(
    name,
    files.map((f) => f.path),
  );
  const running = reduceBundle(source, { unknownEvents: 'skip' });
  for (const { f } of order) {
    if (next() < 0.3) await new Promise((r) => setTimeout(r, 0));
    source.deliver(f.path, f.data);
  }
  return running;
}

describe('a bundle whose files arrive while it is reduced', () => {
  for (const name of ['multi-agent', 'code-mode', 'compaction-remote']) {
    it(`${name}: in any arrival order, the official state.json`, async () => {
      const official = readFileSync(path.join(TRACES, name, 'state.json'), 'utf8');
      for (let seed = 1; seed <= 4; seed++) {
        const r = await reduceArriving(name, seed);
        expect(r.error).toBeNull();
        expect(serializeState(r.state!)).toBe(official);
      }
    });
  }

  it('a truncated trace: the same error and partial state as when all files are there', async () => {
    const name = 'broken/truncated-mid-file';
    const whole = await reduceBundle(new MemorySource(name, new Map(bundle(name).map((f) => [f.path, f.data]))), { unknownEvents: 'skip' });
    expect(whole.error?.line).toBe(10);
    for (let seed = 1; seed <= 3; seed++) {
      const r = await reduceArriving(name, seed);
      expect(r.error).toEqual(whole.error);
      expect(serializeState(r.state!)).toBe(serializeState(whole.state!));
    }
  });

  it('a file the page could not read fails the reads of that file only, naming it', async () => {
    const files = bundle('single-turn-answer');
    const source = new ArrivingSource(
      's',
      files.map((f) => f.path),
    );
    const [victim] = files.filter((f) => f.path.startsWith('payloads/'));
    for (const f of files) source.deliver(f.path, f === victim ? new Error('NotReadableError') : f.data);
    const r = await reduceBundle(source, { unknownEvents: 'skip' });
    expect(r.error?.file).toBe(victim.path);
    expect((await source.complete()).fileMap().has(victim.path)).toBe(false);
    expect(await source.readText('trace.jsonl')).toBe(readFileSync(path.join(TRACES, 'single-turn-answer/trace.jsonl'), 'utf8'));
    expect(await source.readText('not/announced.json')).toBeNull();
  });
});
