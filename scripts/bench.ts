/**
 * `npm run bench`: reducer speed and memory in Node against the official
 * binary, measured in the same run. Prints figures; asserts nothing.
 *
 *   npm run bench [-- <bundle-dir>...] [--runs N]
 *
 * Default bundles: the corpus long-session bundle and a LONG_STEPS=1000
 * recording kept in ~/.cache/codex-trace-viewer (recorded on first use with
 * ../shared/tools/record-traces when that folder is present).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { median, runMeasured } from './lib/measure';

const CACHE = join(homedir(), '.cache/codex-trace-viewer');
const LARGE = join(CACHE, 'long-1000/long-session');
const RECORDER = resolve('../shared/tools/record-traces');

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

function bundleBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'state.json') continue;
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? bundleBytes(p) : st.size;
  }
  return total;
}

function ensureLargeBundle(): string | null {
  if (existsSync(join(LARGE, 'trace.jsonl'))) return LARGE;
  if (!existsSync(join(RECORDER, 'record.mjs'))) {
    console.log(`(no LONG_STEPS=1000 bundle at ${LARGE} and no recorder at ${RECORDER}; skipping it)`);
    return null;
  }
  console.log(`recording a LONG_STEPS=1000 bundle into ${LARGE} (takes several minutes, once)…`);
  mkdirSync(join(CACHE, 'long-1000'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, LONG_STEPS: '1000' };
  const oracle = oracleBin();
  if (oracle) env.CODEX_BIN = oracle;
  const r = spawnSync('node', ['record.mjs', '--out', join(CACHE, 'long-1000'), 'long-session'], { cwd: RECORDER, env, stdio: 'inherit' });
  return r.status === 0 && existsSync(join(LARGE, 'trace.jsonl')) ? LARGE : null;
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

function oracleBin(): string | null {
  if (process.env.CODEX_ORACLE_BIN && existsSync(process.env.CODEX_ORACLE_BIN)) return process.env.CODEX_ORACLE_BIN;
  for (const prefix of [join(CACHE, 'oracle'), join(homedir(), '.cache/codex-oracle')]) {
    const bin = nativeBinary(prefix);
    if (bin) return bin;
  }
  const prefix = join(CACHE, 'oracle');
  console.log(`installing the official binary (@openai/codex@0.169.0) into ${prefix} for comparison…`);
  mkdirSync(prefix, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '@openai/codex@0.169.0'], { stdio: 'inherit' });
  return r.status === 0 ? nativeBinary(prefix) : null;
}

const mb = (b: number) => b / 1e6;
const fmt = (x: number, d = 1) => x.toFixed(d);

async function main() {
  const { runs, bundles: given } = args();
  const bundles = given.length ? given : [resolve('test/fixtures/traces/long-session'), ensureLargeBundle()].filter((x): x is string => !!x);
  const oracle = oracleBin();
  const oracleHome = join(CACHE, 'oracle-home');
  mkdirSync(oracleHome, { recursive: true });
  const rows: string[][] = [];
  for (const dir of bundles) {
    const bytes = bundleBytes(dir);
    const events = readdirSync(dir).includes('trace.jsonl') ? spawnSync('wc', ['-l', join(dir, 'trace.jsonl')]).stdout.toString().trim().split(' ')[0] : '?';
    const ours: { wall: number; inproc: number; rss: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runMeasured(process.execPath, ['bin/codex-trace-viewer.mjs', 'reduce', dir, '-o', '/tmp/ctv-bench-state.json']);
      if (r.code !== 0) throw new Error(`our reducer failed on ${dir}: ${r.stderr}`);
      const child = await runMeasured(process.execPath, ['--import', 'tsx', 'scripts/bench-reduce-child.ts', dir]);
      const j = JSON.parse(child.stdout) as { ms: number; maxRssBytes: number };
      ours.push({ wall: r.wallMs, inproc: j.ms, rss: r.peakRssBytes ?? j.maxRssBytes });
    }
    const official: { wall: number; rss: number }[] = [];
    if (oracle) {
      for (let i = 0; i < runs; i++) {
        const r = await runMeasured(oracle, ['debug', 'trace-reduce', dir, '-o', '/tmp/ctv-bench-official.json'], {
          ...process.env,
          CODEX_HOME: oracleHome,
          RUST_BACKTRACE: '0',
        });
        if (r.code !== 0) throw new Error(`official reducer failed on ${dir}: ${r.stderr}`);
        official.push({ wall: r.wallMs, rss: r.peakRssBytes ?? NaN });
      }
    }
    const same = oracle ? spawnSync('cmp', ['-s', '/tmp/ctv-bench-state.json', '/tmp/ctv-bench-official.json']).status === 0 : null;
    const inproc = median(ours.map((o) => o.inproc));
    const wall = median(ours.map((o) => o.wall));
    const rss = Math.max(...ours.map((o) => o.rss));
    const offWall = official.length ? median(official.map((o) => o.wall)) : NaN;
    const offRss = official.length ? Math.max(...official.map((o) => o.rss)) : NaN;
    rows.push([
      dir.replace(homedir(), '~'),
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
    'MB',
    'events',
    'ours ms (reduce)',
    'ours ms (process)',
    'MB/s',
    'ours peak RSS MB',
    'RSS/bundle',
    'official ms',
    'official peak RSS MB',
    'speedup (process)',
    'speedup (reduce)',
    'identical',
  ];
  console.log(`\nreducer benchmark: median of ${runs} runs each, Node ${process.version}`);
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
