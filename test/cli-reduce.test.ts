/** `reduce` on the command line: a file it cannot write is one line and exit 1, never a stack trace (issue 14, item 10). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runReduce } from '../src/cli/reduce';

const BUNDLE = path.join(__dirname, 'fixtures/traces-schema3/single-turn-answer');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ctv-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(output: string, partial = false): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  try {
    return { code: await runReduce({ bundle: BUNDLE, output, partial, skipUnknown: false }), err: err.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('reduce -o', () => {
  it('-o naming a directory: one line that says so, exit 1', async () => {
    const { code, err } = await run(scratch);
    expect(code).toBe(1);
    expect(err).toBe(`error: cannot write ${scratch}: it is a directory\n`);
  });

  it('-o in a folder that does not exist: one line, exit 1', async () => {
    const out = path.join(scratch, 'nope', 'state.json');
    const { code, err } = await run(out);
    expect(code).toBe(1);
    expect(err).toBe(`error: cannot write ${out}: its folder does not exist\n`);
  });
});
