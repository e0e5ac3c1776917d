/**
 * Share links (issue 8): a copied link reopens the same trace and view in a
 * fresh browser; old (v1) links still open; browser Back/Forward step through
 * selections; dropped bundles come back from the recent-bundles cache or are
 * asked for; `serve` refuses paths outside its roots; an exported HTML file
 * opens from file:// with no network and shows the view.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch, screenshotPath } from './browser';
import { TRACES } from '../loader-helpers';

const baseUrl = inject('baseUrl');

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterEach(async () => {
  // Each test's browsers go away with it (two cores are shared: idle pages still cost).
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});
afterAll(async () => {
  await browser?.close();
});

async function freshPage(
  opts: { colorScheme?: 'light' | 'dark'; context?: BrowserContext } = {},
): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context =
    opts.context ??
    (await browser.newContext({
      viewport: { width: 1400, height: 860 },
      colorScheme: opts.colorScheme ?? 'light',
      permissions: ['clipboard-read', 'clipboard-write'],
    }));
  if (!opts.context) contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, context, errors };
}

async function waitReady(page: Page, label?: string): Promise<void> {
  await page.waitForFunction(
    (label) => {
      const s = window.__traceStore?.getState();
      return !!s && s.load.phase === 'ready' && (label == null || s.bundleLabel === label);
    },
    label ?? null,
    { timeout: 30_000 },
  );
}

function view(page: Page) {
  return page.evaluate(() => {
    const s = window.__traceStore!.getState();
    return {
      label: s.bundleLabel,
      hash: s.bundleHash,
      servedName: s.servedName,
      selection: s.selection,
      viewport: s.viewport,
      thread: s.activeThreadId,
      center: s.panels.center,
      pending: s.pendingView !== null,
    };
  });
}

/** A tool call (one in a non-root thread when there is one) and a 1 s window around its start. */
async function pickTarget(page: Page) {
  return page.evaluate(() => {
    const s = window.__traceStore!.getState().state!;
    const all = Object.values(s.tool_calls);
    const nonRoot = all.filter((c) => c.thread_id !== s.root_thread_id);
    const pool = nonRoot.length ? nonRoot : all;
    const c = pool[Math.floor(pool.length / 2)];
    const start = c.execution.started_at_unix_ms;
    return { ref: { kind: 'tool_call' as const, id: c.tool_call_id }, thread: c.thread_id, window: { startMs: start - 200, endMs: start + 800 } };
  });
}

describe('share links', () => {
  it('a copied link opens the same trace, selection and time window in a fresh browser', async () => {
    const a = await freshPage();
    await a.page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(a.page, 'long-session');
    const t = await pickTarget(a.page);
    await a.page.evaluate((t) => {
      const st = window.__traceStore!.getState();
      st.select(t.ref);
      st.setViewport(t.window);
    }, t);
    await a.page.getByTestId('copy-link').click();
    await a.page.getByTestId('share-notice').getByText('Link copied').waitFor();
    const link = await a.page.evaluate(() => navigator.clipboard.readText());
    expect(link).toContain('?trace=long-session#view=');
    const before = await view(a.page);
    expect(before.hash).toMatch(/^[0-9a-f]{64}$/);

    // A second browser context: no shared storage, history or clipboard.
    const b = await freshPage();
    await b.page.goto(link);
    await waitReady(b.page, 'long-session');
    await b.page.waitForFunction(() => window.__traceStore!.getState().selection !== null);
    const after = await view(b.page);
    expect(after.selection).toEqual(t.ref);
    expect(after.viewport).toEqual(t.window);
    expect(after.thread).toBe(t.thread);
    // The content hash follows the drawn trace (the worker hashes once the page has drawn it).
    await expect.poll(async () => (await view(b.page)).hash).toBe(before.hash);
    // What the user sees: the inspector shows the selected call; the timeline shows the 1 s window.
    await expect.poll(() => b.page.locator('.insp-title').getAttribute('title')).toBe(t.ref.id);
    await expect.poll(() => b.page.getByTestId('timeline-window').textContent()).toMatch(/^1\.00 s/);
    await b.page.screenshot({ path: screenshotPath('share-link-opened') });
    expect(b.errors).toEqual([]);
  });

  it('the c shortcut copies the link and the ? map lists it', async () => {
    const { page } = await freshPage({ colorScheme: 'dark' });
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(page, 'long-session');
    await page.keyboard.press('c');
    await page.getByTestId('share-notice').getByText('Link copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('#view=');
    await page.screenshot({ path: screenshotPath('share-copied-dark') });
    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcuts').textContent()).toContain('Copy a link to this view');
    // A real modal: the page behind is inert, Tab stays inside, a click on the backdrop closes it.
    expect(await page.evaluate(() => document.querySelector('dialog.modal')?.matches(':modal'))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog.modal'))).toBe(true);
    await page.mouse.click(10, 790);
    await expect.poll(() => page.locator('dialog.modal').count()).toBe(0);
    await page.keyboard.press('?');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog.modal').count()).toBe(0);
  });

  it('browser Back and Forward step through selections', async () => {
    const { page } = await freshPage();
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(page, 'long-session');
    const ids = await page.evaluate(() => Object.keys(window.__traceStore!.getState().state!.tool_calls).slice(0, 3));
    for (const id of ids) {
      await page.evaluate((id) => window.__traceStore!.getState().select({ kind: 'tool_call', id }), id);
      await page.waitForFunction((id) => decodeURIComponent(location.hash).includes(id), id);
      await page.waitForTimeout(400); // separate clicks (a faster run shares one history entry)
    }
    await page.goBack();
    await expect.poll(async () => (await view(page)).selection?.id).toBe(ids[1]);
    await page.goBack();
    await expect.poll(async () => (await view(page)).selection?.id).toBe(ids[0]);
    await page.goForward();
    await expect.poll(async () => (await view(page)).selection?.id).toBe(ids[1]);
    // Still the same document: no reload between steps.
    expect((await view(page)).label).toBe('long-session');
  });

  it('a v1 link (no trace reference) is upgraded and opens its selection', async () => {
    const { page, errors } = await freshPage();
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(page, 'long-session');
    const t = await pickTarget(page);
    const v1 = {
      v: 1,
      thread: t.thread,
      selection: t.ref,
      window: t.window,
      filters: { kinds: [], statuses: [], threadIds: [], text: '' },
      panels: { center: 'conversation' },
    };
    const { page: p2 } = await freshPage();
    await p2.goto(`${baseUrl}?trace=long-session#view=${encodeURIComponent(JSON.stringify(v1))}`);
    await waitReady(p2, 'long-session');
    await p2.waitForFunction(() => window.__traceStore!.getState().selection !== null);
    const after = await view(p2);
    expect(after.selection).toEqual(t.ref);
    expect(after.viewport).toEqual(t.window);
    // The URL is rewritten as v2, now naming the trace.
    await p2.waitForFunction(() => decodeURIComponent(location.hash).includes('"v":2'));
    const hash = await p2.evaluate(() => JSON.parse(new URLSearchParams(location.hash.slice(1)).get('view')!));
    expect(hash.trace).toMatchObject({ name: 'long-session' });
    expect(errors).toEqual([]);
  });

  it('a dropped bundle reopens from the recent cache; elsewhere the link asks for it and restores the view once dropped', async () => {
    const { page, context } = await freshPage();
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(page);
    // Drop-equivalent: the folder picker with the bundle's files.
    await page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'multi-agent'));
    await waitReady(page, 'multi-agent');
    const t = await pickTarget(page);
    await page.evaluate((t) => window.__traceStore!.getState().select(t.ref), t);
    await page.getByTestId('copy-link').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const linkUrl = new URL(link);
    expect(linkUrl.searchParams.get('trace')).toBeNull();
    const vs = JSON.parse(new URLSearchParams(linkUrl.hash.slice(1)).get('view')!);
    expect(vs.trace.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(vs.trace.label).toBe('multi-agent');

    // Same browser profile, new tab: reopened from IndexedDB.
    await expect.poll(async () => (await page.evaluate(() => window.__traceClient!.listRecent())).map((b) => b.hash)).toContain(vs.trace.hash);
    const same = await context.newPage();
    await same.goto(link);
    await waitReady(same, 'multi-agent');
    await same.waitForFunction(() => window.__traceStore!.getState().selection !== null);
    expect((await view(same)).selection).toEqual(t.ref);
    await same.close();

    // Another profile: asked to drop the bundle; the view is restored when it arrives.
    const other = await freshPage({ colorScheme: 'dark' });
    await other.page.goto(link);
    const banner = other.page.getByTestId('pending-view');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`Drop the bundle this link calls “multi-agent” (${vs.trace.hash.slice(0, 12)}) to continue`);
    await other.page.screenshot({ path: screenshotPath('share-drop-to-continue') });
    await other.page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'multi-agent'));
    await waitReady(other.page, 'multi-agent');
    await other.page.waitForFunction(() => window.__traceStore!.getState().selection !== null);
    expect((await view(other.page)).selection).toEqual(t.ref);
    await expect.poll(() => banner.count()).toBe(0);

    // Forget: the recent list empties.
    const home = await context.newPage();
    await home.goto(`${baseUrl}?trace=no-such-bundle`); // nothing loads: the welcome screen lists recent bundles
    await home.getByTestId('recent-bundles').waitFor();
    await home.screenshot({ path: screenshotPath('share-recent-bundles') });
    await home.getByTestId('forget-recent').click();
    await expect.poll(() => home.getByTestId('recent-bundles').count()).toBe(0);
    expect(await home.evaluate(() => window.__traceClient!.listRecent())).toEqual([]);
  });
});

describe('serve refuses paths outside its roots', () => {
  function rawGet(p: string): Promise<number> {
    const u = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: p, method: 'GET', headers: { host: u.host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers traversal attempts with 403/400/404, never the file', async () => {
    for (const p of [
      '/bundles/traces/../../../package.json',
      '/bundles/traces/..%2f..%2f..%2fpackage.json',
      '/bundles/traces/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/bundles/traces/..%5c..%5cpackage.json',
      '/bundles/long-session/%2e%2e%2fstate.json',
      '/../package.json',
      '/%2e%2e/package.json',
      '/bundles/traces/long-session/%00/manifest.json',
      '/bundles/%2e%2e/package.json',
    ]) {
      const status = await rawGet(p);
      expect([400, 403, 404], p).toContain(status);
    }
    // The legitimate path is served (so the refusals above are not just a dead server).
    expect(await rawGet('/bundles/traces/long-session/manifest.json')).toBe(200);
  });

  it('in the browser, a ?trace= that climbs out of the roots loads nothing', async () => {
    const { page } = await freshPage();
    const responses: { url: string; status: number }[] = [];
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
    await page.goto(`${baseUrl}?trace=${encodeURIComponent('traces/../../..')}`);
    await page.waitForFunction(() => ['failed', 'ready'].includes(window.__traceStore!.getState().load.phase), null, { timeout: 30_000 });
    expect((await view(page)).label).not.toBe('long-session');
    expect(await page.evaluate(() => window.__traceStore!.getState().state)).toBeNull();
    expect(responses.filter((r) => r.url.includes('/bundles/') && r.status === 200 && !r.url.endsWith('index.json'))).toEqual([]);
  });
});

describe('export', () => {
  it('the exported HTML opens from file:// with no network and shows the view', async () => {
    const { page } = await freshPage();
    await page.goto(`${baseUrl}?trace=long-session`);
    await waitReady(page, 'long-session');
    const t = await pickTarget(page);
    await page.evaluate((t) => {
      const st = window.__traceStore!.getState();
      st.select(t.ref);
      st.setViewport(t.window);
    }, t);
    const { file, html } = await exportHtml(page);
    expect(path.basename(file)).toBe('long-session.html');
    expect(html).toMatch(/connect-src data:;/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
    writeFileSync(path.join(path.dirname(file), 'size.txt'), String(html.length));

    const { page: off, errors, csp, requests } = await openOffline(file);
    await off.locator('.insp-title').waitFor({ timeout: 30_000 });
    await expect.poll(() => off.locator('.insp-title').getAttribute('title')).toBe(t.ref.id);
    await expect.poll(() => off.getByTestId('timeline-window').textContent()).toMatch(/^1\.00 s/);
    await expect.poll(() => off.getByTestId('bundle-label').textContent()).toBe('long-session');
    await off.screenshot({ path: screenshotPath('share-export-offline') });
    // The tabs the served page loads as chunks of their own are inside the one exported script.
    await off.locator('#tab-tokens').click();
    await off.getByTestId('tokens-panel').waitFor();
    await off.locator('#tab-compaction').click();
    await off.getByTestId('compaction-panel').waitFor();
    expect(outsideRequests(requests)).toEqual([]);
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an exported schema-3 trace decodes its zstd shards offline, under the page CSP', async () => {
    const { page } = await freshPage();
    await page.goto(`${baseUrl}?trace=traces-schema3/compaction-remote`);
    await waitReady(page, 'traces-schema3/compaction-remote');
    const { file } = await exportHtml(page);
    const { page: off, errors, csp, requests } = await openOffline(file);
    await expect.poll(() => off.getByTestId('summary-schema').textContent(), { timeout: 30_000 }).toBe('schema 3 · Codex 0.171.0');
    const official = JSON.parse(readFileSync(path.join(FIXTURES, 'traces-schema3/compaction-remote/state.json'), 'utf8'));
    await expect.poll(() => off.getByTestId('summary-items').textContent()).toContain(String(Object.keys(official.conversation_items).length));
    expect(outsideRequests(requests)).toEqual([]);
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
  });
});

/** Clicks "Export HTML" and saves the download into a scratch folder. */
async function exportHtml(page: Page): Promise<{ file: string; html: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-html').click()]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctv-export-'));
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { file, html: readFileSync(file, 'utf8') };
}

/** Opens an exported file in an offline context, collecting requests and CSP reports. */
async function openOffline(file: string) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, offline: true });
  contexts.push(context);
  const requests: string[] = [];
  context.on('request', (r: Request) => requests.push(r.url()));
  const { page, errors } = await freshPage({ context });
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors, csp, requests };
}

const outsideRequests = (requests: string[]) => requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:'));
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
