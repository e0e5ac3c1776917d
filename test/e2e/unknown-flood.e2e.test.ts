/**
 * A bundle with 200,000 events of a type the reducer does not know (what a
 * newer Codex with a frequent new event type writes): the page must stay
 * responsive, show one row per skipped type, and open "Details" at once.
 * Before grouping, this blocked the main thread for seconds and made a
 * million DOM nodes.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, longTasks, screenshotPath } from './browser';
import { openPage, waitForPhase } from './loading';
import { writeFloodedBundle } from '../unknown-flood';

const baseUrl = inject('baseUrl');
const N = 200_000;

let browser: Browser;
let context: BrowserContext | undefined;
let tmp: string;
let bundle: string;

describe.skipIf(!baseUrl)('200,000 events of an unknown type in Chromium', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'ctv-flood-e2e-'));
    const t0 = performance.now();
    bundle = writeFloodedBundle(path.join(tmp, 'flooded-200k'), N);
    console.log(
      `flooded bundle: ${(statSync(path.join(bundle, 'trace.jsonl')).size / 1e6).toFixed(1)} MB trace.jsonl in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    browser = await launch();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('loads without a long main-thread task, one row per type, and "Details" opens at once', async () => {
    const opened = await openPage(browser, `${baseUrl}?trace=traces/single-turn-answer`);
    context = opened.context;
    const { page, problems } = opened;
    await waitForPhase(page, ['ready']);
    const before = await page.evaluate(() => performance.now());
    await page.getByTestId('folder-input').setInputFiles(bundle);
    await waitForPhase(page, ['ready'], 'flooded-200k');
    const diags = page.getByTestId('load-diagnostics');
    await diags.waitFor();
    expect(await diags.locator('summary').first().textContent()).toMatch(/^Skipped 200,000 events of an unknown type; the rest of the trace was read\./);
    const loadTasks = (await longTasks(page)).filter((t) => t.start >= before);
    const longestLoad = Math.max(0, ...loadTasks.map((t) => t.duration));

    // "Details": a row per group, made when opened. Timed in the page, from the click to the first frame that shows the rows.
    const openMs = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const t0 = performance.now();
          document.querySelector<HTMLElement>('[data-testid="load-diagnostics"] > summary')!.click();
          const check = () => {
            if (document.querySelector('[data-testid="load-diagnostic"]')) resolve(performance.now() - t0);
            else if (performance.now() - t0 > 10_000) reject(new Error('no diagnostic rows 10 s after opening Details'));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    const row = diags.getByTestId('load-diagnostic');
    expect(await row.count()).toBe(1);
    expect(await row.locator('summary').textContent()).toBe('Skipped 200,000 events of type foo_bar, lines 7–200,006 (seq 7–200,006)');

    // The group's occurrences: a virtualized window of the first 1,000.
    await row.locator('summary').click();
    const list = row.getByTestId('load-diagnostic-occurrences');
    await list.waitFor();
    const shown = await list.getByTestId('load-diagnostic-occurrence').count();
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(60);
    expect(await list.getByTestId('load-diagnostic-occurrence').first().textContent()).toBe('trace.jsonl line 7, seq 7');
    expect(await row.getByTestId('load-diagnostic-omitted').textContent()).toMatch(/The first 1,000 are listed; 199,000 more are not/);
    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => list.getByTestId('load-diagnostic-occurrence').last().textContent()).toBe('trace.jsonl line 1,006, seq 1,006');
    await list.evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('unknown-events-200k') });

    const allTasks = (await longTasks(page)).filter((t) => t.start >= before);
    const longest = Math.max(0, ...allTasks.map((t) => t.duration));
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    console.log(
      `200k unknown events: longest main-thread task ${longestLoad.toFixed(0)} ms during the load, ${longest.toFixed(0)} ms up to the end ` +
        `(${allTasks.length} long tasks); "Details" opened in ${openMs.toFixed(0)} ms; ${nodes} DOM elements`,
    );
    expect(longest).toBeLessThan(300);
    expect(openMs).toBeLessThan(500);
    expect(nodes).toBeLessThan(5000);
    expect(problems.errors).toEqual([]);
  });
});
