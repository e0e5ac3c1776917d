/** Opening traces in a real page and reading what it shows: shared by the loader and schema e2e tests. */
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { recordLongTasks, screenshotPath } from './browser';
import { officialCounts } from '../loader-helpers';

export interface PageProblems {
  errors: string[];
  cspViolations: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], cspViolations: [] };
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  const onConsole = (where: string) => (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') problems.errors.push(`${where}: ${m.text()}`);
    if (/Content Security Policy/i.test(m.text())) problems.cspViolations.push(`${where}: ${m.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('worker', (w) => w.on('console', onConsole('worker')));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await recordLongTasks(page);
  await page.goto(url);
  return { context, page, problems };
}

export type Phase = 'idle' | 'loading' | 'ready' | 'failed' | 'cancelled';

export function loadPhase(page: Page): Promise<{ phase: Phase; label: string | null }> {
  return page.evaluate(() => {
    const l = window.__traceStore!.getState().load;
    return { phase: l.phase, label: l.label };
  });
}

export async function waitForPhase(page: Page, phases: Phase[], label?: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction(
      ([phases, label]) => {
        const l = window.__traceStore?.getState().load;
        return !!l && (phases as string[]).includes(l.phase) && (label == null || l.label === label);
      },
      [phases, label ?? null] as const,
      { timeout },
    );
  } catch (e) {
    // Says where the page was instead: a drop that never started a load and one that failed look alike otherwise.
    const seen = await page
      .evaluate(() => ({ url: location.href, load: window.__traceStore?.getState().load ?? null }))
      .catch((why: unknown) => ({ unreadable: String(why) }));
    throw new Error(`waited for ${phases.join('/')}${label ? ` of ${label}` : ''}; the page has ${JSON.stringify(seen)}`, { cause: e });
  }
}

export function storeCounts(page: Page) {
  return page.evaluate(() => {
    const s = window.__traceStore!.getState().state!;
    const n = (o: object) => Object.keys(o).length;
    return {
      threads: n(s.threads),
      turns: n(s.codex_turns),
      items: n(s.conversation_items),
      inferenceCalls: n(s.inference_calls),
      toolCalls: n(s.tool_calls),
      compactions: n(s.compactions),
    };
  });
}

/** The counts the summary header shows (the shell's data-testid="summary-<name>"), once it shows them. */
export async function summaryCounts(page: Page) {
  const read = async (name: string) => Number(((await page.getByTestId(`summary-${name}`).textContent()) ?? '').replace(/[^\d]/g, ''));
  await page.getByTestId('summary-items').waitFor();
  return {
    threads: await read('agents'),
    turns: await read('turns'),
    items: await read('items'),
    inferenceCalls: await read('inference-calls'),
    toolCalls: await read('tool-calls'),
    compactions: await read('compactions'),
  };
}

/** Both the store and the painted summary agree with the official state.json. */
export async function expectCounts(page: Page, fixture: string) {
  const official = officialCounts(fixture);
  expect(await storeCounts(page)).toEqual(official);
  await expect.poll(() => summaryCounts(page), { timeout: 10_000 }).toEqual(official);
}

/** Dispatches a synthetic drop of in-memory files on the window, as a file manager would. */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[], screenshot?: string) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((payload) => {
    const dt = new DataTransfer();
    for (const f of payload) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name));
    }
    (window as unknown as { __dt: DataTransfer }).__dt = dt;
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  await page.getByTestId('drop-overlay').waitFor();
  if (screenshot) await page.screenshot({ path: screenshotPath(screenshot) });
  await page.evaluate(() => {
    const dt = (window as unknown as { __dt: DataTransfer }).__dt;
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
}
