/**
 * `npm run bench:hostile`: how long the code paths that hostile input could
 * make quadratic take, at two sizes each, so that a regression shows as a
 * ratio far above 2. These used to be wall-clock asserts in unit tests; on a
 * shared machine they belong here (the tests keep asserting the results).
 *
 *   ANSI parse of escape-laden text    100k and 200k escape pairs
 *   reduce of an event with a long run of backslashes   0.5 MB and 1 MB
 *   request-window analysis            500 and 1,000 calls
 */
import { performance } from 'node:perf_hooks';
import { parseAnsi } from '../src/ui/ansi';
import { reduceBundle } from '../src/trace/reducer';
import { buildTraceIndexes } from '../src/trace/indexes';
import { RolloutTraceSchema } from '../src/trace/schema/state';
import { getWindowAnalysis } from '../src/trace/windows/analysis';
import { corpusBundles } from './fuzz-robustness';
import { sourceFor } from './lib/robustness';
import { makeManyCallsTrace } from '../test/windows/synthetic';

async function best(runs: number, f: () => unknown | Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function row(label: string, small: number, large: number) {
  console.log(`  ${label.padEnd(44)}  ${small.toFixed(1)} ms → ${large.toFixed(1)} ms (×${(large / small).toFixed(2)} for ×2 input)`);
}

async function main() {
  console.log('hostile input: time at n and 2n (best of 3); linear code stays near ×2');
  const ansi = (n: number) => '\u001b[31mx\u001b[0my'.repeat(n) + '\u001b['.repeat(n);
  parseAnsi(ansi(10_000)); // warm up
  const a1 = ansi(100_000);
  const a2 = ansi(200_000);
  row('ansi parse, 100k / 200k escape pairs', await best(3, () => parseAnsi(a1)), await best(3, () => parseAnsi(a2)));

  const [b] = corpusBundles(['single-turn-answer'], 1024);
  const withBackslashes = (n: number) => {
    const lines = b.files.trace!.split('\n');
    const ev = JSON.parse(lines[0]);
    ev.payload.trace_id = '\\'.repeat(n);
    lines[0] = JSON.stringify(ev);
    return lines.join('\n');
  };
  await reduceBundle(sourceFor({ ...b.files, trace: withBackslashes(100_000) }, false)); // warm up
  const t1 = withBackslashes(500_000);
  const t2 = withBackslashes(1_000_000);
  row(
    'reduce, 0.5 / 1 MB of backslashes in an event',
    await best(3, () => reduceBundle(sourceFor({ ...b.files, trace: t1 }, false))),
    await best(3, () => reduceBundle(sourceFor({ ...b.files, trace: t2 }, false))),
  );

  // The analysis is memoized per state object: each run gets a fresh copy, made before the clock starts.
  const analyse = (calls: number) => {
    const state = RolloutTraceSchema.parse(makeManyCallsTrace({ calls }));
    const idx = buildTraceIndexes(state);
    const copies = [0, 1, 2, 3].map(() => structuredClone(state));
    return () => getWindowAnalysis(copies.pop()!, idx);
  };
  analyse(200)(); // warm up
  row('request-window analysis, 500 / 1,000 calls', await best(4, analyse(500)), await best(4, analyse(1000)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
