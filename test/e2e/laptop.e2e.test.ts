/**
 * A daily driver on a laptop screen (issue 15), in headless Chromium at
 * 1280×800 and 1600×1000: links and Back, share links that keep the timeline
 * window, the served bundle list, search by id, details readable without
 * dragging a splitter, nothing clipped.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, openTrace } from './browser';

const baseUrl = inject('baseUrl');

let browser: Browser;
const contexts: BrowserContext[] = [];

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1600, height: 1000 },
] as const;

async function open(trace: string, viewport: { width: number; height: number } = SIZES[0]): Promise<{ page: Page; errors: string[] }> {
  const opened = await openTrace(browser, baseUrl, trace, { viewport });
  contexts.push(opened.context);
  return { page: opened.page, errors: opened.errors };
}

const selection = (page: Page) => page.evaluate(() => window.__traceStore!.getState().selection);
const centerPanel = (page: Page) => page.evaluate(() => window.__traceStore!.getState().panels.center);

describe.skipIf(!baseUrl)('a laptop screen in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
  });

  it('Back after a cross-panel link returns to where the link was followed from', async () => {
    const { page, errors } = await open('long-session');
    const item = 'conversation_item:3';
    const row = page.locator(`[data-testid="conv-row"][data-item-id="${item}"]`);
    await row.scrollIntoViewIfNeeded();
    // Straight from the transcript, nothing selected before: "replaced by compaction 1".
    await row.getByTestId('mark-replaced').getByRole('button').click();
    await page.getByTestId('compaction-panel').waitFor();
    expect((await selection(page))?.kind).toBe('compaction');
    await page.goBack();
    await expect.poll(() => selection(page)).toEqual({ kind: 'conversation_item', id: item });
    expect(await centerPanel(page)).toBe('conversation');
    await page.goForward();
    await expect.poll(() => selection(page).then((s) => s?.kind)).toBe('compaction');
    expect(await centerPanel(page)).toBe('compaction');

    // From the compaction panel, "In conversation": Back returns to the compaction.
    const compaction = await selection(page);
    await page.getByTestId('cmp-show-in-conversation').click();
    await page.getByTestId('conversation-panel').waitFor();
    await page.goBack();
    await expect.poll(() => selection(page)).toEqual(compaction);
    expect(await centerPanel(page)).toBe('compaction');

    // An inspector link, right after a click in the table: Back returns to the clicked row.
    const c2 = page.getByTestId('cmp-row').nth(1);
    await c2.click();
    const picked = await selection(page);
    await page.locator('.ws-right').getByRole('button', { name: /^Turn 1$/ }).first().click();
    expect((await selection(page))?.kind).toBe('turn');
    await page.goBack();
    await expect.poll(() => selection(page)).toEqual(picked);
    expect(errors).toEqual([]);
  });
});
