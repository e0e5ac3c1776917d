import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropFromDisk, launch, longTasks, screenshotPath } from './browser';
import { E2E_DIST } from './global-setup';
import { TRACES, listFiles, officialCounts, tgzOf, zipOf } from '../loader-helpers';
import { formatBytes } from '../../src/ui/format';
import { dropFiles, expectCounts, loadPhase, openPage as openLoaderPage, summaryCounts, waitForPhase } from './loading';

/** Provided by test/e2e/global-setup.ts; absent when this file is picked up by the unit-test config, which then skips it. */
const baseUrl = inject('baseUrl');

let browser: Browser;
let context: BrowserContext;

async function openPage(url = baseUrl) {
  const opened = await openLoaderPage(browser, url);
  context = opened.context;
  return opened;
}

describe.skipIf(!baseUrl)('loading traces in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('served with several bundles, the root URL lists them; the chosen one opens under a strict CSP, and the list stays one click away', async () => {
    const { page, problems } = await openPage();
    // serve keeps a session list: the root URL shows it, one row per bundle it serves.
    const list = page.getByTestId('session-list');
    await list.waitFor();
    expect(await loadPhase(page)).toEqual({ phase: 'idle', label: null });
    const index = await page.evaluate(async () => (await (await fetch('/bundles/index.json')).json()).map((b: { name: string }) => b.name));
    const listed = await page.evaluate(async () => (await (await fetch('/bundles/sessions.json')).json()).sessions.map((r: { name: string }) => r.name));
    expect([...listed].sort()).toEqual([...index].sort());
    await page.screenshot({ path: screenshotPath('served-bundle-list') });
    const openRow = async (name: string) => {
      await page.getByLabel('Filter sessions').fill(name);
      await list.locator(`[data-testid="session-row"][data-name="${name}"]`).click();
    };
    await openRow('long-session');
    await waitForPhase(page, ['ready'], 'long-session');
    await expect.poll(() => new URL(page.url()).searchParams.get('trace')).toBe('long-session');
    await page.getByTestId('show-bundles').click();
    await openRow('traces/multi-agent');
    await waitForPhase(page, ['ready'], 'traces/multi-agent');
    await expectCounts(page, 'multi-agent');
    await page.getByTestId('show-bundles').click();
    await list.getByRole('button', { name: /^Back to / }).click();
    await list.waitFor({ state: 'detached' });
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitForPhase(page, ['ready'], 'long-session');
    await expectCounts(page, 'long-session');
    expect(await page.getByTestId('bundle-label').textContent()).toBe('long-session');
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('default-sample') });
    const tasks = await longTasks(page);
    const loadStart = await page.evaluate(() => performance.getEntriesByName('ctv:load-start')[0]?.startTime ?? 0);
    const longest = (ts: { duration: number }[]) => Math.max(0, ...ts.map((t) => t.duration)).toFixed(0);
    console.log(
      `long-session at startup: longest main-thread task ${longest(tasks)} ms from navigation (${tasks.length} long tasks; app start-up included), ` +
        `${longest(tasks.filter((t) => t.start >= loadStart))} ms after the load began`,
    );
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("a ?trace= link: the trace worker is told the bundle as it starts, and the bundle's tar is asked for once", async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const asked: string[] = [];
    const scripts: string[] = [];
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/bundles/')) asked.push(u.pathname + u.search);
      if (u.pathname.endsWith('.js')) scripts.push(u.pathname);
    });
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitForPhase(page, ['ready'], 'long-session');
    await expectCounts(page, 'long-session');
    // `serve` reduced it as the page named it: the worker read that state without ever loading its reducer or
    // decoders, which the build keeps in chunks of their own.
    const lazy = /^(reducer|zstddec-stream|load|warm-up)-[^/]*\.js$/;
    expect(readdirSync(path.join(E2E_DIST, 'assets')).filter((f) => lazy.test(f))).toHaveLength(4);
    expect(scripts.some((p) => /\/assets\/trace\.worker-[^/]*\.js$/.test(p))).toBe(true);
    expect(scripts.filter((p) => lazy.test(path.basename(p)))).toEqual([]);
    const tar = '/bundles/long-session/?pack=tar&or=reduced';
    // Asked for by the worker's first module (src/worker/prefetch.ts), and that answer used: no second request.
    const names = await Promise.all(page.workers().map((w) => w.evaluate(() => (self as unknown as { name: string }).name)));
    expect(names).toEqual([`trace load=long-session ${encodeURIComponent(new URL('/bundles/long-session/', baseUrl).href)}`]);
    expect(asked.filter((u) => u === tar)).toHaveLength(1);
    await context.close();
  });

  it("a ?trace= link's worker loads the bundle while the page's thread is still busy starting the app", async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The app's main chunk made to hold the page's thread for 2 s as it starts, as a slow machine's start-up would.
    await page.route(/\/assets\/index-[^/]*\.js$/, async (route) => {
      const response = await route.fetch();
      const busy = 'for (const end = performance.now() + 2000; performance.now() < end; );globalThis.__busyUntil = performance.timeOrigin + performance.now();';
      await route.fulfill({ response, body: busy + (await response.text()) });
    });
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitForPhase(page, ['ready'], 'long-session');
    await expectCounts(page, 'long-session');
    // The worker began the load (its `requestAt`, wall-clock ms) before the page's thread was free to ask for it.
    const { busyUntil, loadBegan } = await page.evaluate(() => ({
      busyUntil: (globalThis as { __busyUntil?: number }).__busyUntil ?? 0,
      loadBegan:
        ((performance.getEntriesByName('ctv:result-received')[0] as PerformanceMark | undefined)?.detail as { requestAt?: number } | undefined)?.requestAt ??
        Infinity,
    }));
    expect(busyUntil).toBeGreaterThan(0);
    expect(loadBegan).toBeLessThan(busyUntil - 1000);
    await context.close();
  });

  it('a ?trace= link shows its bundle loading before the app has started, then the app takes the load over', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The app's main chunk held back, as a slow start would: what shows meanwhile is the first script's.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/assets\/index-[^/]*\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${baseUrl}?trace=long-session`, { waitUntil: 'commit' });
    const boot = page.getByTestId('boot-progress');
    await boot.waitFor();
    expect(await boot.textContent()).toContain('Loading long-session');
    await page.screenshot({ path: screenshotPath('boot-progress') });
    release();
    await waitForPhase(page, ['ready'], 'long-session');
    await expectCounts(page, 'long-session');
    expect(await boot.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a folder with the folder picker', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    await page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'compaction-remote'));
    await waitForPhase(page, ['ready'], 'compaction-remote');
    await expectCounts(page, 'compaction-remote');
    await page.screenshot({ path: screenshotPath('folder-compaction-remote') });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('opens a folder dragged from the file manager (a real drag and drop), with the page responsive throughout', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    const started = await page.evaluate(() => performance.now());
    await dropFromDisk(page, path.join(TRACES, 'long-session'));
    await waitForPhase(page, ['ready'], 'long-session');
    await expectCounts(page, 'long-session');
    // Reading and reducing happen in the worker: no task on the page comes near freezing it.
    const tasks = (await longTasks(page)).filter((t) => t.start >= started);
    expect(Math.max(0, ...tasks.map((t) => t.duration))).toBeLessThan(500);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a trace root dragged from the file manager lists its sessions from their manifests, then fills in each from its own reduction', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ctv-root-'));
    const root = path.join(scratch, 'root');
    const names = ['long-session', 'multi-agent', 'compaction-remote', 'tools-one-turn'];
    try {
      for (const n of names) cpSync(path.join(TRACES, n), path.join(root, n), { recursive: true });
      cpSync(path.join(TRACES, 'broken', 'truncated-mid-file'), path.join(root, 'cut-short'), { recursive: true });
      const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
      await waitForPhase(page, ['ready']);
      await dropFromDisk(page, root);
      const list = page.getByTestId('session-list');
      await list.waitFor();
      await page.waitForFunction(() => !document.querySelector('.sess-progress'), null, { timeout: 60_000 });
      await page.screenshot({ path: screenshotPath('dropped-root-sessions') });
      const cell = (name: string, column: string) => list.locator(`[data-testid="session-row"][data-name="root/${name}"] .sess-cell-${column}`).textContent();
      for (const n of names) {
        const official = officialCounts(n);
        expect(await cell(n, 'calls')).toBe(String(official.inferenceCalls));
        expect(await cell(n, 'tools')).toBe(String(official.toolCalls));
        // Measured once read: every file of the bundle's folder, as a drop read whole counts them.
        const bytes = listFiles(path.join(root, n)).reduce((sum, rel) => sum + statSync(path.join(root, rel)).size, 0);
        expect(await cell(n, 'size')).toBe(formatBytes(bytes));
      }
      expect(await cell('cut-short', 'status')).toBe('partial');
      // Opening a row reads that bundle again and shows the official reduction.
      await list.locator('[data-testid="session-row"][data-name="root/long-session"]').click();
      await waitForPhase(page, ['ready'], 'root/long-session');
      await expectCounts(page, 'long-session');
      expect(problems.errors).toEqual([]);
      await context.close();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('opens a dropped .zip', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    await dropFiles(page, [{ name: 'multi-agent.zip', bytes: zipOf(['multi-agent']) }], 'drop-overlay');
    await waitForPhase(page, ['ready'], 'multi-agent.zip/multi-agent');
    await expectCounts(page, 'multi-agent');
    await page.screenshot({ path: screenshotPath('zip-multi-agent') });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('opens a .tar.gz picked with the file picker', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    await page.getByTestId('file-input').setInputFiles({ name: 'tools.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from(tgzOf('tools-one-turn')) });
    await waitForPhase(page, ['ready'], 'tools.tar.gz/tools-one-turn');
    await expectCounts(page, 'tools-one-turn');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a truncated trace: the banner names file, line and seq, above the partial data', async () => {
    const { page } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    await page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'broken/truncated-mid-file'));
    await waitForPhase(page, ['failed'], 'truncated-mid-file');
    const banner = page.getByTestId('load-banner');
    expect(await banner.getAttribute('data-kind')).toBe('partial');
    expect(await banner.getByTestId('load-error-line').textContent()).toBe('line 10');
    expect(await banner.getByTestId('load-error-seq').textContent()).toBe('seq 10');
    expect(await page.evaluate(() => window.__traceStore!.getState().state !== null)).toBe(true);
    // The partial data (what was read before line 10) is on screen below the banner.
    const items = await summaryCounts(page);
    expect(items.threads).toBe(1);
    const bannerBox = (await banner.boundingBox())!;
    const summaryBox = (await page.getByTestId('summary-items').boundingBox())!;
    const workspaceBox = (await page.locator('.workspace').boundingBox())!;
    expect(bannerBox.y).toBeLessThan(workspaceBox.y);
    expect(summaryBox.y).toBeLessThan(bannerBox.y); // header summary above, notices, then the data
    await page.screenshot({ path: screenshotPath('broken-truncated-mid-file') });
    await context.close();
  });

  it('an unknown event type: the group of the skipped event names its type, line and seq', async () => {
    const { page } = await openPage(`${baseUrl}?trace=traces/broken/unknown-event-type`);
    await waitForPhase(page, ['ready', 'failed'], 'traces/broken/unknown-event-type');
    const diags = page.getByTestId('load-diagnostics');
    await diags.locator('summary').click();
    const d = diags.getByTestId('load-diagnostic').first();
    expect(await d.textContent()).toMatch(/totally_unknown_event.*line 7.*seq 6/);
    await d.locator('summary').click();
    // The occurrence list is virtualized: its rows come with the frame after the group opens.
    await expect.poll(() => d.getByTestId('load-diagnostic-occurrence').allTextContents()).toEqual(['trace.jsonl line 7, seq 6']);
    await page.screenshot({ path: screenshotPath('broken-unknown-event-type') });
    await context.close();
  });

  it('a folder holding several bundles of one resumed session: its session list, summarised and searched in the worker; pick one, open a hit', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    await page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'multi-turn-resume'));
    const list = page.getByTestId('session-list');
    await list.waitFor();
    // Summarised in the background: the three bundles fold into one session, its resumes under it.
    await page.waitForFunction(() => !document.querySelector('.sess-progress') && document.querySelectorAll('[data-testid="session-row"]').length === 1, null, {
      timeout: 30_000,
    });
    expect(await list.getByTestId('session-row').first().getAttribute('data-name')).toBe('multi-turn-resume');
    await list.locator('.sess-resumes').click();
    expect(await list.getByTestId('session-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name))).toEqual([
      'multi-turn-resume',
      'multi-turn-resume/bundle-2',
      'multi-turn-resume/bundle-3',
    ]);
    expect(await list.getByTestId('session-row').first().textContent()).toMatch(/complete/);
    await page.screenshot({ path: screenshotPath('bundle-picker') });
    await list.locator('[data-testid="session-row"][data-name="multi-turn-resume/bundle-3"]').click();
    await waitForPhase(page, ['ready'], 'multi-turn-resume/bundle-3');
    await expectCounts(page, 'multi-turn-resume/bundle-3');

    // Back on the list, a search inside all its bundles (scanned in the worker): hits grouped by bundle, words marked.
    await page.getByTestId('show-bundles').click();
    await list.waitFor();
    const results = page.getByTestId('session-search-results');
    const groups = () => results.locator('.sess-search-group').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    await page.getByLabel('Search inside all sessions').fill('remember 42');
    await expect.poll(groups).toEqual(expect.arrayContaining(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']));
    // The resume with the most of it first.
    expect((await groups())[0]).toBe('multi-turn-resume/bundle-3');
    expect(await results.locator('.sess-search-head').textContent()).toMatch(/^\d+ hits in 3 sessions$/);
    expect(await results.locator('mark').allTextContents()).toEqual(expect.arrayContaining(['remember', '42']));
    await page.screenshot({ path: screenshotPath('dropped-root-search-1280') });
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.screenshot({ path: screenshotPath('dropped-root-search-1600') });
    await page.setViewportSize({ width: 1280, height: 800 });
    // An id one bundle holds, and text none does.
    await page.getByLabel('Search inside all sessions').fill('rs_0009');
    await expect.poll(groups).toEqual(['multi-turn-resume/bundle-3']);
    await page.getByLabel('Search inside all sessions').fill('xyzzy-not-there');
    await expect.poll(() => results.locator('.sess-search-head').textContent()).toBe('No hits');
    // A hit in another bundle opens that bundle with the hit selected.
    await page.getByLabel('Search inside all sessions').fill('count the files');
    await expect.poll(groups).toEqual(expect.arrayContaining(['multi-turn-resume/bundle-2']));
    await results.getByRole('region', { name: 'multi-turn-resume/bundle-2' }).getByTestId('search-hit').filter({ hasText: 'conversation_item:7' }).click();
    await page.waitForFunction(
      () => {
        const s = window.__traceStore?.getState();
        return (
          s?.load.phase === 'ready' &&
          s.load.label === 'multi-turn-resume/bundle-2' &&
          s.selection?.kind === 'conversation_item' &&
          s.selection.id === 'conversation_item:7'
        );
      },
      null,
      { timeout: 30_000 },
    );
    await list.waitFor({ state: 'detached' });
    await expectCounts(page, 'multi-turn-resume/bundle-2');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Cancel stops a load in progress and keeps the trace that was open', async () => {
    const { page } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitForPhase(page, ['ready']);
    // Hold the long-session download so that the load is still running when Cancel is clicked.
    let held = false;
    await page.route('**/bundles/long-session/**', async (route) => {
      held = true;
      await new Promise((r) => setTimeout(r, 20_000));
      await route.abort().catch(() => {});
    });
    void page.evaluate(() => window.__traceClient!.loadUrl('long-session'));
    const progress = page.getByTestId('load-progress');
    await progress.waitFor();
    await expect.poll(() => held).toBe(true);
    expect(await progress.textContent()).toContain('Loading long-session');
    await page.screenshot({ path: screenshotPath('loading-progress') });
    await progress.getByTestId('load-cancel').click();
    await waitForPhase(page, ['cancelled']);
    await progress.waitFor({ state: 'detached' });
    expect(await page.getByTestId('load-banner').getAttribute('data-kind')).toBe('cancelled');
    // The previous trace stays.
    await expectCounts(page, 'single-turn-answer');
    await page.screenshot({ path: screenshotPath('cancelled') });
    await context.close();
  });

  it('search runs in the worker, and payload bodies are read from it on demand', async () => {
    const { page, problems } = await openPage(`${baseUrl}?trace=long-session`);
    await waitForPhase(page, ['ready'], 'long-session');
    await page.getByRole('searchbox', { name: 'Search the trace' }).or(page.getByLabel('Search the trace')).first().fill('echo step-42;');
    const hits = page.getByTestId('search-hit');
    await hits.first().waitFor();
    expect(await hits.count()).toBeGreaterThan(0);
    expect(await page.getByTestId('search-results').textContent()).toContain('step-42');
    // The same query straight to the worker: a tool call with its thread, and the snippet around the match.
    const direct = await page.evaluate(() => window.__traceClient!.search('echo step-42;', 10));
    expect(direct).toContainEqual(expect.objectContaining({ kind: 'tool_call', snippet: expect.stringContaining('echo step-42;') }));
    await hits.first().click();
    const payload = page.locator('[data-testid^="payload-raw_payload:"]').first();
    await payload.locator('.payload-toggle').click();
    await payload.locator('.payload-body').waitFor();
    await expect.poll(async () => (await payload.locator('.payload-body').textContent()) ?? '').not.toContain('Reading');
    expect(await payload.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('search-and-payload') });
    // And directly: the body of payloads/1.json (session metadata) comes back parsed.
    const meta = (await page.evaluate(() => window.__traceClient!.readPayload('payloads/1.json'))) as { thread_id?: string };
    expect(typeof meta.thread_id).toBe('string');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
