/**
 * The timeline panel in Chromium: drawn on a canvas, clicked where the layout
 * says things are, zoomed and panned with wheel and keys, a range measured on
 * the axis, selection shared with the other panels. Screenshots in light and
 * dark mode go to test-results/timeline-*.png.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'esbuild';
import path from 'node:path';
import { launch, screenshotPath } from './browser';

const baseUrl = inject('baseUrl');

let browser: Browser;
let context: BrowserContext;

type Ref = { kind: string; id: string };
type Rect = { x: number; y: number; w: number; h: number };

async function openTrace(name: string, scheme: 'light' | 'dark' = 'light', bottom = 430): Promise<{ page: Page; errors: string[] }> {
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // A taller bottom region than the default, as a user looking at the timeline would drag it.
  await page.addInitScript((bottom) => localStorage.setItem('ctv.layout.v1', JSON.stringify({ left: 220, right: 340, bottom })), bottom);
  await page.goto(`${baseUrl}?trace=traces/${name}`);
  await page.waitForFunction(() => window.__traceStore?.getState().load.phase === 'ready', null, { timeout: 30_000 });
  await page.getByTestId('timeline-canvas').waitFor();
  await page.waitForFunction(() => !!(window as unknown as { __timeline?: unknown }).__timeline);
  await page.waitForTimeout(150);
  return { page, errors };
}

async function rectOf(page: Page, ref: Ref): Promise<Rect> {
  const r = await page.evaluate((ref) => (window as unknown as { __timeline: { rectOf(r: Ref): Rect | null } }).__timeline.rectOf(ref), ref);
  expect(r, `${ref.kind} ${ref.id} is laid out`).not.toBeNull();
  return r!;
}

async function canvasBox(page: Page) {
  const box = await page.getByTestId('timeline-canvas').boundingBox();
  return box!;
}

async function geometry(page: Page) {
  return page.evaluate(() =>
    (window as unknown as { __timeline: { geometry(): { trackX0: number; trackW: number; bodyTop: number; width: number } } }).__timeline.geometry(),
  );
}

/** Canvas pixels that differ from the background (it was really drawn on). */
async function paintedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="timeline-canvas"]') as HTMLCanvasElement;
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const [r0, g0, b0] = [data[data.length - 4], data[data.length - 3], data[data.length - 2]];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 30) n++;
    return n;
  });
}

async function clickRef(page: Page, ref: Ref) {
  const box = await canvasBox(page);
  const r = await rectOf(page, ref);
  await page.mouse.click(box.x + r.x + r.w / 2, box.y + r.y + r.h / 2);
}

const store = <T>(page: Page, fn: string) => page.evaluate(`(() => { const s = window.__traceStore.getState(); return ${fn}; })()`) as Promise<T>;

describe.skipIf(!baseUrl)('timeline in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('multi-agent: two track groups with arrows; clicking a call selects it everywhere; hover, zoom, keys, range', async () => {
    const { page, errors } = await openTrace('multi-agent');
    expect(await page.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe('true');
    expect(await paintedPixels(page)).toBeGreaterThan(5000);
    await page.screenshot({ path: screenshotPath('timeline-multi-agent-light') });

    // Click the worker's inference call on the canvas.
    const worker = await store<string>(page, "Object.values(s.state.threads).find(t => t.agent_path === '/root/worker').thread_id");
    const call = await store<string>(page, `Object.keys(s.state.inference_calls).find(k => s.state.inference_calls[k].thread_id === '${worker}')`);
    await clickRef(page, { kind: 'inference_call', id: call });
    expect(await store(page, 's.selection')).toEqual({ kind: 'inference_call', id: call });
    // The other panels follow: the conversation switched to the worker, the inspector shows the call.
    expect(await store(page, 's.activeThreadId')).toBe(worker);
    await expect.poll(() => page.locator('.ws-right').textContent()).toContain('Inference');

    // Hover shows the tooltip with tokens.
    const box = await canvasBox(page);
    const r = await rectOf(page, { kind: 'inference_call', id: call });
    await page.mouse.move(box.x + r.x + r.w / 2, box.y + r.y + r.h / 2);
    const tip = page.getByTestId('timeline-tooltip');
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/gpt.*in · 20 out/s);
    await page.screenshot({ path: screenshotPath('timeline-multi-agent-hover') });

    // Wheel zooms around the cursor; the window goes to the store and the URL.
    await page.mouse.wheel(0, -300);
    await expect.poll(() => store<{ startMs: number; endMs: number } | null>(page, 's.viewport')).not.toBeNull();
    const w1 = (await store<{ startMs: number; endMs: number }>(page, 's.viewport'))!;
    expect(w1.endMs - w1.startMs).toBeLessThan(166);
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain('"window":{"startMs"');
    // Keys act while the pointer is over the timeline: W zooms in, 0 resets.
    await page.keyboard.press('w');
    const w2 = (await store<{ startMs: number; endMs: number }>(page, 's.viewport'))!;
    expect(w2.endMs - w2.startMs).toBeLessThan(w1.endMs - w1.startMs);
    await page.keyboard.press('0');
    expect(await store(page, 's.viewport')).toBeNull();

    // Drag on the axis: a range with its duration and contents.
    const geo = await geometry(page);
    const y = box.y + 40;
    await page.mouse.move(box.x + geo.trackX0 + geo.trackW * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + geo.trackX0 + geo.trackW * 0.6, y, { steps: 6 });
    await page.mouse.up();
    const range = page.getByTestId('timeline-range');
    await range.waitFor();
    expect(await range.getByTestId('timeline-range-duration').textContent()).toMatch(/^\d+ ms$/);
    expect(await range.getByTestId('timeline-range-counts').textContent()).toMatch(/inference call/);
    await page.mouse.move(box.x + geo.trackX0 + geo.trackW * 0.9, box.y + geo.bodyTop + 150);
    await page.screenshot({ path: screenshotPath('timeline-multi-agent-range') });
    await page.keyboard.press('Escape');
    await expect.poll(() => range.count()).toBe(0);

    // Collapse the worker group by clicking its label.
    const headerY = await page.evaluate(() => {
      const tl = (window as unknown as { __timeline: { rectOf(r: Ref): Rect | null } }).__timeline;
      const s = window.__traceStore!.getState().state!;
      const t = Object.values(s.codex_turns).find((x) => x.thread_id !== s.root_thread_id)!;
      return tl.rectOf({ kind: 'turn', id: t.codex_turn_id })!.y;
    });
    await page.mouse.click(box.x + 30, box.y + headerY - 10);
    expect(await page.getByTestId('timeline-canvas').getAttribute('data-collapsed-groups')).toBe('1');
    await page.screenshot({ path: screenshotPath('timeline-multi-agent-collapsed') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('multi-agent in dark mode', async () => {
    const { page, errors } = await openTrace('multi-agent', 'dark');
    expect(await paintedPixels(page)).toBeGreaterThan(5000);
    const edge = await store<string>(page, "Object.keys(s.state.interaction_edges).find(k => s.state.interaction_edges[k].kind === 'spawn_agent')");
    // Selecting the spawn edge elsewhere highlights its arrow.
    await page.evaluate((id) => window.__traceStore!.getState().select({ kind: 'interaction_edge', id }), edge);
    await page.waitForTimeout(100);
    await page.screenshot({ path: screenshotPath('timeline-multi-agent-dark') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('code-mode: code cells, nested tools and terminal sessions; clicking a code cell selects it', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors } = await openTrace('code-mode', scheme);
      const cell = await store<string>(page, 'Object.keys(s.state.code_cells)[1]');
      await clickRef(page, { kind: 'code_cell', id: cell });
      expect(await store(page, 's.selection')).toEqual({ kind: 'code_cell', id: cell });
      const op = await store<string>(page, 'Object.keys(s.state.terminal_operations)[1]');
      const r = await rectOf(page, { kind: 'terminal_operation', id: op });
      const box = await canvasBox(page);
      await page.mouse.move(box.x + r.x + r.w / 2, box.y + r.y + r.h / 2);
      await page.getByTestId('timeline-tooltip').waitFor();
      expect(await page.getByTestId('timeline-tooltip').textContent()).toContain('sleep');
      await page.screenshot({ path: screenshotPath(`timeline-code-mode-${scheme}`) });
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('long-session: selecting elsewhere reveals the call; filters dim; compaction installs', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors } = await openTrace('long-session', scheme);
      await page.screenshot({ path: screenshotPath(`timeline-long-session-${scheme}`) });
      // Select an inference call from "another panel" (the store): the timeline zooms to it.
      const ids = await store<string[]>(page, 's.indexes.inferenceCallsByThread.get(s.state.root_thread_id)');
      const id = ids[40];
      await page.evaluate((id) => window.__traceStore!.getState().select({ kind: 'inference_call', id }), id);
      await expect.poll(() => store(page, 's.viewport')).not.toBeNull();
      const w = (await store<{ startMs: number; endMs: number }>(page, 's.viewport'))!;
      const call = await store<{ execution: { started_at_unix_ms: number; ended_at_unix_ms: number } }>(page, `s.state.inference_calls['${id}']`);
      expect(w.startMs).toBeLessThanOrEqual(call.execution.started_at_unix_ms);
      expect(w.endMs).toBeGreaterThanOrEqual(call.execution.ended_at_unix_ms);
      const r = await rectOf(page, { kind: 'inference_call', id });
      expect(r.w).toBeGreaterThanOrEqual(3);
      await page.screenshot({ path: screenshotPath(`timeline-long-session-revealed-${scheme}`) });
      // Filter: only compaction; the rest is dimmed.
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: /^Compaction$/ }).click();
      expect(await store(page, 's.filters.kinds')).toEqual(['compaction_request', 'compaction']);
      await page.getByTestId('timeline-panel').focus();
      await page.keyboard.press('0');
      await page.waitForTimeout(100);
      await page.screenshot({ path: screenshotPath(`timeline-long-session-filtered-${scheme}`) });
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('many agents (synthetic, 20k spans): sub-agents start collapsed to summary rows; expand one by selecting its call', async () => {
    const bundle = await build({
      entryPoints: [path.resolve(__dirname, '../../scripts/lib/synthetic-timeline.ts')],
      bundle: true,
      format: 'iife',
      globalName: '__synthTimeline',
      write: false,
      logLevel: 'silent',
    });
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors } = await openTrace('single-turn-answer', scheme, 520);
      // The app's CSP forbids inline scripts; evaluate through the protocol instead.
      await page.evaluate(bundle.outputFiles[0].text.replace(/^var __synthTimeline\s*=/m, 'globalThis.__synthTimeline ='));
      await page.evaluate(() => {
        const gen = (globalThis as unknown as { __synthTimeline: { syntheticTimelineState(o: { spans: number; agents: number }): unknown } }).__synthTimeline;
        const state = gen.syntheticTimelineState({ spans: 20_000, agents: 14 });
        window
          .__traceStore!.getState()
          .finishLoad({ label: 'synthetic', manifest: null, state: state as never, error: null, diagnostics: [], bundleKey: 'synthetic' });
      });
      await page.waitForFunction(() => document.querySelector('[data-testid="timeline-canvas"]')?.getAttribute('aria-label')?.includes('15 agent threads'));
      await page.waitForTimeout(200);
      const canvas = page.getByTestId('timeline-canvas');
      expect(await canvas.getAttribute('data-collapsed-groups')).toBe('1,2,3,4,5,6,7,8,9,10,11,12,13,14');
      expect(await paintedPixels(page)).toBeGreaterThan(20_000);
      await page.screenshot({ path: screenshotPath(`timeline-many-agents-${scheme}`) });
      if (scheme === 'light') {
        // Selecting a sub-agent's call elsewhere expands its group and scrolls it into view.
        await page.evaluate(() => {
          const s = window.__traceStore!.getState();
          const id = Object.keys(s.state!.inference_calls).find((k) => s.state!.inference_calls[k].thread_id === 'thread-sub-12')!;
          s.select({ kind: 'inference_call', id });
        });
        await expect.poll(() => canvas.getAttribute('data-collapsed-groups')).toBe('1,2,3,4,5,6,7,8,9,10,11,13,14');
        expect(Number(await canvas.getAttribute('data-scroll-top'))).toBeGreaterThan(0);
        await page.waitForTimeout(150);
        await page.screenshot({ path: screenshotPath('timeline-many-agents-revealed') });
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('default layout: the timeline sits under the conversation', async () => {
    const { page, errors } = await openTrace('multi-agent', 'light', 260);
    await page.screenshot({ path: screenshotPath('timeline-default-layout') });
    expect(await paintedPixels(page)).toBeGreaterThan(3000);
    expect(errors).toEqual([]);
    await context.close();
  });
});
