import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

/**
 * Schema 2 as Codex 0.165.0 wrote it (no runtime kind), beyond the recorded
 * variants that test/conformance.test.ts covers: corpus bundles rewritten that
 * way, compared with what 0.165.0's own reducer made of them.
 */
const FIXTURES = join(__dirname, 'fixtures');

async function reduceDir(dir: string) {
  const result = await reduceBundle(new DirectorySource(dir));
  expect(result.error).toBeNull();
  return serializeState(result.state!);
}

describe('corpus bundles rewritten as 0.165.0 writes them match 0.165.0', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ctv-0165-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const root = join(FIXTURES, 'traces-0165-rewritten');
  for (const name of readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'state.json')))
    .sort()) {
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
