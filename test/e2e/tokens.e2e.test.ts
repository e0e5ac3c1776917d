/**
 * The Tokens tab (issue 19) in headless Chromium: a real trace, a price table
 * loaded from a local file, the total cost it gives, and at 1280×800 and
 * 1600×1000 no header cell of the panel cut short.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, openTrace, screenshotPath } from './browser';

const baseUrl = inject('baseUrl');
let browser: Browser;
let tmp: string;
let pricesFile: string;

beforeAll(async () => {
  browser = await launch();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-tokens-e2e-'));
  pricesFile = path.join(tmp, 'prices.json');
  writeFileSync(pricesFile, JSON.stringify({ currency: 'USD', per: 1_000_000, models: { 'gpt-5.5': { input: 1.25, cached_input: 0.125, output: 10 } } }));
});
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Header cells (and the toolbar's parts) whose text is wider than their box. */
function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('.tok th, .tok-summary > span, .tok .price-ctl-name, .tok-savings-head')) {
      if (el.scrollWidth > el.clientWidth)
        out.push(`${el.tagName} ${el.className}: ${el.scrollWidth} > ${el.clientWidth} "${(el.textContent ?? '').slice(0, 40)}"`);
    }
    return out;
  });
}

describe('the Tokens tab', () => {
  it('long-session: tokens per level, a price table from a file gives the total cost, nothing clipped', async () => {
    const { context, page, errors } = await openTrace(browser, baseUrl, 'long-session', { viewport: { width: 1280, height: 800 } });
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByTestId('tokens-panel').waitFor();
    const session = page.locator('[data-testid="tokens-row"][data-kind="session"]');
    // 71 calls of 20 output tokens each, and the input the recording's mock model reported.
    await expect.poll(() => session.locator('td[data-col="calls"]').textContent()).toBe('71');
    expect(await session.locator('td[data-col="output"]').textContent()).toBe('1,420');
    const input = await page.evaluate(() => {
      const s = window.__traceStore!.getState().state!;
      return Object.values(s.inference_calls).reduce((n, c) => n + (c.usage?.input_tokens ?? 0), 0);
    });
    expect(await session.locator('td[data-col="input"]').textContent()).toBe(input.toLocaleString('en-US'));
    expect(await page.getByTestId('tokens-saved').allTextContents()).toEqual(['58,000', '57,500', '57,500']);

    await page.getByTestId('price-table-input').setInputFiles(pricesFile);
    const expected = (input * 1.25 + 1420 * 10) / 1e6;
    await expect.poll(() => page.getByTestId('tokens-total-cost').textContent()).toBe(`Total cost ${expected.toFixed(2)} USD`);
    expect(await page.getByRole('columnheader', { name: 'Cost (USD)' }).count()).toBe(1);

    // Clicking a call selects it in the inspector's store.
    const call = page.locator('[data-testid="tokens-row"][data-kind="call"]').nth(3);
    const id = await call.getAttribute('data-id');
    await call.click();
    expect(await page.evaluate(() => window.__traceStore!.getState().selection)).toEqual({ kind: 'inference_call', id });

    await page.screenshot({ path: screenshotPath('tokens-1280') });
    expect(await clipped(page)).toEqual([]);

    // The table is kept: a larger window, reloaded, still prices the trace.
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.reload();
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await expect.poll(() => page.getByTestId('tokens-total-cost').textContent(), { timeout: 30_000 }).toBe(`Total cost ${expected.toFixed(2)} USD`);
    expect(await clipped(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('tokens-1600') });

    // The session list prices its sessions with the same table.
    await page.getByTestId('show-bundles').click();
    await page.getByTestId('session-list').waitFor();
    await page.getByTestId('session-total-cost').waitFor({ timeout: 30_000 });
    // Summaries come in the background: wait for a few rows to be priced before looking.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="session-cost"]').length >= 5, null, { timeout: 90_000 });
    expect(await page.getByRole('columnheader', { name: /Cost \(USD\)/ }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('tokens-sessions-1600') });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: screenshotPath('tokens-sessions-1280') });

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
