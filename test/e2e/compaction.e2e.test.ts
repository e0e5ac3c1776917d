/**
 * The compaction panel in headless Chromium: the timeline table, the
 * before/after view, untraced and failed compactions, and the links with the
 * conversation panel. Screenshots (light and dark) go to test-results/.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, openTrace, screenshotPath } from './browser';
import { loadRawState } from '../panels/helpers';

const baseUrl = inject('baseUrl');

let browser: Browser;
let context: BrowserContext;

async function open(trace: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
  const opened = await openTrace(browser, baseUrl, trace, { colorScheme, viewport: { width: 1440, height: 1000 } });
  context = opened.context;
  return { page: opened.page, errors: opened.errors };
}

async function openCompactions(page: Page) {
  await page.getByRole('tab', { name: 'Compactions' }).click();
  await page.getByTestId('compaction-panel').waitFor();
}

const rowKeys = (page: Page) => page.getByTestId('cmp-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
const selection = (page: Page) => page.evaluate(() => window.__traceStore!.getState().selection);

describe.skipIf(!baseUrl)('compaction panel in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`compaction-remote (${scheme}): timeline table, before/after, replaced → installed`, async () => {
      const raw = loadRawState('compaction-remote');
      const order = Object.values<any>(raw.compactions).sort((a, b) => a.installed_at_unix_ms - b.installed_at_unix_ms);
      const { page, errors } = await open('compaction-remote', scheme);
      await openCompactions(page);
      expect(await rowKeys(page)).toEqual(order.map((c) => c.compaction_id));
      // Pick compaction 2: the store selection and the detail follow.
      await page.getByTestId('cmp-row').nth(1).click();
      expect(await selection(page)).toEqual({ kind: 'compaction', id: order[1].compaction_id });
      const detail = page.getByTestId('cmp-detail');
      expect(await detail.getAttribute('data-event-key')).toBe(order[1].compaction_id);
      const ba = page.getByTestId('cmp-before-after');
      await ba.waitFor();
      const replaced = await ba.locator('[data-replaced="true"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
      expect(replaced.sort()).toEqual([...order[1].input_item_ids].sort());
      // The two columns are side by side.
      const b = (await ba.locator('.cmp-ba-before').first().boundingBox())!;
      const a = (await ba.locator('.cmp-ba-after').first().boundingBox())!;
      expect(a.x).toBeGreaterThan(b.x + b.width - 1);
      expect(Math.abs(a.y - b.y)).toBeLessThan(1);
      await page.screenshot({ path: screenshotPath(`compaction-panel-${scheme}`) });
      await ba.screenshot({ path: screenshotPath(`compaction-before-after-${scheme}`) });
      await page.getByRole('tab', { name: /Replaced → installed/ }).click();
      const installed = await page.getByTestId('cmp-installed').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
      expect(installed).toEqual(order[1].replacement_item_ids);
      await page.getByTestId('cmp-detail').screenshot({ path: screenshotPath(`compaction-replaced-${scheme}`) });
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('from a replaced item in the conversation: one click to its compaction, then to the first call without it, and back', async () => {
    const raw = loadRawState('compaction-remote');
    const c1 = Object.values<any>(raw.compactions).sort((a, b) => a.installed_at_unix_ms - b.installed_at_unix_ms)[0];
    const calls = Object.values<any>(raw.inference_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);
    const { page, errors } = await open('compaction-remote');
    const conv = page.getByTestId('conversation-panel');
    const row5 = conv.locator('[data-testid="conv-row"][data-item-id="conversation_item:5"]');
    await row5.scrollIntoViewIfNeeded();
    const mark = row5.getByTestId('mark-replaced');
    expect(await mark.textContent()).toMatch(/^replaced by compaction 1 at \d\d:\d\d:\d\d\.\d{3}$/);
    await page.screenshot({ path: screenshotPath('compaction-conversation-marks') });
    // One click: the compaction panel opens on compaction 1, focused on #5.
    await mark.getByRole('button', { name: 'compaction 1' }).click();
    await page.getByTestId('compaction-panel').waitFor();
    expect(await page.getByRole('tab', { name: 'Compactions' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('cmp-detail').getAttribute('data-event-key')).toBe(c1.compaction_id);
    const focus = page.getByTestId('cmp-focus');
    expect(await focus.textContent()).toMatch(/#5 was replaced here · last carried by Inference 2 · first call without it: Inference 3/);
    expect(await page.locator('.cmp-ba-before[data-item-id="conversation_item:5"] .cmp-item').getAttribute('class')).toContain('is-selected');
    await page.screenshot({ path: screenshotPath('compaction-focus-from-item') });
    // From there: the first inference call that no longer carried it.
    await focus.getByRole('button', { name: 'Inference 3' }).click();
    expect(await selection(page)).toEqual({ kind: 'inference_call', id: calls[2].inference_call_id });
    // Back to the conversation, in "Model saw" mode: that call's window, without #5.
    await page.getByRole('tab', { name: 'Conversation' }).click();
    await page.getByRole('radio', { name: 'Model saw' }).click();
    const shown = await page.getByTestId('conv-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
    expect(shown).toEqual(calls[2].request_item_ids);
    await page.screenshot({ path: screenshotPath('compaction-conversation-model-saw') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('compaction-local: the untraced shrinks are shown, with what the window lost', async () => {
    const { page, errors } = await open('compaction-local');
    await openCompactions(page);
    expect(await page.getByTestId('cmp-row').count()).toBe(2);
    expect(await page.getByTestId('cmp-row').first().textContent()).toContain('Untraced compaction 1');
    const removed = await page
      .getByTestId('cmp-before-after')
      .locator('.cmp-ba-before[data-relation="removed"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
    expect(removed).toEqual(['conversation_item:5', 'conversation_item:6', 'conversation_item:7', 'conversation_item:8']);
    await page.screenshot({ path: screenshotPath('compaction-untraced-local') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('compaction-failed: the failed attempt and its request payload', async () => {
    const { page, errors } = await open('compaction-failed', 'dark');
    await openCompactions(page);
    await page.getByTestId('cmp-row').first().click();
    expect(await selection(page)).toEqual({ kind: 'compaction_request', id: 'compaction_request:1' });
    const req = page.getByTestId('cmp-request');
    await req.getByRole('button', { name: /Request/ }).click();
    await req.locator('.json-tree').waitFor();
    await page.screenshot({ path: screenshotPath('compaction-failed-dark') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('long-session: three compactions, before/after of 57 → 5 items, in dark mode', async () => {
    const { page, errors } = await open('long-session', 'dark');
    await openCompactions(page);
    expect(await page.getByTestId('cmp-row').count()).toBe(3);
    await page.getByTestId('cmp-row').nth(2).click();
    await page.getByTestId('cmp-before-after').waitFor();
    await page.screenshot({ path: screenshotPath('compaction-long-session-dark') });
    expect(errors).toEqual([]);
    await context.close();
  });
});
