/** Headless Chromium for the e2e tests and the browser benchmark. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/ensure-chromium.sh (as root) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, `${name}.png`);
}

/** Records main-thread long tasks from the start of the page (PerformanceObserver 'longtask'). */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * A real drag and drop of `file` (a folder or a file on disk) onto the middle of
 * the page, as a file manager delivers one: Chromium's Input.dispatchDragEvent,
 * so the page gets the entries and handles it would from the desktop.
 *
 * A mouse delivers many dragovers before the drop; three CDP calls in a row
 * can reach the browser before the page's answer to the dragover, and Chromium
 * then ends the drag with a dragleave instead of a drop (a busy CI machine saw
 * a folder "dropped" that the page never received). So the drop waits until
 * the page shows it is over a drop target, and is made again if the page did
 * not receive it.
 */
export async function dropFromDisk(page: Page, file: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [droppable(path.resolve(file))], dragOperationsMask: 1 };
  // Drops the page has received so far (counted from the first call on this page).
  const before = await page.evaluate(() => {
    const w = window as unknown as { __ctvDrops?: number };
    if (w.__ctvDrops === undefined) {
      w.__ctvDrops = 0;
      window.addEventListener('drop', () => w.__ctvDrops!++, true);
    }
    return w.__ctvDrops;
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x: 640, y: 400, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x: 640, y: 400, data });
    await page.getByTestId('drop-overlay').waitFor({ state: 'attached', timeout: 5_000 });
    await page.waitForTimeout(50);
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x: 641, y: 400, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', x: 641, y: 400, data });
    const delivered = await page
      .waitForFunction((n) => ((window as unknown as { __ctvDrops?: number }).__ctvDrops ?? 0) > n, before, { timeout: 2_000 })
      .then(
        () => true,
        () => false,
      );
    if (delivered) break;
    console.warn(`dropFromDisk: Chromium did not deliver the drop of ${file} (attempt ${attempt + 1}); dragging it again`);
  }
  await cdp.detach();
}

/**
 * Chromium refuses file-system handles for what is dropped from ~/.cache (where
 * the benchmarks keep their recordings) and asks the user about it in a modal
 * dialog. Headless, nobody answers it, and until then the page gets no mouse or
 * keyboard input at all. Such a folder is dropped from a mirror of hard links
 * under the temp folder instead: no bytes are copied where the two share a
 * file system.
 */
const mirrors = new Map<string, string>();
function droppable(file: string): string {
  const blocked = path.join(os.homedir(), '.cache');
  if (path.relative(blocked, file).startsWith('..')) return file;
  let mirror = mirrors.get(file);
  if (!mirror) {
    mirror = path.join(mkdtempSync(path.join(os.tmpdir(), 'ctv-drop-')), path.basename(file));
    try {
      execFileSync('cp', ['-al', file, mirror]);
    } catch {
      execFileSync('cp', ['-r', file, mirror]); // the temp folder is on another file system
    }
    mirrors.set(file, mirror);
  }
  return mirror;
}

export async function longTasks(page: Page): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
}

/**
 * Open a served fixture (`?trace=traces/<name>`) in a fresh context and wait until it is loaded.
 * Page errors and console errors are collected in `errors` for the test to assert on.
 */
export async function openTrace(
  browser: Browser,
  baseUrl: string,
  trace: string,
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 1000 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${baseUrl}?trace=traces/${trace}`);
  await page.waitForFunction(
    (label) => {
      const l = (window as unknown as { __traceStore?: { getState(): { load: { phase: string; label: string | null } } } }).__traceStore?.getState().load;
      return !!l && l.phase === 'ready' && l.label === label;
    },
    `traces/${trace}`,
    { timeout: 30_000 },
  );
  return { context, page, errors };
}
