/**
 * Hostile bundles (CI-sized version of `npm run fuzz`): ~300 seeded mutants of
 * the corpus (dropped / duplicated / reordered events, wrong ids and types,
 * giant strings, deep nesting, invalid UTF-8, broken manifests, truncated
 * files...) reduced with both unknown-event modes. Every failure must be a
 * located TraceErrorInfo, never an exception or an "internal error", and a
 * partial state must exist whenever the manifest was readable.
 */
import { describe, expect, it } from 'vitest';
import { corpusBundles, makeCase } from '../scripts/fuzz-robustness';
import { checkError, runCase, sourceFor } from '../scripts/lib/robustness';
import { reduceBundle } from '../src/trace/reducer';
import { MemorySource, type FileBody } from '../src/trace/bundle/source';

const CASES = Number(process.env.ROBUSTNESS_CASES ?? 300);
const SEED = process.env.ROBUSTNESS_SEED ?? 'ci';

describe('hostile bundles', () => {
  it(`${CASES} seeded mutants reduce without a crash, hang or unlocated error`, async () => {
    const bundles = corpusBundles(null, 1024);
    expect(bundles.length).toBeGreaterThan(15);
    const problems: string[] = [];
    const kinds = new Set<string>();
    let errors = 0;
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(SEED, i, bundles);
      if (!c) continue;
      kinds.add(c.kind);
      const r = await runCase(c.mutant.files, i % 2 === 1);
      errors += r.results.filter((m) => m.error).length;
      for (const v of r.violations) problems.push(`case ${i} (${c.bundle}, ${c.kind}: ${c.mutant.description.slice(0, 100)}): ${v.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    // The mutants are hostile enough to fail often, and varied.
    expect(errors).toBeGreaterThan(CASES / 4);
    expect(kinds.size).toBeGreaterThan(20);
  }, 240_000);

  it('a 1 MB string of backslashes in an event is read (its time is in npm run bench:hostile)', async () => {
    const [b] = corpusBundles(['single-turn-answer'], 1024);
    const lines = b.files.trace!.split('\n');
    const ev = JSON.parse(lines[0]);
    ev.payload.trace_id = '\\'.repeat(1_000_000);
    lines[0] = JSON.stringify(ev);
    const r = await reduceBundle(sourceFor({ ...b.files, trace: lines.join('\n') }, false));
    expect(r.error).toBeNull();
    expect(r.state!.trace_id).toBe('\\'.repeat(1_000_000));
  });

  it('trace.jsonl that is not UTF-8 is reported at trace.jsonl with a partial state, not as an internal error', async () => {
    const [b] = corpusBundles(['single-turn-answer'], 1024);
    const bytes = Buffer.concat([Buffer.from(b.files.trace!.slice(0, 50)), Buffer.from([0xff]), Buffer.from(b.files.trace!.slice(50))]);
    const files = new Map(b.files.files);
    files.set('trace.jsonl', bytes);
    const r = await reduceBundle(sourceFor({ ...b.files, trace: null, files }, true));
    expect(r.error).toMatchObject({ file: 'trace.jsonl', message: 'read trace event log trace.jsonl' });
    expect(r.error!.causes.join()).toMatch(/UTF-8/);
    expect(checkError(r.error!, b.files)).toEqual([]);
    expect(r.state).not.toBeNull();
  });

  it('a payload reference with an empty path is reported at the event that carries it', async () => {
    const [b] = corpusBundles(['single-turn-answer'], 1024);
    const lines = b.files.trace!.split('\n');
    const i = lines.findIndex((l) => /"path":"payloads\//.test(l));
    lines[i] = lines[i].replace(/"path":"payloads\/[^"]*"/, '"path":""');
    const r = await reduceBundle(sourceFor({ ...b.files, trace: lines.join('\n') }, false));
    expect(r.error).toMatchObject({ file: 'trace.jsonl', line: i + 1, seq: i + 1 });
    expect(r.state).not.toBeNull();
  });

  it("an id spelled __proto__ stays in the reduced state instead of replacing the map's prototype", async () => {
    const [b] = corpusBundles(['tools-one-turn'], 1024);
    const id = /"(call_[A-Za-z0-9]+)"/.exec(b.files.trace!)![1];
    const sw = (t: string) => t.split(`"${id}"`).join('"__proto__"');
    const files = new Map([...b.files.files].map(([k, v]) => [k, sw(v.toString())] as [string, string]));
    const before = await reduceBundle(sourceFor(b.files, false));
    const r = await reduceBundle(sourceFor({ manifest: b.files.manifest, trace: sw(b.files.trace!), files }, false));
    expect(r.error).toBeNull();
    expect(Object.keys(r.state!.tool_calls).length).toBe(Object.keys(before.state!.tool_calls).length);
    expect(Object.prototype.hasOwnProperty.call(r.state!.tool_calls, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(r.state!.tool_calls)).toBe(Object.prototype);
  });

  it('a byte-order mark before the first event is seen by the browser reader as by the CLI (line 1 error)', async () => {
    const [b] = corpusBundles(['single-turn-answer'], 1024);
    const bytes = new TextEncoder().encode('\uFEFF' + b.files.trace!);
    const files = new Map<string, FileBody>([...b.files.files].map(([k, v]) => [k, new Uint8Array(v as Buffer)] as [string, FileBody]));
    files.set('manifest.json', b.files.manifest!);
    const asBytes = await reduceBundle(new MemorySource('bom', new Map([...files, ['trace.jsonl', bytes]])));
    const asBlob = await reduceBundle(new MemorySource('bom', new Map([...files, ['trace.jsonl', new Blob([bytes])]])));
    const asText = await reduceBundle(sourceFor({ ...b.files, trace: '\uFEFF' + b.files.trace! }, true));
    expect(asText.error).toMatchObject({ file: 'trace.jsonl', line: 1 });
    expect(asBytes.error).toEqual(asText.error);
    expect(asBlob.error).toEqual(asText.error);
  });
});
