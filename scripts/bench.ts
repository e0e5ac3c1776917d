/**
 * `npm run bench`: reducer speed and memory in Node against the official
 * binary of each bundle's schema (0.164.0, 0.169.1, 0.171.0), measured in
 * the same run. Prints figures; asserts nothing.
 *
 *   npm run bench [-- <bundle-dir>...] [--runs N]
 *
 * Default bundles: the corpus long-session bundle of each schema, and
 * LONG_STEPS=1000 recordings in schemas 2 and 3 kept in
 * ~/.cache/codex-trace-viewer (recorded on first use with
 * ../shared/tools/record-traces when that folder is present).
 * Throughput is over the bytes the reducer reads: schema-3 shards count
 * decompressed, so that schemas compare.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median, runMeasured } from './lib/measure';
import { decodeShard } from '../src/trace/bundle/shards';
import { generationOf } from '../src/trace/schema/generations';

const CACHE = join(homedir(), '.cache/codex-trace-viewer');
const RECORDER = resolve('../shared/tools/record-traces');
/** The LONG_STEPS=1000 recordings: cache folder and the release that records it. */
const LARGE = [
  { dir: join(CACHE, 'long-1000'), release: '0.169.1' },
  { dir: join(CACHE, 'long-1000-s3'), release: '0.171.0' },
];

/** Gigabyte recordings: measured when present, never recorded here (each takes about ten minutes). */
const HUGE = ['giga-s2', 'giga-s3'].map((d) => join(CACHE, d, 'long-session'));

function args() {
  const a = process.argv.slice(2);
  let runs = 5;
  const bundles: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--runs') runs = Number(a[++i]);
    else bundles.push(resolve(a[i]));
  }
  return { runs, bundles };
}

/** Bytes on disk, and bytes the reducer reads (zstd shards decompressed). */
async function bundleBytes(dir: string): Promise<{ disk: number; read: number }> {
  let disk = 0;
  let read = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'state.json' || name === 'scenario.md') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      const sub = await bundleBytes(p);
      disk += sub.disk;
      read += sub.read;
    } else {
      disk += st.size;
      read += name.endsWith('.zst') ? (await decodeShard(readFileSync(p))).bytes.length : st.size;
    }
  }
  return { disk, read };
}

function schemaOf(dir: string): number {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).schema_version;
}

function ensureLargeBundle(large: { dir: string; release: string }): string | null {
  const bundle = join(large.dir, 'long-session');
  if (existsSync(join(bundle, 'trace.jsonl'))) return bundle;
  if (!existsSync(join(RECORDER, 'record.mjs'))) {
    console.log(`(no LONG_STEPS=1000 bundle at ${bundle} and no recorder at ${RECORDER}; skipping it)`);
    return null;
  }
  console.log(`recording a LONG_STEPS=1000 bundle with Codex ${large.release} into ${bundle} (takes several minutes, once)…`);
  mkdirSync(large.dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, LONG_STEPS: '1000' };
  const codex = launcherBin(large.release);
  const r = spawnSync('node', ['record.mjs', ...(codex ? ['--codex', codex] : ['--codex-version', large.release]), '--out', large.dir, 'long-session'], {
    cwd: RECORDER,
    env,
    stdio: 'inherit',
  });
  return r.status === 0 && existsSync(join(bundle, 'trace.jsonl')) ? bundle : null;
}

/**
 * The official reducer. We time its native executable, not the npm launcher
 * script in front of it, so that Node's start-up is not charged to it.
 */
function nativeBinary(prefix: string): string | null {
  const vendor = join(prefix, 'node_modules/@openai/codex-linux-x64/vendor');
  if (!existsSync(vendor)) return null;
  for (const triple of readdirSync(vendor)) {
    const bin = join(vendor, triple, 'bin/codex');
    if (existsSync(bin)) return bin;
  }
  return null;
}

/** Install folders where a release may already be: ours, and the shared oracle cache. */
const prefixesOf = (release: string) => [join(CACHE, `oracle-${release}`), join(homedir(), '.cache/codex-oracles', release)];

function launcherBin(release: string): string | null {
  for (const prefix of prefixesOf(release)) {
    const bin = join(prefix, 'node_modules/.bin/codex');
    if (existsSync(bin)) return bin;
  }
  return null;
}

/** The reference release's native binary for a schema, installed into the cache on first use (never a project dependency). */
function oracleBin(schema: number): string | null {
  const release = generationOf(schema)?.reference;
  if (!release) return null;
  for (const prefix of prefixesOf(release)) {
    const bin = nativeBinary(prefix);
    if (bin) return bin;
  }
  const prefix = prefixesOf(release)[0];
  console.log(`installing the official binary (@openai/codex@${release}) into ${prefix} for comparison…`);
  mkdirSync(prefix, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', `@openai/codex@${release}`], { stdio: 'inherit' });
  return r.status === 0 ? nativeBinary(prefix) : null;
}

const mb = (b: number) => b / 1e6;
const fmt = (x: number, d = 1) => x.toFixed(d);

async function main() {
  const { runs, bundles: given } = args();
  const bundles = given.length
    ? given
    : [
        resolve('test/fixtures/traces-schema1/long-session'),
        resolve('test/fixtures/traces/long-session'),
        resolve('test/fixtures/traces-schema3/long-session'),
        ...LARGE.map(ensureLargeBundle),
        // The gigabyte recordings (LONG_STEPS=2000 LONG_OUTPUT_KB=8 LONG_COMPACT_AT=250000), when recorded.
        ...HUGE.filter((b) => existsSync(join(b, 'trace.jsonl'))),
      ].filter((x): x is string => !!x);
  const oracleHome = join(CACHE, 'oracle-home');
  mkdirSync(oracleHome, { recursive: true });
  const rows: string[][] = [];
  for (const dir of bundles) {
    const schema = schemaOf(dir);
    const oracle = oracleBin(schema);
    const { disk, read: bytes } = await bundleBytes(dir);
    const events = readdirSync(dir).includes('trace.jsonl')
      ? spawnSync('wc', ['-l', join(dir, 'trace.jsonl')])
          .stdout.toString()
          .trim()
          .split(' ')[0]
      : '?';
    const ours: { wall: number; inproc: number; rss: number }[] = [];
    const official: { wall: number; rss: number }[] = [];
    // Ours and the official binary take turns, so that a busy machine slows both alike. A gigabyte bundle
    // costs the official binary up to a minute a run: three runs of it are enough for a median.
    const bundleRuns = disk > 512 * 2 ** 20 || HUGE.includes(dir) ? Math.min(runs, 3) : runs;
    for (let i = 0; i < bundleRuns; i++) {
      const r = await runMeasured(process.execPath, ['bin/codex-trace-viewer.mjs', 'reduce', dir, '-o', '/tmp/ctv-bench-state.json']);
      if (r.code !== 0) throw new Error(`our reducer failed on ${dir}: ${r.stderr}`);
      if (oracle) {
        const o = await runMeasured(oracle, ['debug', 'trace-reduce', dir, '-o', '/tmp/ctv-bench-official.json'], {
          ...process.env,
          CODEX_HOME: oracleHome,
          RUST_BACKTRACE: '0',
        });
        if (o.code !== 0) throw new Error(`official reducer failed on ${dir}: ${o.stderr}`);
        official.push({ wall: o.wallMs, rss: o.peakRssBytes ?? NaN });
      }
      const child = await runMeasured(process.execPath, ['--import', 'tsx', 'scripts/bench-reduce-child.ts', dir]);
      const j = JSON.parse(child.stdout) as { ms: number; maxRssBytes: number };
      ours.push({ wall: r.wallMs, inproc: j.ms, rss: r.peakRssBytes ?? j.maxRssBytes });
    }
    const same = oracle ? spawnSync('cmp', ['-s', '/tmp/ctv-bench-state.json', '/tmp/ctv-bench-official.json']).status === 0 : null;
    const inproc = median(ours.map((o) => o.inproc));
    const wall = median(ours.map((o) => o.wall));
    const rss = Math.max(...ours.map((o) => o.rss));
    const offWall = official.length ? median(official.map((o) => o.wall)) : NaN;
    const offRss = official.length ? Math.max(...official.map((o) => o.rss)) : NaN;
    rows.push([
      dir.replace(homedir(), '~'),
      String(schema),
      `${generationOf(schema)?.reference ?? '?'}`,
      fmt(mb(disk)),
      fmt(mb(bytes)),
      events,
      fmt(inproc, 0),
      fmt(wall, 0),
      fmt(mb(bytes) / (inproc / 1000)),
      fmt(mb(rss)),
      fmt(rss / bytes, 2),
      fmt(offWall, 0),
      fmt(mb(offRss)),
      fmt(offWall / wall, 2),
      fmt(offWall / inproc, 2),
      same === null ? 'n/a' : same ? 'yes' : 'NO',
    ]);
  }
  const head = [
    'bundle',
    'schema',
    'official',
    'MB on disk',
    'MB read',
    'events',
    'ours ms (reduce)',
    'ours ms (process)',
    'MB/s',
    'ours peak RSS MB',
    'RSS/MB read',
    'official ms',
    'official peak RSS MB',
    'speedup (process)',
    'speedup (reduce)',
    'identical',
  ];
  console.log(`\nreducer benchmark: median of ${runs} runs each, ours and the official binary in turn, Node ${process.version}`);
  console.log(
    'speedup: official ms / ours ms (process: whole command; reduce: in-process reduce and write); peak RSS: the most of any run; RSS/MB read: against the bytes the reducer reads (shards decompressed)',
  );
  printTable([head, ...rows]);
}

export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

await main();
