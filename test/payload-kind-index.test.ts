import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';

// Found by fuzz:oracle --schema 2 (seed r1, case 254); 0.164.0 and 0.171.0 refuse it the same way.
it('an integer payload kind tag is refused, as the reference reducers do (it is no serde variant index there)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctv-kind-'));
  try {
    const src = join(__dirname, 'fixtures/traces/tools-one-turn');
    cpSync(src, dir, { recursive: true });
    const lines = readFileSync(join(src, 'trace.jsonl'), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"inference_started"'));
    const ev = JSON.parse(lines[i]);
    ev.payload.request_payload.kind.type = 0;
    lines[i] = JSON.stringify(ev);
    writeFileSync(join(dir, 'trace.jsonl'), lines.join('\n'));
    const r = await reduceBundle(new DirectorySource(dir));
    expect(r.error?.message).toBe(`parse trace event line ${i + 1}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
