/**
 * `npm run bench:memory`: main-thread heap and load time of the production
 * build in headless Chromium, per bundle. Prints figures; asserts nothing.
 *
 *   npm run bench:memory [-- <bundle dir>...] [--runs N]
 *
 * Measures test/fixtures/traces/long-session and, when present,
 * ~/.cache/codex-trace-viewer/long-1000/long-session (recorded by `npm run
 * bench`). Each bundle is served by src/cli/serve.ts (the way `serve` opens
 * it) and loaded at startup; then, after a forced GC, the page's JS heap is
 * read with CDP `Performance.getMetrics` (JSHeapUsedSize / JSHeapTotalSize).
 * The empty app (no bundle) is measured too, as the baseline. The trace
 * worker's own heap is not included (CDP metrics cover the page's main
 * thread only).
 *
 * With BENCH_JSON=<file>, the figures are also written there as JSON (used by
 * scripts/bench-all.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { serve } from '../src/cli/serve';
import { launch } from '../test/e2e/browser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, '.cache/bench-memory-dist');
const LARGE = path.join(os.homedir(), '.cache/codex-trace-viewer/long-1000/long-session');

function bytesOf(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readdirSync(p)) n += bytesOf(path.join(p, name));
  return n;
}

const MiB = (n: number) => n / 1024 / 1024;

export interface MemoryFigure {
  bundle: string;
  bundleMiB: number;
  loadMs: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  baselineHeapUsedMiB: number;
}

async function heap(browser: Browser, url: string, waitReady: boolean): Promise<{ loadMs: number; used: number; total: number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const t0 = performance.now();
  await page.goto(url);
  if (waitReady) {
    await page.waitForFunction(() => window.__traceStore?.getState().load.phase === 'ready', undefined, { timeout: 180_000, polling: 50 });
    await page.getByTestId('summary-items').waitFor({ timeout: 120_000 });
  } else await page.getByTestId('welcome').waitFor();
  const loadMs = performance.now() - t0;
  // Let the page settle, then collect garbage so that only live data counts.
  await page.waitForTimeout(1_000);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const m = (n: string) => metrics.find((x) => x.name === n)?.value ?? NaN;
  await context.close();
  return { loadMs, used: m('JSHeapUsedSize'), total: m('JSHeapTotalSize') };
}

async function main() {
  const args = process.argv.slice(2);
  let runs = 3;
  const inputs = [path.join(ROOT, 'test/fixtures/traces/long-session')];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else inputs.push(path.resolve(args[i].replace(/^~(?=\/)/, os.homedir())));
  }
  if (existsSync(path.join(LARGE, 'manifest.json')) && !inputs.includes(LARGE)) inputs.push(LARGE);
  else if (!existsSync(LARGE)) console.log(`(no ${LARGE}: run \`npm run bench\` once to record it; measuring the fixture only)`);

  console.log('building the production app…');
  // Mode "test" with NODE_ENV=production, as the e2e tests: the production bundle plus window.__traceStore to read the load phase.
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'test', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const browser = await launch();
  const figures: MemoryFigure[] = [];
  try {
    for (const input of inputs) {
      const handle = await serve({ roots: [input], port: 0, distDir: DIST, log: () => {} });
      try {
        const base = await heap(browser, `${handle.url}?trace=__none__`, false).catch(() => null);
        const loads: { loadMs: number; used: number; total: number }[] = [];
        for (let r = 0; r < runs; r++) loads.push(await heap(browser, handle.url, true));
        const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const f: MemoryFigure = {
          bundle: path.basename(path.dirname(input)) === 'long-1000' ? 'long-1000/long-session' : path.basename(input),
          bundleMiB: MiB(bytesOf(input)),
          loadMs: med(loads.map((l) => l.loadMs)),
          heapUsedMiB: MiB(med(loads.map((l) => l.used))),
          heapTotalMiB: MiB(med(loads.map((l) => l.total))),
          baselineHeapUsedMiB: base ? MiB(base.used) : NaN,
        };
        figures.push(f);
        console.log(`\n${f.bundle}  (${f.bundleMiB.toFixed(1)} MiB, median of ${runs} loads)`);
        console.log(`  load → summary painted   ${f.loadMs.toFixed(0)} ms`);
        console.log(`  main-thread JS heap      ${f.heapUsedMiB.toFixed(1)} MiB used, ${f.heapTotalMiB.toFixed(1)} MiB allocated (after GC)`);
        console.log(`  empty app baseline       ${f.baselineHeapUsedMiB.toFixed(1)} MiB used`);
        console.log(`  heap per bundle MiB      ${((f.heapUsedMiB - (f.baselineHeapUsedMiB || 0)) / f.bundleMiB).toFixed(2)}×`);
      } finally {
        await handle.close();
      }
    }
  } finally {
    await browser.close();
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(figures, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
