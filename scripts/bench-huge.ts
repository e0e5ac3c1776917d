/**
 * `npm run bench:huge`: gigabyte bundles opened in the browser through
 * `codex-trace-viewer serve` as a user runs it (issue 18). For each bundle:
 * navigation → interactive the first time (serve reduces it in a child and
 * keeps the state in a fresh cache folder) and once reopened (the kept state
 * is read), the time to the first progress shown, and the renderer's memory
 * (its resident size, as `ps` reports it). Targets: interactive under 15 s,
 * the tab under 1 GB. Once reopened, the panels at work on it: frame
 * intervals while zooming and panning the timeline (p95 ≤ 16 ms), a call
 * selected → its window listed (< 100 ms), and a search typed → its first
 * hits shown (< 1 s; the first search parses the whole state in the worker,
 * a second one does not). Then the folder dropped on the page, which reads
 * it itself: drop → interactive, the renderer's memory at its height while
 * loading and once open, and the panels again. Prints figures; asserts nothing.
 *
 *   npm run bench:huge [-- <bundle dir>...]
 *
 * Default bundles: the LONG_STEPS=2000 LONG_OUTPUT_KB=8 LONG_COMPACT_AT=250000
 * recordings in schemas 2 and 3 under ~/.cache/codex-trace-viewer (giga-s2,
 * giga-s3; see ../shared/tools/record-traces), when they are there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { dropFromDisk, launch, recordLongTasks } from '../test/e2e/browser';
import { serve } from '../src/cli/serve';
import { installFrameLoop } from './lib/frames';
import { startServeCommand } from './lib/serve-command';
import { pct } from './lib/measure';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(os.homedir(), '.cache/codex-trace-viewer');
const DEFAULTS = ['giga-s2', 'giga-s3'].map((d) => path.join(CACHE, d, 'long-session'));

function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'state.json' || e.name === 'scenario.md') continue;
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return n;
}

/** Resident MiB of each Chromium renderer process, largest first. */
function rendererMiB(): number[] {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('chrom') && l.includes('--type=renderer'))
    .map((l) => Number(l.trim().split(/\s+/)[0]) / 1024)
    .sort((a, b) => b - a);
}

interface PanelFigures {
  frames: { p50: number; p95: number; max: number; n: number; longTasks: number; missed: number };
  selectMs: number[];
  searchMs: { query: string; ms: number; hits: number }[];
}

/** Frame intervals while the wheel zooms into the timeline, pans along it, and zooms back out: one wheel event per frame. */
async function timelineFrames(page: Page, frames = 240): Promise<PanelFigures['frames']> {
  await page.getByTestId('timeline-canvas').waitFor();
  await installFrameLoop(page);
  const { intervals, longTasks } = await page.evaluate(async (frames) => {
    const w = window as unknown as { __longTasks: unknown[] };
    const longBefore = w.__longTasks.length;
    const canvas = document.querySelector('[data-testid="timeline-canvas"]') as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const q = Math.floor(frames / 3);
    const zoom = (factor: number, n: number) => -Math.log(factor) / n / 0.003; // the panel's wheel: factor = exp(-deltaY * 0.003)
    const intervals = await window.__everyFrame!(frames, (i) => {
      // Inside the track area (the row labels take the canvas's left part), on the first rows.
      const init: WheelEventInit = { clientX: r.left + r.width * 0.65, clientY: r.top + Math.min(60, r.height / 2), bubbles: true, cancelable: true };
      if (i < q) init.deltaY = zoom(50, q);
      else if (i < 2 * q) init.deltaX = 15;
      else init.deltaY = -zoom(50, frames - 2 * q);
      canvas.dispatchEvent(new WheelEvent('wheel', init));
    });
    return { intervals, longTasks: w.__longTasks.length - longBefore };
  }, frames);
  // Intervals are whole display frames (16.7 ms at 60 Hz): one longer than 1.5 frames means a frame was missed.
  const p50 = pct(intervals, 50);
  const missed = intervals.filter((x) => x > 1.5 * p50).length;
  return { p50, p95: pct(intervals, 95), max: Math.max(...intervals), n: intervals.length, longTasks, missed };
}

/** Calls clicked one after another in the request-window panel's table: time until the clicked call's window is listed. */
async function selectCalls(page: Page): Promise<number[]> {
  await page.getByRole('tab', { name: 'Request windows' }).click();
  await page.getByTestId('request-window-panel').waitFor();
  await page.locator('.rw-row').first().waitFor();
  const out: number[] = [];
  for (let k = 0; k < 5; k++) {
    out.push(
      await page.evaluate(async (k) => {
        // From the last row up, two at a time: the call shown before names only itself and its predecessor.
        const rows = [...document.querySelectorAll<HTMLElement>('.rw-row')];
        const row = rows[rows.length - 2 - 2 * k];
        const n = /#(\d+)/.exec(row.textContent ?? '')?.[1];
        const panel = document.querySelector('[data-testid="request-window-panel"]')!;
        const t0 = performance.now();
        row.click();
        // Shown: the call's details name it, and its window is listed.
        const shown = await new Promise<boolean>((resolve) => {
          const poll = () => {
            if ((panel.textContent ?? '').includes(`Inference ${n}`) && document.querySelector('[data-testid="rw-window-list"] .rw-item')) resolve(true);
            else if (performance.now() - t0 > 10_000) resolve(false);
            else requestAnimationFrame(poll);
          };
          poll();
        });
        return shown ? performance.now() - t0 : NaN;
      }, k),
    );
  }
  return out;
}

/** A query typed into the trace's search box: time from the last keystroke until hits are listed. */
async function searchOnce(page: Page, query: string): Promise<{ query: string; ms: number; hits: number }> {
  const input = page.getByPlaceholder('Search text or ids');
  await input.fill('');
  await input.focus();
  await page.keyboard.type(query, { delay: 0 });
  const t0 = await page.evaluate(() => performance.now());
  // Answered: hits listed, or the box says there are none.
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="search-hit"]').length > 0 ||
      /No matches/.test(document.querySelector('[data-testid="search-results"]')?.textContent ?? ''),
    null,
    { timeout: 120_000, polling: 'raf' },
  );
  const ms = (await page.evaluate(() => performance.now())) - t0;
  const hits = await page.locator('[data-testid="search-hit"]').count();
  return { query, ms, hits };
}

async function panelFigures(page: Page): Promise<PanelFigures> {
  // tsx names the arrow functions of the page-side code with a helper the page does not have.
  await page.evaluate('globalThis.__name ??= (f) => f');
  const frames = await timelineFrames(page);
  const selectMs = await selectCalls(page);
  const searchMs = [];
  for (const q of ['Step 1996', 'step-1999', 'consectetur', 'Step 1999']) searchMs.push(await searchOnce(page, q));
  return { frames, selectMs, searchMs };
}

async function openOnce(
  url: string,
  panels = false,
): Promise<{ firstProgressMs: number | null; interactiveMs: number; rendererMiB: number; panels: PanelFigures | null }> {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (panels) await recordLongTasks(page);
    const t0 = Date.now();
    // From the navigation's commit, not its load event: the page's first script shows the load before the app has loaded.
    await page.goto(url, { waitUntil: 'commit' });
    const firstProgress = page
      .waitForSelector('[data-testid="boot-progress"], [data-testid="load-progress"]', { timeout: 120_000 })
      .then(() => Date.now() - t0)
      .catch(() => null);
    await page.waitForSelector('[data-testid="summary-items"]', { timeout: 300_000 });
    const interactiveMs = Date.now() - t0;
    const memory = rendererMiB()[0] ?? 0;
    return { firstProgressMs: await firstProgress, interactiveMs, rendererMiB: memory, panels: panels ? await panelFigures(page) : null };
  } finally {
    await browser.close();
  }
}

/**
 * The bundle folder dropped on the app's page (a real drag and drop through
 * Chromium's Input.dispatchDragEvent): drop → interactive, the renderer's
 * largest resident size while it loads (sampled every 200 ms), and once
 * open, the panels at work.
 */
async function dropOnce(
  appUrl: string,
  bundle: string,
): Promise<{ interactiveMs: number; peakMiB: number; rendererMiB: number; panels: PanelFigures } | { refusedMs: number; message: string }> {
  const browser = await launch();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rendererMiB()[0] ?? 0)), 200);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await recordLongTasks(page);
    await page.goto(appUrl);
    await page.getByTestId('welcome').waitFor();
    await page.waitForTimeout(1000);
    const t0 = Date.now();
    await dropFromDisk(page, bundle);
    // Opened, or refused (a log too long for a tab): the page says which.
    const failed = '[data-testid="load-banner"][data-kind="failed"]';
    await page.waitForSelector(`[data-testid="summary-items"], ${failed}`, { timeout: 300_000 });
    if (await page.locator(failed).count())
      return { refusedMs: Date.now() - t0, message: ((await page.locator(failed).textContent()) ?? '').replace(/\s+/g, ' ').trim() };
    const interactiveMs = Date.now() - t0;
    clearInterval(sampler);
    const memory = rendererMiB()[0] ?? 0;
    peak = Math.max(peak, memory);
    return { interactiveMs, peakMiB: peak, rendererMiB: memory, panels: await panelFigures(page) };
  } finally {
    clearInterval(sampler);
    await browser.close();
  }
}

function printPanels({ frames: f, selectMs, searchMs }: PanelFigures): void {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `    timeline zoom and pan frames      p50 ${ms(f.p50)}  p95 ${ms(f.p95)}  max ${ms(f.max)}   (${f.n} frames, ${f.missed} missed, ${f.longTasks} long tasks; target p95 16 ms: a frame is ${ms(f.p50)} here)`,
  );
  console.log(`    call selected → window listed     ${selectMs.map((x) => x.toFixed(0)).join(', ')} ms   (p95 ${ms(pct(selectMs, 95))}; target 100 ms)`);
  for (const s of searchMs) console.log(`    search "${s.query}" → hits        ${s.ms.toFixed(0)} ms, ${s.hits} hits shown   (target 1 s)`);
}

async function main() {
  const given = process.argv.slice(2).map((a) => path.resolve(a));
  const bundles = (given.length ? given : DEFAULTS).filter((b) => existsSync(path.join(b, 'trace.jsonl')));
  if (!bundles.length) {
    console.log(
      `(no gigabyte bundle: record one into ${DEFAULTS[0]} with ../shared/tools/record-traces, LONG_STEPS=2000 LONG_OUTPUT_KB=8 LONG_COMPACT_AT=250000)`,
    );
    return;
  }
  if (!existsSync(path.join(ROOT, 'dist/index.html')) || !existsSync(path.join(ROOT, 'dist-cli'))) {
    console.log('building the app and the command line…');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const bundle of bundles) {
    const label = `${path.basename(path.dirname(bundle))}/${path.basename(bundle)}`;
    console.log(`\n${label}  (${(sizeOf(bundle) / 2 ** 20).toFixed(0)} MiB, served)`);
    const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'bench-huge-'));
    const served = await startServeCommand(bundle, cacheHome);
    const url = `${served.url}?trace=${encodeURIComponent(path.basename(bundle))}`;
    try {
      for (const run of ['first open (serve reduces it)', 'reopened (state kept)']) {
        const r = await openOnce(url, run.startsWith('reopened'));
        console.log(`  ${run}`);
        console.log(`    → first progress shown            ${r.firstProgressMs === null ? '—' : `${r.firstProgressMs} ms`}`);
        console.log(`    → interactive                     ${(r.interactiveMs / 1000).toFixed(1)} s   (target 15 s)`);
        console.log(`    renderer resident memory          ${r.rendererMiB.toFixed(0)} MiB   (target 1024 MiB)`);
        if (r.panels) printPanels(r.panels);
      }
      // Dropped, the tab reads the folder itself, as the reducer goes (a bundle too large to hold is never held whole).
      // Onto a page that opens nothing: serve's own page opens the one bundle it serves, and a drop would land on that load.
      const empty = await serve({ roots: [], port: 0, distDir: path.join(ROOT, 'dist'), log: () => {} });
      const d = await dropOnce(empty.url, bundle).finally(() => empty.close());
      console.log(`  dropped as a folder on the page`);
      if ('refusedMs' in d) {
        console.log(`    refused after ${d.refusedMs} ms: ${d.message}`);
        continue;
      }
      console.log(`    → interactive                     ${(d.interactiveMs / 1000).toFixed(1)} s   (target 15 s)`);
      console.log(
        `    renderer resident memory          ${d.rendererMiB.toFixed(0)} MiB, at most ${d.peakMiB.toFixed(0)} MiB while loading   (target 1024 MiB)`,
      );
      printPanels(d.panels);
    } finally {
      await served.stop();
      rmSync(cacheHome, { recursive: true, force: true });
    }
  }
}

await main();
