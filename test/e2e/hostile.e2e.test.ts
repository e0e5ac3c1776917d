/**
 * Hostile input in Chromium:
 *  - seeded mutants of the corpus (scripts/lib/mutate.ts + hostile.ts, the
 *    same generator as `npm run fuzz`) opened with the folder picker, one after
 *    another in one page: no uncaught error, never a white screen, a banner
 *    naming file/line/seq when the bundle is bad, partial data shown.
 *    HOSTILE_E2E_CASES sets how many (default 40; the full run uses 200).
 *  - a real bundle whose conversation items, tool outputs, terminal output and
 *    ids carry HTML/JS/CSS payloads, bidi and zero-width characters and ANSI
 *    escapes, shown in every panel: nothing executes (dialog, console and
 *    `window.__pwned` canaries, no CSP violation, no element made from the
 *    payload), hidden characters are marked, ANSI colours are coloured.
 *  - privacy: every request made while loading and browsing stays on the
 *    page's origin, and a build served by a plain static server (no CSP
 *    header) still enforces its <meta> CSP and works.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dropFromDisk, launch, screenshotPath, RESULTS_DIR } from './browser';
import { waitForPhase } from './loading';
import { E2E_DIST } from './global-setup';
import { corpusBundles, makeCase } from '../../scripts/fuzz-robustness';
import { readBundleDir, writeBundleDir, type BundleFiles } from '../../scripts/lib/bundle-files';
import { sourceFor } from '../../scripts/lib/robustness';
import { reduceBundle } from '../../src/trace/reducer';
import { TRACES } from '../loader-helpers';

const baseUrl = inject('baseUrl');
const CASES = Number(process.env.HOSTILE_E2E_CASES ?? 40);
const WORK = path.join(RESULTS_DIR, 'hostile');

let browser: Browser;

interface Traps {
  errors: string[];
  dialogs: string[];
  csp: string[];
  console: string[];
}

async function openPage(url: string, ctxOpts: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; traps: Traps }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...ctxOpts });
  const page = await context.newPage();
  const traps: Traps = { errors: [], dialogs: [], csp: [], console: [] };
  page.on('pageerror', (e) => traps.errors.push(String(e)));
  page.on('dialog', (d) => {
    traps.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    traps.console.push(m.text());
    if (/Content Security Policy/i.test(m.text())) traps.csp.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { context, page, traps };
}

/** Until a load (of `label`) has ended; a timeout says where the page was. */
function waitLoaded(page: Page, label: string | null = null) {
  return waitForPhase(page, ['ready', 'failed'], label ?? undefined, 60_000);
}

/** A mutant on disk as a bundle folder named `name`. */
function writeMutant(dir: string, files: BundleFiles): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const tj = files.trace === null ? files.files.get('trace.jsonl') : undefined;
  writeBundleDir(dir, tj ? { ...files, files: new Map([...files.files].filter(([k]) => k !== 'trace.jsonl')) } : files);
  if (tj) fs.writeFileSync(path.join(dir, 'trace.jsonl'), tj);
  // A folder with nothing in it cannot be picked: keep a marker so every case loads something.
  if (!fs.readdirSync(dir).length) fs.writeFileSync(path.join(dir, 'README.txt'), 'empty mutant');
}

describe.skipIf(!baseUrl)('hostile input in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
    fs.mkdirSync(WORK, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(
    `${CASES} mutated bundles: no uncaught error, no white screen, located errors, partial data`,
    async () => {
      const bundles = corpusBundles(null, 1024);
      const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
      await waitLoaded(page);
      const problems: string[] = [];
      const stats = { ready: 0, failed: 0, partial: 0, withLine: 0, slowestMs: 0 };
      for (let i = 0; i < CASES; i++) {
        const c = makeCase('e2e', i, bundles);
        if (!c) continue;
        const name = `hostile-${i}`;
        const dir = path.join(WORK, name);
        writeMutant(dir, c.mutant.files);
        // What the reducer says in Node, with the browser's decoding and the worker's unknown-event mode.
        const expected = await reduceBundle(sourceFor(c.mutant.files, false), { unknownEvents: 'skip' });
        const before = traps.errors.length;
        const t0 = Date.now();
        await page.getByTestId('folder-input').setInputFiles(dir);
        let outcome: 'ready' | 'failed' | 'picker' | 'stuck';
        try {
          await page.waitForFunction(
            (label) => {
              const s = window.__traceStore?.getState();
              const l = s?.load;
              if (l && (l.phase === 'ready' || l.phase === 'failed') && l.label === label) return true;
              // Failed with a trace shown: that trace stays, and the failure is named above it.
              if (s?.openFailure?.label === label) return true;
              return !!document.querySelector('[data-testid="bundle-picker"], [data-testid="session-list"], [data-testid="load-banner"][data-kind="failed"]');
            },
            name,
            { timeout: 60_000 },
          );
          const { load: l, openFailure } = await page.evaluate(() => {
            const st = window.__traceStore!.getState();
            return { load: st.load, openFailure: st.openFailure };
          });
          outcome =
            openFailure?.label === name
              ? 'failed'
              : l.label === name && (l.phase === 'ready' || l.phase === 'failed')
                ? l.phase
                : (await page.locator('[data-testid="bundle-picker"], [data-testid="session-list"]').count())
                  ? 'picker'
                  : 'failed';
        } catch {
          outcome = 'stuck';
        }
        stats.slowestMs = Math.max(stats.slowestMs, Date.now() - t0);
        const where = `case ${i} (${c.bundle}, ${c.kind}: ${c.mutant.description.slice(0, 90)})`;
        if (outcome === 'stuck') problems.push(`${where}: the load never finished`);
        if (traps.errors.length > before) problems.push(`${where}: uncaught ${traps.errors.slice(before).join(' | ').slice(0, 300)}`);
        // Never a white screen: the shell is painted with text.
        const painted = await page.evaluate(() => (document.getElementById('root')?.innerText ?? '').trim().length);
        if (painted < 20) problems.push(`${where}: white screen`);
        if (outcome === 'failed' || (outcome === 'ready' && expected.error)) {
          stats.failed++;
          const banner = page.getByTestId('load-banner').first();
          if (!(await banner.count())) problems.push(`${where}: failed without a banner`);
          else if (expected.error) {
            const file = await banner
              .getByTestId('load-error-file')
              .textContent()
              .catch(() => null);
            if (file !== expected.error.file) problems.push(`${where}: banner file ${file}, expected ${expected.error.file}`);
            if (expected.error.line != null) {
              stats.withLine++;
              const line = await banner
                .getByTestId('load-error-line')
                .textContent()
                .catch(() => null);
              if (line !== `line ${expected.error.line}`) problems.push(`${where}: banner ${line}, expected line ${expected.error.line}`);
            }
            if (expected.error.seq != null) {
              const seq = await banner
                .getByTestId('load-error-seq')
                .textContent()
                .catch(() => null);
              if (seq !== `seq ${expected.error.seq}`) problems.push(`${where}: banner ${seq}, expected seq ${expected.error.seq}`);
            }
            if (expected.state && Object.keys(expected.state.threads).length) {
              // Partial data: the store holds it and the summary shows it.
              const items = await page.evaluate(() => Object.keys(window.__traceStore!.getState().state?.conversation_items ?? {}).length);
              if (items !== Object.keys(expected.state.conversation_items).length)
                problems.push(`${where}: ${items} items shown, partial state has ${Object.keys(expected.state.conversation_items).length}`);
              else stats.partial++;
            }
          }
        } else if (outcome === 'ready') stats.ready++;
        if (i % 25 === 0) await page.screenshot({ path: screenshotPath(`hostile-case-${i}`) });
        fs.rmSync(dir, { recursive: true, force: true });
      }
      console.log(
        `hostile e2e: ${CASES} cases, ${stats.ready} loaded, ${stats.failed} with an error banner (${stats.withLine} located by line, ${stats.partial} with partial data shown), slowest ${stats.slowestMs} ms, ${problems.length} problems`,
      );
      expect(problems).toEqual([]);
      await context.close();
    },
    60_000 + CASES * 30_000,
  );

  it('untrusted text in every panel: nothing executes, hidden characters are marked, ANSI is coloured; no request leaves the origin', async () => {
    const name = 'xss-bundle';
    const dir = path.join(WORK, name);
    writeMutant(dir, hostileBundle('compaction-remote'));
    const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    const origin = new URL(baseUrl).origin;
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(() => ((window as unknown as { __pwned?: unknown }).__pwned = undefined));
    await waitLoaded(page);
    await page.getByTestId('folder-input').setInputFiles(dir);
    await waitLoaded(page, name);
    const load = await page.evaluate(() => window.__traceStore!.getState().load);
    expect(load.error).toBeNull();

    // Show everything: each center panel with each kind of object selected, long texts expanded.
    const refs = await page.evaluate(() => {
      const s = window.__traceStore!.getState().state!;
      const pick = (kind: string, o: object) => Object.keys(o).map((id) => ({ kind, id }));
      return [
        ...pick('conversation_item', s.conversation_items),
        ...pick('tool_call', s.tool_calls),
        ...pick('terminal_operation', s.terminal_operations),
        ...pick('terminal_session', s.terminal_sessions),
        ...pick('inference_call', s.inference_calls),
        ...pick('compaction', s.compactions),
      ];
    });
    for (const center of ['conversation', 'compaction', 'request-window']) {
      await page.evaluate((c) => window.__traceStore!.getState().setCenterPanel(c), center);
      for (const ref of refs) {
        await page.evaluate((r) => window.__traceStore!.getState().select(r as never), ref);
        await page.waitForTimeout(15);
      }
      await page.screenshot({ path: screenshotPath(`xss-${center}`) });
    }
    // Timeline tooltips: hover across the timeline.
    const tl = page.locator('[data-testid="timeline-panel"], .timeline-panel, [data-panel="timeline"]').first();
    const box = (await tl.count()) ? await tl.boundingBox() : null;
    if (box) for (let x = box.x + 20; x < box.x + box.width; x += 60) for (const dy of [30, 60, 90]) await page.mouse.move(x, box.y + dy);
    // The terminal operation with coloured output, in the inspector.
    const termOp = refs.find((r) => r.kind === 'terminal_operation')!;
    await page.evaluate((r) => window.__traceStore!.getState().select(r as never), termOp);
    // Expand the clipped texts in the inspector (terminal output).
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.trunc-toggle').forEach((b) => b.textContent?.startsWith('Show all') && b.click()));
    await page.evaluate(() => document.querySelectorAll('pre.trunc-text').forEach((e) => (e.scrollTop = e.scrollHeight)));
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('xss-terminal-ansi') });

    const dom = await page.evaluate(() => {
      const body = document.body;
      return {
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        injected: body.querySelectorAll(
          'img[src="x"], iframe, object, embed, svg[onload], math, [onerror], [onload], [onclick], [onmouseover], a[href^="javascript"], meta[http-equiv="refresh"], form',
        ).length,
        inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
        styles: [...document.querySelectorAll('style')].filter((s) => s.textContent?.includes('pwned')).length,
        literal: body.innerText.includes('<script>window.__pwned=1</script>'),
        esc: body.innerText.includes('\u001b'),
        ansiSpans: [...body.querySelectorAll('span.ansi')].map((s) => [(s as HTMLElement).innerText, (s as HTMLElement).style.color]),
        markers: [...body.querySelectorAll('.invisible-char')].map((m) => m.getAttribute('data-invisible')),
        rawBidi: [...body.querySelectorAll('code, .mono, pre')].some(
          (e) => /[\u202a-\u202e\u2066-\u2069\u200b]/.test(e.textContent ?? '') && !e.querySelector('.invisible-char'),
        ),
        // No bidi control reaches the page as-is (they are shown as ⟨RLO⟩-style markers), in any panel or link label.
        bidiAnywhere: /[\u202a-\u202e\u2066-\u2069]/.test(body.innerText),
        hiddenBody: getComputedStyle(body).display === 'none' || getComputedStyle(body).visibility === 'hidden',
      };
    });
    expect(traps.dialogs).toEqual([]);
    expect(traps.errors).toEqual([]);
    expect(traps.csp).toEqual([]);
    expect(traps.console.filter((t) => /pwned/i.test(t))).toEqual([]);
    expect(dom.pwned).toBeUndefined();
    expect(dom.injected).toBe(0);
    expect(dom.inlineScripts).toBe(0);
    expect(dom.styles).toBe(0);
    expect(dom.hiddenBody).toBe(false);
    expect(dom.literal).toBe(true);
    expect(dom.esc).toBe(false);
    expect(dom.ansiSpans.some(([t, c]) => t === 'FAILED' && c === 'var(--ansi-9)')).toBe(true);
    expect(dom.markers).toContain('U+202E');
    expect(dom.markers).toContain('U+200B');
    expect(dom.rawBidi).toBe(false);
    expect(dom.bidiAnywhere).toBe(false);

    // The tool call whose id hides a right-to-left override, in the inspector.
    const evil = refs.find((r) => r.kind === 'tool_call' && r.id.includes('\u202E'));
    expect(evil).toBeDefined();
    await page.evaluate((r) => window.__traceStore!.getState().select(r as never), evil!);
    await page.waitForTimeout(200);
    await page.screenshot({ path: screenshotPath('xss-bidi-id') });
    const idMarkers = await page.evaluate(() => [...document.querySelectorAll('.invisible-char')].map((m) => m.textContent));
    expect(idMarkers).toContain('RLO');
    expect(await page.evaluate(() => /[\u202a-\u202e]/.test(document.body.innerText))).toBe(false);

    // Privacy: everything loaded while loading and browsing came from this origin.
    const outside = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(requests.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    await context.close();
  }, 240_000);

  it('a build served by a plain static server keeps its <meta> CSP: it works, and outside connections are refused', async () => {
    const html = fs.readFileSync(path.join(E2E_DIST, 'index.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src 'self'/);
    // A static server with no security headers at all.
    const server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
      const file = path.join(E2E_DIST, rel);
      if (!file.startsWith(E2E_DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      const type = file.endsWith('.js')
        ? 'text/javascript'
        : file.endsWith('.css')
          ? 'text/css'
          : file.endsWith('.html')
            ? 'text/html'
            : file.endsWith('.svg')
              ? 'image/svg+xml'
              : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const { context, page, traps } = await openPage(url);
      const requests: string[] = [];
      context.on('request', (r) => requests.push(r.url()));
      await page.getByTestId('folder-input').setInputFiles(path.join(TRACES, 'tools-one-turn'));
      await waitLoaded(page, 'tools-one-turn');
      expect(await page.evaluate(() => window.__traceStore!.getState().load.phase)).toBe('ready');
      await page.getByTestId('summary-items').waitFor();
      await page.screenshot({ path: screenshotPath('static-server-meta-csp') });
      expect(traps.errors).toEqual([]);
      expect(traps.csp).toEqual([]);
      // An attempt to reach another origin (loopback, another port) is stopped by the policy before any traffic.
      const attempt = await page.evaluate(() =>
        fetch('http://127.0.0.1:1/leak').then(
          () => 'sent',
          () => 'blocked',
        ),
      );
      expect(attempt).toBe('blocked');
      await expect.poll(() => traps.csp.some((t) => /connect-src/.test(t))).toBe(true);
      // Refused before it became a request at all.
      expect(requests.filter((u) => !u.startsWith(url) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
      await context.close();
    } finally {
      server.close();
    }
  }, 120_000);
});

describe.skipIf(!baseUrl)('limits in Chromium', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a 200 MB bundle dropped on the page gets a clear message, and the tab stays responsive', async () => {
    const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitLoaded(page);
    const manifest = fs.readFileSync(path.join(TRACES, 'single-turn-answer/manifest.json'), 'utf8');
    await page.evaluate((manifest) => {
      const dt = new DataTransfer();
      dt.items.add(new File([manifest], 'manifest.json'));
      // 200 MB of trace.jsonl, made in the page (blank lines: the size is what matters).
      dt.items.add(new File([new Uint8Array(200 * 1024 * 1024).fill(10)], 'trace.jsonl'));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, manifest);
    // The trace open stays, under the failure.
    const banner = page.locator('[data-testid="load-banner"][data-kind="open-failed"]');
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toContain('traces/single-turn-answer is still shown');
    // More than the tab reads whole, so it would be read as the reducer goes; what the tab must hold grows with the log.
    expect(await banner.textContent()).toMatch(/event log is too large for a browser tab to reduce: 200 MiB, over the 32.0 MiB limit; nothing was read/);
    // Still responsive: the main thread answers at once.
    const t0 = Date.now();
    await page.evaluate(() => 1);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await page.screenshot({ path: screenshotPath('limit-200mb') });
    expect(traps.errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('sizes are refused before they are held (issue 14, item 3)', () => {
  beforeAll(async () => {
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The renderer's and worker's JS heaps together, as Chromium counts them. */
  async function heapMb(page: Page): Promise<number> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    await cdp.detach();
    return (metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? 0) / 1e6;
  }

  it('a 1.4 GB event log is refused from its file\u2019s size: nothing is read, the tab stays small', async () => {
    const dir = path.join(WORK, 'huge-folder');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(path.join(TRACES, 'single-turn-answer'), dir, { recursive: true });
    fs.truncateSync(path.join(dir, 'trace.jsonl'), 1400 * 1024 * 1024); // sparse: costs no disk
    // A trace open, so the header's pickers are there (the root URL of a served root lists its sessions).
    const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitLoaded(page);
    await page.getByTestId('folder-input').setInputFiles(dir);
    // The trace open stays, under the failure.
    const banner = page.locator('[data-testid="load-banner"][data-kind="open-failed"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('traces/single-turn-answer is still shown');
    expect(await banner.textContent()).toMatch(/event log is too large for a browser tab to reduce: 1.4 GiB, over the 32.0 MiB limit; nothing was read/);
    expect(await heapMb(page)).toBeLessThan(200);
    expect(traps.errors).toEqual([]);
    await page.screenshot({ path: screenshotPath('limit-folder-1400mb') });
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a bundle folder of 300 MB with an ordinary event log opens, picked or dropped, read as it is reduced and never held', async () => {
    // long-session and 300 MB more in one payload file its log never names (sparse: costs no disk).
    const dir = path.join(WORK, 'large-payloads', 'long-session');
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    fs.cpSync(path.join(TRACES, 'long-session'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'payloads/999999.json'), '');
    fs.truncateSync(path.join(dir, 'payloads/999999.json'), 300 * 1024 * 1024);
    const official = JSON.parse(fs.readFileSync(path.join(TRACES, 'long-session/state.json'), 'utf8')) as { conversation_items: object };
    const items = String(Object.keys(official.conversation_items).length);
    /** A page showing another trace, then long-session opened in it by `open`: the official items, and a heap that stays small. */
    const opensIn = async (open: (page: Page) => Promise<void>, shot: string) => {
      const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
      await waitLoaded(page);
      // What the page saw, for a failure to name: drop events, and each change of the load's phase.
      await page.evaluate(() => {
        window.addEventListener('drop', (e) => console.log(`drop event: ${e.dataTransfer?.items.length ?? 0} items, prevented ${e.defaultPrevented}`), true);
        window.__traceStore!.subscribe((s, prev) => {
          if (s.load.phase !== prev.load.phase || s.load.label !== prev.load.label) console.log(`load: ${s.load.phase} ${s.load.label ?? ''}`);
        });
      });
      await open(page);
      // A drop that never becomes a load has only the page's console to say why.
      await waitLoaded(page, 'long-session').catch((e: Error) => {
        throw new Error(`${e.message}; page errors and console: ${JSON.stringify([...traps.errors, ...traps.console.slice(-10)])}`, { cause: e });
      });
      const load = await page.evaluate(() => window.__traceStore!.getState().load);
      expect(load.phase, JSON.stringify(load)).toBe('ready');
      await expect.poll(() => page.getByTestId('summary-items').textContent()).toContain(items);
      // The tab's heap stays small: the 300 MB file was left on disk (what is read is let go: test/blob-read-ahead.test.ts).
      expect(await heapMb(page)).toBeLessThan(200);
      await page.screenshot({ path: screenshotPath(shot) });
      expect(traps.errors).toEqual([]);
      await context.close();
    };
    await opensIn((page) => page.getByTestId('folder-input').setInputFiles(dir), 'limit-folder-300mb-picked');
    // Dropped for real: the worker walks the folder's handles (or the page walks it, whichever lists it first).
    await opensIn((page) => dropFromDisk(page, dir), 'limit-folder-300mb-dropped');
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }, 120_000);

  it('a tar.gz bomb stops at its first header: the archive, the limit and the way out are named', async () => {
    // A real tar whose one file declares 3 GB, gzipped with the data that follows: a small file to drop.
    const tar = fs.readFileSync(path.join(TRACES, 'single-turn-answer/manifest.json'));
    const header = Buffer.alloc(512);
    header.write('bundle/trace.jsonl', 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write('26264057000\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(32 << 20), tar]));
    const { context, page, traps } = await openPage(`${baseUrl}?trace=traces/single-turn-answer`);
    await waitLoaded(page);
    await page.getByTestId('file-input').setInputFiles({ name: 'bomb.tar.gz', mimeType: 'application/gzip', buffer: bomb });
    // The trace open stays, under the failure.
    const banner = page.locator('[data-testid="load-banner"][data-kind="open-failed"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('traces/single-turn-answer is still shown');
    expect(await banner.textContent()).toMatch(
      /bomb\.tar\.gz declares 2.8 GiB of files, over the 384 MiB a browser tab unpacks from one drop; nothing was unpacked/,
    );
    expect(await banner.textContent()).toContain('codex-trace-viewer reduce <bundle>');
    expect(await heapMb(page)).toBeLessThan(200);
    expect(traps.errors).toEqual([]);
    await context.close();
  }, 60_000);
});

const XSS = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '<svg onload="window.__pwned=1"><circle r=5/></svg>',
  '[click me](javascript:window.__pwned=1) <a href="javascript:window.__pwned=1">link</a>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '</style><style>body{display:none} /* pwned */</style><div style="position:fixed;inset:0;background:red">',
  "\"><img src=x onerror=confirm(1)>'-prompt(1)-'",
  '{{constructor.constructor("window.__pwned=1")()}} ${alert(1)}',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1"><form action="http://127.0.0.1:1/"><input autofocus onfocus="window.__pwned=1"></form>',
  'bidi: rm -rf /tmp/\u202Eexe.txt zero\u200Bwidth\u2066isolated\u2069 tag\u{E0041}',
].join('\n');
const ANSI =
  '\n\u001b[1;31mFAILED\u001b[0m tests, \u001b[32m12 passed\u001b[0m \u001b[38;5;208morange\u001b[0m\u001b[2K\u001b]8;;javascript:alert(1)\u001b\\osc-link\u001b]8;;\u001b\\';

/** A real bundle with hostile text in conversation items, tool outputs, terminal output and one call id. */
function hostileBundle(fixture: string): BundleFiles {
  const b = readBundleDir(path.join(TRACES, fixture));
  const TEXT_KEYS = new Set([
    'text',
    'output',
    'aggregated_output',
    'formatted_output',
    'stdout',
    'stderr',
    'output_text',
    'summary_text',
    'message',
    'last_agent_message',
  ]);
  const TERMINAL_KEYS = new Set(['output', 'aggregated_output', 'formatted_output', 'stdout', 'stderr']);
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = typeof x === 'string' && TEXT_KEYS.has(k) ? `${x}\n${XSS}${TERMINAL_KEYS.has(k) ? ANSI : ''}` : visit(x);
      return o;
    }
    return v;
  };
  const files = new Map<string, string | Buffer>();
  for (const [p, c] of b.files) {
    const text = c.toString();
    try {
      files.set(p, JSON.stringify(visit(JSON.parse(text)), null, 2));
    } catch {
      files.set(p, c);
    }
  }
  // One tool call id gets a right-to-left override and a zero-width space, everywhere it appears.
  const id = /"(call_[A-Za-z0-9]+)"/.exec(b.trace!)?.[1];
  const evilId = id ? `${id.slice(0, 8)}\u202Egnp.\u200Bexe` : null;
  const swap = (t: string) => (id && evilId ? t.split(id).join(evilId) : t);
  for (const [p, c] of files) if (typeof c === 'string') files.set(p, swap(c));
  return { manifest: b.manifest, trace: swap(b.trace!), files };
}
