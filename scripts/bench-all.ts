/**
 * `npm run bench`: every benchmark, then one summary table of every figure.
 *
 *   npm run bench [-- <args for the reducer benchmark>]
 *
 * Runs, in order and when the script exists: the reducer in Node against the
 * official binary (scripts/bench.ts, `npm run bench:reducer`), the browser load
 * (scripts/bench-browser.ts), the timeline frames (scripts/bench-timeline.ts)
 * the browser memory (scripts/bench-memory.ts), the live latency on a
 * served root (scripts/bench-live.ts), the hostile-input scaling
 * (scripts/bench-hostile.ts) and the session list and search of
 * 1,000-bundle roots (scripts/bench-sessions.ts), and gigabyte bundles
 * served to the browser (scripts/bench-huge.ts). Each one's own output is
 * shown as it runs; the figures are then read back from that output (and from
 * bench-memory's JSON) into one table: reducer MB/s and ratio against the
 * official binary, load times, frame times, heap. A benchmark that fails or
 * prints nothing recognisable is listed as such; the others still run.
 * BENCH_ONLY=reducer,browser,timeline,memory,hostile,sessions,live,huge runs a subset.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Step {
  key: string;
  script: string;
  args: string[];
  env?: Record<string, string>;
}

type Row = [area: string, subject: string, figure: string, value: string];

function run(step: Step): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, step.script), ...step.args], {
      cwd: ROOT,
      env: { ...process.env, ...step.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** The LONG_STEPS recordings (tens of megabytes and up), whose targets differ from a small trace's. */
const isLarge = (subject: string) => /1000|giga|\d{2,}(\.\d)? MiB|\.tar\.gz/.test(subject);

/** The goal a figure is measured against (issues 18 and 19), or — where there is none. */
function targetOf(area: string, subject: string, figure: string): string {
  const large = isLarge(subject);
  if (area === 'reducer (Node)') {
    if (figure.startsWith('vs official')) return large ? '≥ 3×' : '—';
    if (figure === 'peak RSS') return large ? '< 1.5× the payload bytes' : '—';
    if (figure === 'state.json identical') return 'yes';
    return '—';
  }
  if (area === 'browser load') {
    if (!/fully interactive/.test(figure)) return '—';
    if (large) return '< 2 s';
    if (figure.startsWith('served')) return '< 500 ms';
    return subject.includes('schema3') ? '< 250 ms' : '< 400 ms';
  }
  if (area === 'huge bundle') {
    if (figure === '→ interactive') return /first open|dropped/.test(subject) ? '< 15 s' : '—';
    if (figure === 'renderer resident memory') return '< 1 GB';
    if (figure === '→ first progress shown') return '< 50 ms';
    if (figure.startsWith('timeline')) return 'p95 ≤ 16 ms';
    if (figure.startsWith('call selected')) return '< 100 ms';
    if (figure.startsWith('search')) return '< 1 s';
  }
  if (area === 'sessions (serve)') {
    if (figure === 'serve → list complete' || figure === 'serve → list complete on the page') return '< 10 s';
    if (figure === 'serve → first rows' || figure === 'serve → first rows on the page' || figure === 'drop → first rows') return 'at once';
    if (figure.startsWith('search')) return '< 1 s';
  }
  if (area === 'live (served root)' && figure.startsWith('live latency')) return '< 1 s';
  if (area === 'timeline' && figure === 'frame interval') return 'p95 ≤ 16 ms';
  return '—';
}

/** The reducer table of scripts/bench.ts: header row, dashes, rows. */
function reducerRows(out: string): Row[] {
  const lines = out.split('\n');
  const dash = lines.findIndex((l) => /^-+(\s+-+)+\s*$/.test(l));
  if (dash < 1) return [];
  const head = lines[dash - 1].split(/\s{2,}/).map((s) => s.trim());
  const rows: Row[] = [];
  for (const l of lines.slice(dash + 1)) {
    if (!l.trim()) break;
    const cells = l.split(/\s{2,}/).map((s) => s.trim());
    const get = (name: string) => cells[head.indexOf(name)] ?? '';
    const b = get('bundle');
    rows.push(['reducer (Node)', b, 'throughput', `${get('MB/s')} MB/s`]);
    rows.push(['reducer (Node)', b, 'vs official binary (process)', `${get('speedup (process)')}`]);
    rows.push(['reducer (Node)', b, 'vs official binary (reduce)', `${get('speedup (reduce)')}`]);
    rows.push([
      'reducer (Node)',
      b,
      'peak RSS',
      `${get('ours peak RSS MB')} MB, ${get('RSS/MB read')}× the MB read (official ${get('official peak RSS MB')} MB)`,
    ]);
    rows.push(['reducer (Node)', b, 'state.json identical', get('identical')]);
  }
  return rows;
}

/** "label   figures" lines under "<bundle>  (N MiB, ...)" headings (scripts/bench-browser.ts). */
function browserRows(out: string): Row[] {
  const rows: Row[] = [];
  let subject = '';
  let served = false;
  for (const l of out.split('\n')) {
    const h = /^(\S.*?)\s{2}\((\d[\d.]* MiB)/.exec(l);
    if (h) {
      // The folder above too: the LONG_STEPS recordings of both schemas are all `long-session`.
      subject = `${path.basename(path.dirname(h[1]))}/${path.basename(h[1])} (${h[2]})`;
      served = false;
      continue;
    }
    if (/^\s+served \(/.test(l)) served = true;
    const m = /^\s+((?:drop |first open: |later opens: )?→ [^\s].*?|longest main-thread task)\s{2,}(.+)$/.exec(l);
    if (m && subject) rows.push(['browser load', subject, `${served ? 'served: navigation ' : ''}${m[1].trim()}`, m[2].trim()]);
  }
  return rows;
}

/** Frame and draw figures of scripts/bench-timeline.ts. */
function timelineRows(out: string): Row[] {
  const rows: Row[] = [];
  let subject = 'timeline';
  for (const l of out.split('\n')) {
    const m = /^\s+(model build|row layout ×2|cull all lanes|hit test|frame interval|canvas draw|long tasks|load into store \(indexes\))\s+(.+)$/.exec(l);
    if (m) rows.push(['timeline', subject, m[1], m[2].trim()]);
    else if (/^ {2}\S/.test(l) && !/:\s*$/.test(l) && l.trim().length < 80) subject = l.trim();
  }
  return rows;
}

/** "  live latency append → visible    median …" under "<bundle>  (N MiB, …)" (scripts/bench-live.ts). */
function liveRows(out: string): Row[] {
  const rows: Row[] = [];
  let subject = '';
  for (const l of out.split('\n')) {
    const h = /^(\S.*?)\s{2}\((\d[\d.]* MiB)/.exec(l);
    if (h) subject = `${h[1]} (${h[2]})`;
    const m = /^\s+(live latency append → visible|page thread per update shown)\s{2,}(.+)$/.exec(l);
    if (m && subject) rows.push(['live (served root)', subject, m[1], m[2].trim()]);
  }
  return rows;
}

/** "    → interactive   8.6 s" (and the panels' figures) under "<bundle>  (N MiB, served)" and "  first open…" (scripts/bench-huge.ts). */
function hugeRows(out: string): Row[] {
  const rows: Row[] = [];
  let subject = '';
  let run = '';
  for (const l of out.split('\n')) {
    const h = /^(\S.*?)\s{2}\((\d+ MiB), served\)/.exec(l);
    if (h) subject = `${h[1]} (${h[2]})`;
    const r = /^ {2}(\S.*)$/.exec(l);
    if (r) run = r[1];
    const m =
      /^ {4}(→ first progress shown|→ interactive|renderer resident memory|timeline zoom and pan frames|call selected → window listed|search ".*?" → hits)\s{2,}(.+)$/.exec(
        l,
      );
    if (m && subject) rows.push(['huge bundle', `${subject}, ${run}`, m[1], m[2].trim()]);
  }
  return rows;
}

const LARGE = path.join(os.homedir(), '.cache/codex-trace-viewer/long-1000/long-session');
/** The same session recorded by 0.171.0 (schema 3), which scripts/bench.ts records beside it. */
const LARGE_S3 = path.join(os.homedir(), '.cache/codex-trace-viewer/long-1000-s3/long-session');
const LARGE_TGZ = path.join(os.homedir(), '.cache/codex-trace-viewer/long-1000.tar.gz');

/**
 * The input forms issue 18 times the 66 MB bundle in: its folder (served and
 * dropped), the schema-3 recording's folder, and a .tar.gz of the bundle
 * (made once, with the system's tar, from the folder).
 */
function largeInputs(): string[] {
  if (!existsSync(LARGE)) return [];
  if (!existsSync(LARGE_TGZ)) {
    try {
      execFileSync('tar', ['czf', LARGE_TGZ, '--exclude=state.json', '--exclude=scenario.md', '-C', path.dirname(LARGE), path.basename(LARGE)]);
    } catch {
      rmSync(LARGE_TGZ, { force: true });
    }
  }
  return [LARGE, ...[LARGE_S3, LARGE_TGZ].filter((p) => existsSync(p))];
}

async function main() {
  const only = process.env.BENCH_ONLY?.split(',');
  const memJson = path.join(os.tmpdir(), `bench-memory-${process.pid}.json`);
  const steps: Step[] = [
    { key: 'reducer', script: 'scripts/bench.ts', args: process.argv.slice(2) },
    // With the LONG_STEPS=1000 recording once the reducer step has made it (see scripts/bench.ts).
    { key: 'browser', script: 'scripts/bench-browser.ts', args: ['--runs', '3', ...largeInputs()] },
    { key: 'timeline', script: 'scripts/bench-timeline.ts', args: [] },
    { key: 'memory', script: 'scripts/bench-memory.ts', args: [], env: { BENCH_JSON: memJson } },
    { key: 'hostile', script: 'scripts/bench-hostile.ts', args: [] },
    { key: 'sessions', script: 'scripts/bench-sessions.ts', args: [] },
    {
      key: 'live',
      script: 'scripts/bench-live.ts',
      args: ['test/fixtures/traces/long-session', 'test/fixtures/traces-schema3/long-session', ...(existsSync(LARGE) ? [LARGE] : [])],
    },
    // The gigabyte recordings, when they are in the cache folder (scripts/bench-huge.ts says how to make them).
    { key: 'huge', script: 'scripts/bench-huge.ts', args: [] },
  ];
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const step of steps) {
    if (only && !only.includes(step.key)) continue;
    if (!existsSync(path.join(ROOT, step.script))) {
      notes.push(`${step.key}: ${step.script} does not exist (skipped)`);
      continue;
    }
    console.log(`\n=== ${step.key}: ${step.script} ===`);
    const t0 = performance.now();
    const { code, out } = await run(step);
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    let got: Row[] = [];
    if (step.key === 'reducer') got = reducerRows(out);
    else if (step.key === 'browser') got = browserRows(out);
    else if (step.key === 'timeline') got = timelineRows(out);
    else if (step.key === 'sessions') {
      let root = '';
      let run = '';
      for (const l of out.split('\n')) {
        const r = /^(root \w+: .*)$/.exec(l);
        if (r) root = r[1];
        // A run: "empty cache", "restart, cache kept", the list watched in the page, the root dropped on it.
        const h = /^ {2}(\S.*):$/.exec(l);
        if (h) run = h[1];
        const m = /^ {4}(serve → .+?|drop → .+?|search ".*?")\s{2,}(\S.*)$/.exec(l);
        if (m && root) got.push(['sessions (serve)', `${root}, ${run}`, m[1], m[2]]);
      }
    } else if (step.key === 'live') got = liveRows(out);
    else if (step.key === 'huge') got = hugeRows(out);
    else if (step.key === 'hostile')
      for (const l of out.split('\n')) {
        const m = /^ {2}(\S.*?)\s{2,}(\d.* ms .*)$/.exec(l);
        if (m) got.push(['hostile input', m[1], 'time at n → 2n', m[2]]);
      }
    else if (step.key === 'memory' && existsSync(memJson)) {
      for (const f of JSON.parse(readFileSync(memJson, 'utf8')) as {
        bundle: string;
        bundleMiB: number;
        loadMs: number;
        heapUsedMiB: number;
        heapTotalMiB: number;
        baselineHeapUsedMiB: number;
      }[]) {
        const subject = `${f.bundle} (${f.bundleMiB.toFixed(1)} MiB)`;
        got.push(['browser memory', subject, 'served load → summary', `${f.loadMs.toFixed(0)} ms`]);
        got.push([
          'browser memory',
          subject,
          'main-thread JS heap (after GC)',
          `${f.heapUsedMiB.toFixed(1)} MiB used / ${f.heapTotalMiB.toFixed(1)} MiB allocated`,
        ]);
        got.push(['browser memory', subject, 'empty-app baseline heap', `${f.baselineHeapUsedMiB.toFixed(1)} MiB`]);
      }
      rmSync(memJson, { force: true });
    }
    if (code !== 0) notes.push(`${step.key}: exited with code ${code} after ${secs} s`);
    else if (!got.length) notes.push(`${step.key}: ran (${secs} s) but printed no figure this table recognises; see its output above`);
    rows.push(...got);
  }

  console.log('\n=== summary: every figure ===');
  const head = ['area', 'bundle / scenario', 'figure', 'target', 'value'];
  const all = [head, ...rows.map(([area, subject, figure, value]) => [area, subject, figure, targetOf(area, subject, figure), value])];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  for (const [i, r] of all.entries()) {
    console.log(r.map((cell, c) => (c === 4 ? cell : cell.padEnd(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const n of notes) console.log(`note: ${n}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
