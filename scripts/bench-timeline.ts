/**
 * `npm run bench:timeline`: frame times of the timeline panel while panning and
 * zooming a synthetic session of 100,000+ spans in headless Chromium (the
 * production build). Prints figures; asserts nothing.
 *
 *   npm run bench:timeline [-- --spans N] [--agents N] [--frames N] [--no-build]
 *
 * 1. Layout only, in Node: model build, row layout, visible-range culling and
 *    hit testing over the same synthetic state.
 * 2. In the page: the synthetic state is generated in the page (the generator
 *    is bundled and injected) and loaded into the store; then, for each
 *    scenario, every animation frame dispatches one wheel event on the canvas
 *    (zoom in, pan, zoom out) and we record the interval between frames
 *    (p50/p95/max; 16.7 ms = 60 fps) and the time the canvas drawing itself took.
 *    Scenarios: sub-agents collapsed (the default with > 8 agents) and all expanded.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { serve } from '../src/cli/serve';
import { buildTraceIndexes } from '../src/trace/indexes/build';
import {
  buildTimelineModel,
  defaultCollapsed,
  forEachVisible,
  forEachVisibleRun,
  geometry,
  hitTest,
  laneRuns,
  layoutRows,
  pickRuns,
  trackScale,
} from '../src/trace/timeline';
import { launch, recordLongTasks } from '../test/e2e/browser';
import { installFrameLoop } from './lib/frames';
import { pct } from './lib/measure';
import { syntheticTimelineState } from './lib/synthetic-timeline';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, '.cache/bench-timeline-dist');

function parseArgs() {
  const a = process.argv.slice(2);
  const o = { spans: 100_000, agents: 24, frames: 240, build: true };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--spans') o.spans = Number(a[++i]);
    else if (a[i] === '--agents') o.agents = Number(a[++i]);
    else if (a[i] === '--frames') o.frames = Number(a[++i]);
    else if (a[i] === '--no-build') o.build = false;
  }
  return o;
}

const f1 = (x: number) => x.toFixed(1).padStart(6);

function layoutOnly(spans: number, agents: number) {
  const state = syntheticTimelineState({ spans, agents });
  const idx = buildTraceIndexes(state);
  const runs: number[] = [];
  let model = buildTimelineModel(state, idx);
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    model = buildTimelineModel(state, idx);
    runs.push(performance.now() - t);
  }
  const all = new Set(model.groups.map((g) => g.index));
  const t1 = performance.now();
  const expanded = layoutRows(model, new Set());
  layoutRows(model, defaultCollapsed(model));
  const layoutMs = performance.now() - t1;
  const geo = geometry(1400, 800);
  const win = { startMs: model.startMs, endMs: model.endMs };
  const s = trackScale(geo, win);
  const msPerPx = (s.endMs - s.startMs) / s.width;
  let visited = 0;
  const t2 = performance.now();
  for (const lane of model.lanes) visited += forEachVisible(lane.spans, model.spans.start, model.spans.end, s.startMs, s.endMs, msPerPx, () => {});
  const cullMs = performance.now() - t2;
  for (const lane of model.lanes) laneRuns(model, lane);
  let visitedLod = 0;
  const t2b = performance.now();
  for (const lane of model.lanes) {
    const runs = pickRuns(model, lane, msPerPx, s.width);
    visitedLod += runs
      ? forEachVisibleRun(runs.start, runs.end, s.startMs, s.endMs, msPerPx, () => {})
      : forEachVisible(lane.spans, model.spans.start, model.spans.end, s.startMs, s.endMs, msPerPx, () => {});
  }
  const cullLodMs = performance.now() - t2b;
  const t3 = performance.now();
  const N = 100_000;
  for (let k = 0; k < N; k++)
    hitTest(model, expanded, geo, win, (k * 37) % Math.max(1, expanded.height - 700), 210 + ((k * 7919) % 1190), 60 + ((k * 104_729) % 740));
  const hitUs = ((performance.now() - t3) / N) * 1000;
  console.log(`Layout only (Node), ${model.spans.count.toLocaleString('en-US')} spans, ${model.groups.length} agents, ${model.lanes.length} lanes:`);
  console.log(`  model build      ${f1(Math.min(...runs))} ms (best of 3)`);
  console.log(`  row layout ×2    ${f1(layoutMs)} ms (${expanded.rows.length} rows expanded, ${all.size} groups)`);
  console.log(
    `  cull all lanes   ${f1(cullMs)} ms zoomed out, spans (${visited.toLocaleString('en-US')} visited of ${model.spans.count.toLocaleString('en-US')})`,
  );
  console.log(`  cull all lanes   ${f1(cullLodMs)} ms zoomed out, level-of-detail runs (${visitedLod.toLocaleString('en-US')} visited)`);
  console.log(`  hit test         ${hitUs.toFixed(2).padStart(6)} µs per point`);
}

async function syntheticScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'scripts/lib/synthetic-timeline.ts')],
    bundle: true,
    format: 'iife',
    globalName: '__synthTimeline',
    write: false,
    platform: 'browser',
    logLevel: 'silent',
  });
  // Evaluated through the DevTools protocol (the app's CSP forbids inline scripts), so define the global explicitly.
  return out.outputFiles[0].text.replace(/^var __synthTimeline\s*=/m, 'globalThis.__synthTimeline =');
}

interface FrameRun {
  intervals: number[];
  draws: number[];
  drawnSpans: number[];
  longTasks: number;
}

async function scenario(page: Page, frames: number): Promise<FrameRun> {
  await installFrameLoop(page);
  return page.evaluate(async (frames) => {
    const w = window as unknown as {
      __timelineDraws: { ms: number; spans: number }[];
      __timeline: { geometry(): { trackX0: number; trackW: number; bodyTop: number } };
    };
    const canvas = document.querySelector('[data-testid="timeline-canvas"]') as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const g = w.__timeline.geometry();
    w.__timelineDraws = [];
    const longBefore = (window as unknown as { __longTasks: unknown[] }).__longTasks.length;
    // Four phases: zoom in from the whole trace to 1/20 of it, pan at that zoom,
    // zoom in further to 1/2000, zoom back out to the whole trace.
    const q = Math.max(1, Math.floor(frames / 4));
    const zoomDelta = (factor: number, n: number) => -Math.log(factor) / n / 0.003; // the panel's wheel: factor = exp(-deltaY * 0.003)
    const step = (i: number) => {
      const x = r.left + g.trackX0 + g.trackW * (0.45 + 0.1 * Math.sin(i / 15));
      const y = r.top + g.bodyTop + 40;
      const init: WheelEventInit = { clientX: x, clientY: y, bubbles: true, cancelable: true };
      if (i < q) init.deltaY = zoomDelta(20, q);
      else if (i < 2 * q) init.deltaX = 12;
      else if (i < 3 * q) init.deltaY = zoomDelta(100, q);
      else init.deltaY = -zoomDelta(2000, frames - 3 * q);
      canvas.dispatchEvent(new WheelEvent('wheel', init));
    };
    const intervals = await window.__everyFrame!(frames, step);
    await new Promise((r) => setTimeout(r, 100));
    const draws = w.__timelineDraws.map((d) => d.ms);
    const drawnSpans = w.__timelineDraws.map((d) => d.spans);
    return { intervals, draws, drawnSpans, longTasks: (window as unknown as { __longTasks: unknown[] }).__longTasks.length - longBefore };
  }, frames);
}

function report(name: string, r: FrameRun) {
  console.log(`  ${name}`);
  console.log(
    `    frame interval  p50 ${f1(pct(r.intervals, 50))}  p95 ${f1(pct(r.intervals, 95))}  max ${f1(Math.max(...r.intervals))} ms   (${r.intervals.length} frames)`,
  );
  console.log(
    `    canvas draw     p50 ${f1(pct(r.draws, 50))}  p95 ${f1(pct(r.draws, 95))}  max ${f1(Math.max(...r.draws))} ms   (${r.draws.length} draws, p50 ${Math.round(pct(r.drawnSpans, 50)).toLocaleString('en-US')} spans visited per draw)`,
  );
  console.log(`    long tasks      ${r.longTasks}`);
}

async function main() {
  const opts = parseArgs();
  layoutOnly(opts.spans, opts.agents);

  if (opts.build) {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'test', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
  }
  const handle = await serve({ roots: [path.join(ROOT, 'test/fixtures/traces/single-turn-answer')], port: 0, distDir: DIST, log: () => {} });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await recordLongTasks(page);
    await page.addInitScript(() => localStorage.setItem('ctv.layout.v1', JSON.stringify({ left: 200, right: 300, bottom: 700 })));
    await page.goto(handle.url);
    await page.waitForFunction(() => window.__traceStore?.getState().load.phase === 'ready', null, { timeout: 60_000 });
    // tsx compiles the functions passed to page.evaluate with esbuild's keepNames helper.
    await page.evaluate('globalThis.__name = (f) => f');
    await page.evaluate(await syntheticScript());
    const loaded = await page.evaluate(
      async ({ spans, agents }) => {
        const w = window as unknown as {
          __synthTimeline: { syntheticTimelineState(o: { spans: number; agents: number }): unknown };
          __timelineDraws: { ms: number; spans: number }[];
        };
        const state = w.__synthTimeline.syntheticTimelineState({ spans, agents });
        w.__timelineDraws = [];
        const t0 = performance.now();
        window
          .__traceStore!.getState()
          .finishLoad({ label: 'synthetic', manifest: null, state: state as never, error: null, diagnostics: [], bundleKey: 'synthetic' });
        const tStore = performance.now() - t0;
        await new Promise<void>((resolve) => {
          const poll = () => (w.__timelineDraws.length > 0 ? resolve() : requestAnimationFrame(poll));
          poll();
        });
        return {
          storeMs: tStore,
          firstDrawMs: performance.now() - t0,
          spans: Number(/and (\d+) spans/.exec(document.querySelector('[data-testid="timeline-canvas"]')!.getAttribute('aria-label') ?? '')?.[1]),
        };
      },
      { spans: opts.spans, agents: opts.agents },
    );
    console.log(
      `\nIn Chromium (headless, 1600×1000, timeline area ${await page.evaluate(() => {
        const g = (window as unknown as { __timeline: { geometry(): { width: number; height: number } } }).__timeline.geometry();
        return `${g.width}×${g.height}`;
      })}), ${loaded.spans.toLocaleString('en-US')} spans, ${opts.agents + 1} agents:`,
    );
    console.log(`  load into store (indexes) ${f1(loaded.storeMs)} ms; first timeline frame after ${f1(loaded.firstDrawMs)} ms`);
    await page.mouse.move(800, 700);
    report(`sub-agents collapsed (default with > 8), ${opts.frames} frames: zoom in ×20, pan, zoom in ×100, zoom out`, await scenario(page, opts.frames));
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.waitForTimeout(200);
    report(`all ${opts.agents + 1} agents expanded`, await scenario(page, opts.frames));
    await context.close();
  } finally {
    await browser.close();
    await handle.close();
  }
}

await main();
