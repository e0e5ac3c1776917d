/**
 * A trace root as the viewer's home (issue 19), in Chromium: the root URL of
 * `serve <root>` shows the session table, a session Codex starts recording
 * shows up while the page is open, a search across sessions finds text in
 * one bundle's terminal output, and its hit opens that trace with the object
 * selected. Screenshots at 1280×800 and 1600×1000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServeHandle } from '../../src/cli/serve';
import { launch, screenshotPath } from './browser';
import { E2E_DIST } from './global-setup';
import { TRACES } from '../loader-helpers';

let browser: Browser;
let tmp: string;
let root: string;
let h: ServeHandle;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-sessions-e2e-'));
  root = path.join(tmp, 'traces');
  // Not single-turn-answer: the cut-short copy below shares its rollout id, and would show as its resume.
  for (const n of ['code-mode', 'tools-one-turn', 'multi-agent', 'compaction-remote']) cpSync(path.join(TRACES, n), path.join(root, n), { recursive: true });
  cpSync(path.join(TRACES, 'broken', 'truncated-mid-file'), path.join(root, 'cut-short'), { recursive: true });
  h = await serve({
    roots: [root],
    port: 0,
    distDir: E2E_DIST,
    log: () => {},
    sessions: { cacheFile: path.join(tmp, 'cache', 'sessions.json'), indexFile: path.join(tmp, 'cache', 'search.sqlite'), pollMs: 200 },
  });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the session list of a served trace root', () => {
  it('lists every session, follows a new one, searches across them and opens a hit at its object', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(h.url);
    const rows = page.getByTestId('session-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="session-row"]').length === 5, null, { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('.sess-progress'), null, { timeout: 60_000 });
    expect(await rows.filter({ hasText: 'traces/tools-one-turn' }).getByText('complete').count()).toBe(1);
    expect(await rows.filter({ hasText: 'traces/cut-short' }).getByText('partial').count()).toBe(1);
    // Nothing of the table is cut at 1280 wide: the page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: screenshotPath('sessions-1280') });

    // A session appears while the page is open.
    cpSync(path.join(TRACES, 'image-input'), path.join(root, 'image-input'), { recursive: true });
    await page.locator('[data-testid="session-row"][data-name="traces/image-input"]').waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(6);

    await page.getByLabel('Search inside all sessions').fill('missing-file.txt');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'terminal_operation:4' });
    await hit.waitFor({ timeout: 20_000 });
    expect(await page.locator('.sess-search-group').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('sessions-search-1280') });
    await hit.click();
    await page.waitForFunction(
      () => {
        const s = window.__traceStore?.getState();
        return s?.load.phase === 'ready' && s.selection?.kind === 'terminal_operation' && s.selection.id === 'terminal_operation:4';
      },
      null,
      { timeout: 30_000 },
    );
    // The address bar follows (written a moment after the view settles): the link reopens this trace at this object.
    await expect.poll(() => new URL(page.url()).searchParams.get('trace')).toBe('traces/tools-one-turn');

    // The header's bundle button brings the list back over the open trace; Esc (outside the text fields) returns to it.
    await page.getByTestId('show-bundles').click();
    await page.getByTestId('session-list').waitFor();
    // The search is still there to go on from; cleared, the table marks the open trace.
    await page.getByTestId('session-search-results').waitFor();
    await page.getByLabel('Search inside all sessions').fill('');
    expect(await page.locator('.sess-row.is-current').getAttribute('data-name')).toBe('traces/tools-one-turn');
    await page.locator('.sess-row.is-current').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('session-list').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the list is a link: its filter and order come back in a fresh browser, and closing it gives the URL back', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(h.url);
    await page.getByTestId('session-row').first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Filter sessions').fill('multi');
    await expect.poll(() => page.getByTestId('session-row').count()).toBe(1);
    await expect.poll(() => page.url()).toContain('?sessions#list=');
    const link = page.url();
    await context.close();

    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p2 = await fresh.newPage();
    await p2.goto(link);
    await p2.getByTestId('session-row').first().waitFor({ timeout: 30_000 });
    expect(await p2.getByLabel('Filter sessions').inputValue()).toBe('multi');
    expect(await p2.getByTestId('session-row').count()).toBe(1);
    // Opening the row opens its trace, and the address bar leaves the list for the trace.
    await p2.getByTestId('session-row').first().click();
    await expect.poll(() => new URL(p2.url()).searchParams.get('trace')).toBe('traces/multi-agent');
    expect(new URL(p2.url()).searchParams.has('sessions')).toBe(false);
    await fresh.close();
  }, 90_000);

  it('at 1600×1000 the session column gets the extra room', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(h.url);
    await page.getByTestId('session-row').first().waitFor({ timeout: 30_000 });
    const w = await page.locator('th', { hasText: 'Session' }).evaluate((el) => el.getBoundingClientRect().width);
    expect(w).toBeGreaterThan(500);
    await page.screenshot({ path: screenshotPath('sessions-1600') });
    await context.close();
  }, 60_000);
});
