import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

/** Schema 2 as Codex 0.165.0 wrote it: the reference is the newest schema-2 reducer, or 0.165.0's where that one refuses. */
const FIXTURES = join(__dirname, 'fixtures');

async function reduceDir(dir: string) {
  const result = await reduceBundle(new DirectorySource(dir));
  expect(result.error).toBeNull();
  return serializeState(result.state!);
}

describe('schema-2 bundles recorded by 0.165.0 and 0.166.0', () => {
  const root = join(FIXTURES, 'traces-variants');
  const names = readdirSync(root).filter((n) => /^0\.16[56]\./.test(n)).sort();
  it('has the recorded variants', () => expect(names.length).toBe(6));
  for (const name of names) {
    it(`${name} (${readFileSync(join(root, name, 'reducer.txt'), 'utf8').trim().split('state.json from ').pop()})`, async () => {
      expect(await reduceDir(join(root, name))).toBe(readFileSync(join(root, name, 'state.json'), 'utf8'));
    });
  }
});

describe('corpus bundles rewritten as 0.165.0 writes them match 0.165.0', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ctv-0165-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const root = join(FIXTURES, 'traces-0165-rewritten');
  for (const name of readdirSync(root).filter((n) => existsSync(join(root, n, 'state.json'))).sort()) {
    it(name, async () => {
      const src = join(FIXTURES, 'traces', name);
      const dir = join(tmp, name);
      cpSync(join(src, 'payloads'), join(dir, 'payloads'), { recursive: true });
      cpSync(join(src, 'manifest.json'), join(dir, 'manifest.json'));
      const events = readFileSync(join(src, 'trace.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.payload.type !== 'recording_completed');
      events.forEach((e, i) => {
        e.seq = i + 1;
        if (e.payload.type === 'tool_call_runtime_started') delete e.payload.kind;
      });
      writeFileSync(join(dir, 'trace.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      expect(await reduceDir(dir)).toBe(readFileSync(join(root, name, 'state.json'), 'utf8'));
    });
  }
});
