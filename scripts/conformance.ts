/** Reduce every corpus bundle and compare with its official state.json (developer aid; the test suite does the same). */
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { DirectorySource } from '../src/cli/directory-source';

const root = process.argv[2] ?? 'test/fixtures/traces';
const dirs: string[] = [];
for (const d of readdirSync(root)) {
  const p = join(root, d);
  if (existsSync(join(p, 'state.json'))) dirs.push(p);
  for (const sub of ['bundle-2', 'bundle-3']) if (existsSync(join(p, sub, 'state.json'))) dirs.push(join(p, sub));
}
let ok = 0;
for (const d of dirs) {
  const t0 = performance.now();
  const res = await reduceBundle(new DirectorySource(d));
  const ms = performance.now() - t0;
  const want = readFileSync(join(d, 'state.json'), 'utf8');
  const got = res.state ? serializeState(res.state) : '';
  if (res.error) console.log(`ERR  ${d}: ${JSON.stringify(res.error)}`);
  if (got === want) {
    ok++;
    console.log(`ok   ${d} (${ms.toFixed(0)} ms)`);
  } else {
    const a = got.split('\n');
    const b = want.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    console.log(`DIFF ${d} at line ${i + 1}:\n   ours: ${a[i]}\n  theirs: ${b[i]}`);
    writeFileSync(`/tmp/ours-${d.replace(/\W+/g, '_')}.json`, got);
  }
}
console.log(`${ok}/${dirs.length} identical`);
