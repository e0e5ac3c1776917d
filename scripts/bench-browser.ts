/**
 * `npm run bench:browser`: how long the production build takes, in headless
 * Chromium, from dropping a bundle to (1) the first painted summary and (2) a
 * fully interactive page. Prints figures; asserts nothing.
 *
 *   npm run bench:browser [-- <bundle dir | .zip | .tar.gz>...] [--runs N] [--served]
 *
 * For a bundle directory it also measures the README's path: the bundle
 * served by `codex-trace-viewer serve` (the built command line, in its own
 * process, with a cache folder of its own) and opened with `?trace=`, timed
 * from the navigation (so the page's own start-up counts). It builds the app
 * into dist/, as `npm run build` does.
 *
 * Always measures test/fixtures/traces/long-session; add paths for larger bundles
 * (e.g. ~/.cache/codex-trace-viewer/long-1000/long-session, which `npm run bench` records).
 *
 * "Drop" is a real drag and drop of the folder or archive onto the page
 * (Chromium's Input.dispatchDragEvent with the file's path; the page walks
 * the folder itself), a second after the page has started; times count from
 * the page's `drop` event. "First painted
 * summary": the summary header shows the new trace's item count and a frame
 * has been painted after it. "Fully interactive": after that, the main thread
 * has had no long task (> 50 ms) for 500 ms (the last long task's end, as in TTI).
 * Also printed: the longest main-thread task that began after the drop, and when the
 * worker's result reached the main thread (performance marks from client.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { serve } from '../src/cli/serve';
import { dropFromDisk, launch, recordLongTasks } from '../test/e2e/browser';
import { startServeCommand } from './lib/serve-command';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The app as `npm run build` makes it: the command line serves this folder. */
const DIST = path.join(ROOT, 'dist');
const QUIET_MS = 500;

function parseArgs() {
  const a = process.argv.slice(2);
  let runs = 5;
  let tasks = false;
  let servedOnly = false;
  const inputs = [path.join(ROOT, 'test/fixtures/traces/long-session')];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--runs') runs = Number(a[++i]);
    else if (a[i] === '--tasks') tasks = true;
    else if (a[i] === '--served') servedOnly = true;
    else inputs.push(path.resolve(a[i].replace(/^~(?=\/)/, process.env.HOME ?? '~')));
  }
  return { runs, inputs, tasks, servedOnly };
}

function bytesOf(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readdirSync(p)) n += bytesOf(path.join(p, name));
  return n;
}

interface Run {
  summaryMs: number;
  interactiveMs: number;
  resultMs: number | null;
  longestTaskMs: number;
  /** Every long task after the drop: [start after the drop, duration]. */
  tasks: [number, number][];
  workerReduceMs: number | null;
  streamReadMs: number | null;
  requestArrivedMs: number | null;
  filesArrivedMs: number | null;
  workerUnpackMs: number | null;
  workerReadMs: number | null;
  workerSerializeMs: number | null;
  workerKeepMs: number | null;
  jobStartMs: number | null;
  storeMs: number | null;
}

/**
 * Runs in the page: sets `__bench.summary` to the time of the first frame
 * painted with a summary on screen (the mutation, the next frame's rAF, then a task after it).
 */
function watchSummary(): void {
  const w = window as unknown as { __bench: { t0: number | null; summary: number | null } };
  w.__bench = { t0: null, summary: null };
  // (No named inner functions: tsx would wrap them in a helper the page does not have.)
  const obs = new MutationObserver(() => {
    if (w.__bench.summary !== null || !document.querySelector('[data-testid="summary-items"]')) return;
    w.__bench.summary = -1;
    requestAnimationFrame(() => setTimeout(() => (w.__bench.summary = performance.now()), 0));
  });
  if (document.body) obs.observe(document.body, { childList: true, subtree: true });
  else document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { childList: true, subtree: true }));
}

/** Waits for the painted summary, then for a quiet window after the last long task. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => ((window as unknown as { __bench: { summary: number | null } }).__bench.summary ?? -1) > 0, undefined, {
    timeout: 600_000,
    polling: 50,
  });
  for (;;) {
    const quiet = await page.evaluate((q) => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      return performance.now() - w.__longTasks.reduce((m, t) => Math.max(m, t.start + t.duration), 0) >= q;
    }, QUIET_MS);
    if (quiet) break;
    await page.waitForTimeout(100);
  }
}

async function once(page: Page, url: string, input: string): Promise<Run> {
  await page.goto(url);
  await page.getByTestId('welcome').waitFor();
  // A person drops a bundle onto a page that has finished starting (its worker included), not in its first instant.
  await page.waitForTimeout(1000);
  await page.evaluate(watchSummary);
  await page.evaluate(() => {
    const w = window as unknown as { __bench: { t0: number | null } };
    window.addEventListener('drop', () => (w.__bench.t0 ??= performance.now()), { capture: true });
  });
  // A real drag and drop, as the browser delivers one from the desktop: the page walks the dropped folder itself.
  await dropFromDisk(page, path.resolve(input));
  await settle(page);
  return page.evaluate(() => {
    const w = window as unknown as { __bench: { t0: number; summary: number }; __longTasks: { start: number; duration: number }[] };
    const t0 = w.__bench.t0;
    // Tasks that begin after the drop: the one in which Playwright hands over the files (and the change event fires) is its own, not the app's.
    const after = w.__longTasks.filter((t) => t.start >= t0);
    const lastEnd = after.reduce((m, t) => Math.max(m, t.start + t.duration), 0);
    const result = performance.getEntriesByName('ctv:result-received').at(-1) as PerformanceMark | undefined;
    const stored = performance.getEntriesByName('ctv:store-updated').at(-1);
    const streamStart = performance.getEntriesByName('ctv:stream-start').at(-1);
    const streamEnd = performance.getEntriesByName('ctv:stream-end').at(-1);
    const w8 = (result?.detail ?? {}) as Record<string, number>;
    return {
      workerReduceMs: w8.reduce ?? null,
      streamReadMs: streamStart && streamEnd ? streamEnd.startTime - streamStart.startTime : null,
      requestArrivedMs: w8.requestAt ? w8.requestAt - performance.timeOrigin - t0 : null,
      filesArrivedMs: w8.filesAt ? w8.filesAt - performance.timeOrigin - t0 : null,
      workerUnpackMs: w8.unpack ?? null,
      workerReadMs: w8.read ?? null,
      workerSerializeMs: w8.serialize ?? null,
      workerKeepMs: w8.keep ?? null,
      jobStartMs: w8.startAt ? w8.startAt - performance.timeOrigin - t0 : null,
      storeMs: result && stored ? stored.startTime - result.startTime : null,
      summaryMs: w.__bench.summary - t0,
      interactiveMs: Math.max(w.__bench.summary, lastEnd) - t0,
      resultMs: result ? result.startTime - t0 : null,
      longestTaskMs: Math.max(0, ...after.map((t) => t.duration)),
      tasks: after.map((t) => [Math.round(t.start - t0), Math.round(t.duration)] as [number, number]),
    };
  });
}

interface ServedRun {
  resultMs: number | null;
  summaryMs: number;
  interactiveMs: number;
  longestTaskMs: number;
}

/** The README's path: `serve <bundle>` and open `?trace=<name>`. Times count from the navigation; the page's own start-up is included. */
async function onceServed(page: Page, url: string): Promise<ServedRun> {
  await page.addInitScript(watchSummary);
  await page.goto(url);
  await settle(page);
  return page.evaluate(() => {
    const w = window as unknown as { __bench: { summary: number }; __longTasks: { start: number; duration: number }[] };
    const lastEnd = w.__longTasks.reduce((m, t) => Math.max(m, t.start + t.duration), 0);
    const result = performance.getEntriesByName('ctv:result-received').at(-1);
    return {
      resultMs: result ? result.startTime : null,
      summaryMs: w.__bench.summary,
      interactiveMs: Math.max(w.__bench.summary, lastEnd),
      longestTaskMs: Math.max(0, ...w.__longTasks.map((t) => t.duration)),
    };
  });
}

function stats(xs: number[]): string {
  if (!xs.length) return '   n/a';
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `median ${med.toFixed(0).padStart(6)} ms   (min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)})`;
}

async function main() {
  const { runs, inputs, tasks, servedOnly } = parseArgs();
  for (const p of inputs) if (!existsSync(p)) throw new Error(`${p} does not exist`);
  console.log('building the production app…');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const server = await serve({ roots: [], port: 0, distDir: DIST, log: () => {} });
  const browser = await launch();
  try {
    for (const input of inputs) {
      console.log(`\n${input}  (${(bytesOf(input) / 1024 / 1024).toFixed(1)} MiB, ${runs} runs)`);
      const results: Run[] = [];
      for (let i = 0; i < (servedOnly ? 0 : runs); i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await recordLongTasks(page);
        results.push(await once(page, server.url, input));
        await context.close();
      }
      const col = (k: keyof Run) => results.map((r) => r[k]).filter((v): v is number => v !== null);
      if (!servedOnly) printDrops();
      function printDrops() {
        console.log(`  drop → load request in the worker    ${stats(col('requestArrivedMs'))}`);
        console.log(`    page: read the dropped files       ${stats(col('streamReadMs'))}`);
        console.log(`  drop → all files in the worker       ${stats(col('filesArrivedMs'))}`);
        console.log(`  drop → the worker's load job starts  ${stats(col('jobStartMs'))}`);
        console.log(`    worker: unpack archives            ${stats(col('workerUnpackMs'))}`);
        console.log(`    worker: read dropped files         ${stats(col('workerReadMs'))}`);
        console.log(`    worker: reduce                     ${stats(col('workerReduceMs'))}`);
        console.log(`    worker: keep the files             ${stats(col('workerKeepMs'))}`);
        console.log(`    worker: serialize state            ${stats(col('workerSerializeMs'))}`);
        console.log(`  drop → worker result on main thread  ${stats(col('resultMs'))}`);
        console.log(`    main: parse state + store update   ${stats(col('storeMs'))}`);
        console.log(`  drop → first painted summary         ${stats(col('summaryMs'))}`);
        console.log(`  drop → fully interactive             ${stats(col('interactiveMs'))}`);
        console.log(`  longest main-thread task             ${stats(col('longestTaskMs'))}`);
        if (tasks)
          console.log(
            `  long tasks of the last run (start ms after the drop, duration ms): ${results
              .at(-1)!
              .tasks.map(([s, d]) => `${s}+${d}`)
              .join(', ')}`,
          );
      }
      if (!statSync(input).isDirectory()) continue;
      // The command line a user runs, in its own process: served from this one, it shared an event loop with
      // the browser's driver, which slowed every file the page asked for.
      const cache = mkdtempSync(path.join(os.tmpdir(), 'ctv-bench-cache-'));
      const served = await startServeCommand(input, cache);
      try {
        const sr: ServedRun[] = [];
        for (let i = 0; i < runs; i++) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          const page = await context.newPage();
          await recordLongTasks(page);
          sr.push(await onceServed(page, `${served.url}?trace=${encodeURIComponent(path.basename(input))}`));
          await context.close();
        }
        const c = (k: keyof ServedRun, from = 0) =>
          sr
            .slice(from)
            .map((r) => r[k])
            .filter((v): v is number => v !== null);
        console.log(`  served (\`serve\` + ?trace=), from navigation:`);
        console.log(`    first open: → fully interactive    ${stats(c('interactiveMs').slice(0, 1))}`);
        if (runs > 1) console.log(`    later opens: → fully interactive   ${stats(c('interactiveMs', 1))}`);
        console.log(`    → worker result on main thread     ${stats(c('resultMs'))}`);
        console.log(`    → first painted summary            ${stats(c('summaryMs'))}`);
        console.log(`    → fully interactive                ${stats(c('interactiveMs'))}`);
        console.log(`    longest main-thread task           ${stats(c('longestTaskMs'))}  (page start-up included)`);
      } finally {
        await served.stop();
        rmSync(cache, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
