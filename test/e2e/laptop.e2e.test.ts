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
  await opened.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  return { page: opened.page, errors: opened.errors };
}

async function freshContext(viewport: { width: number; height: number } = SIZES[0]): Promise<Page> {
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(String(e)));
  return page;
}

async function waitReady(page: Page, label: string) {
  await page.waitForFunction(
    (label) => {
      const s = window.__traceStore?.getState();
      return !!s && s.load.phase === 'ready' && s.bundleLabel === label;
    },
    label,
    { timeout: 30_000 },
  );
}

function view(page: Page) {
  return page.evaluate(() => {
    const s = window.__traceStore!.getState();
    return { selection: s.selection, viewport: s.viewport, thread: s.activeThreadId, center: s.panels.center, filters: s.filters };
  });
}

/** Copies the link with "Copy link" and opens it in a fresh browser context; returns the view there once the timeline is drawn. */
async function roundTrip(page: Page, label: string) {
  await page.waitForTimeout(300); // the URL follows the view after a short delay
  await page.getByTestId('copy-link').click();
  await page.getByTestId('share-notice').getByText('Link copied').waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const p2 = await freshContext();
  await p2.goto(link);
  await waitReady(p2, label);
  await p2.waitForTimeout(300);
  // Where the centre panel keeps the timeline closed, open it: mounting it must not move the window either.
  const toggle = p2.getByTestId('bottom-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  await p2.waitForFunction(() => !!(window as unknown as { __timeline?: unknown }).__timeline);
  await p2.waitForTimeout(400);
  return { page: p2, view: await view(p2) };
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
    await page
      .locator('.ws-right')
      .getByRole('button', { name: /^Turn 1$/ })
      .first()
      .click();
    expect((await selection(page))?.kind).toBe('turn');
    await page.goBack();
    await expect.poll(() => selection(page)).toEqual(picked);
    expect(errors).toEqual([]);
  });

  it('a share link restores the exact timeline window, whatever is selected and wherever it lies', async () => {
    const { page } = await open('multi-agent');
    // A thread selected by its timeline header (the root's: the first row, visible in any layout), then zoomed in with W three times.
    const root = await page.evaluate(() => window.__traceStore!.getState().state!.root_thread_id);
    await page.getByTestId('timeline-canvas').waitFor();
    await page.waitForFunction(() => !!(window as unknown as { __timeline?: unknown }).__timeline);
    const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
    const at = await page.evaluate((id) => {
      const t = (
        window as unknown as {
          __timeline: {
            rectOf(r: { kind: string; id: string }): { x: number; y: number; w: number; h: number } | null;
            geometry(): { trackX0: number; trackW: number };
          };
        }
      ).__timeline;
      const s = window.__traceStore!.getState().state!;
      const turn = Object.values(s.codex_turns).find((x) => x.thread_id === id)!;
      const g = t.geometry();
      return { x: g.trackX0 + g.trackW * 0.8, y: t.rectOf({ kind: 'turn', id: turn.codex_turn_id })!.y - 8 };
    }, root);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    expect(await selection(page)).toEqual({ kind: 'thread', id: root });
    for (let i = 0; i < 3; i++) await page.keyboard.press('w');
    const copied = await view(page);
    expect(copied.viewport).not.toBeNull();
    let opened = await roundTrip(page, 'traces/multi-agent');
    expect(opened.view.selection).toEqual({ kind: 'thread', id: root });
    expect(opened.view.viewport).toEqual(copied.viewport);
    expect(await opened.page.getByTestId('timeline-window').textContent()).toBe(await page.getByTestId('timeline-window').textContent());

    // A tool call outside the copied window, in the request-window panel, with a filter: nothing is panned to it.
    const far = await page.evaluate(() => {
      const s = window.__traceStore!.getState();
      const calls = Object.values(s.state!.tool_calls).sort((a, b) => a.execution.started_at_unix_ms - b.execution.started_at_unix_ms);
      const last = calls[calls.length - 1];
      const t0 = s.state!.started_at_unix_ms;
      s.select({ kind: 'tool_call', id: last.tool_call_id });
      s.setFilters({ text: 'agent' });
      s.setCenterPanel('request-window');
      return { ref: { kind: 'tool_call', id: last.tool_call_id }, window: { startMs: t0 + 1, endMs: t0 + 40 } };
    });
    // The window moved away from the selection after it was revealed.
    await page.waitForTimeout(200);
    await page.evaluate((w) => window.__traceStore!.getState().setViewport(w), far.window);
    opened = await roundTrip(page, 'traces/multi-agent');
    expect(opened.view.selection).toEqual(far.ref);
    expect(opened.view.viewport).toEqual(far.window);
    expect(opened.view.center).toBe('request-window');
    expect(opened.view.filters.text).toBe('agent');

    // A conversation item and a compaction, each with a window that does not hold it.
    const c = await open('compaction-remote');
    for (const pick of ['conversation_item', 'compaction'] as const) {
      const want = await c.page.evaluate((pick) => {
        const s = window.__traceStore!.getState();
        const t0 = s.state!.started_at_unix_ms;
        const id = pick === 'compaction' ? Object.keys(s.state!.compactions)[0] : 'conversation_item:5';
        s.select({ kind: pick, id });
        s.setCenterPanel(pick === 'compaction' ? 'compaction' : 'conversation');
        return { ref: { kind: pick, id }, window: { startMs: t0 + 2, endMs: t0 + 7.5 } };
      }, pick);
      await c.page.waitForTimeout(200);
      await c.page.evaluate((w) => window.__traceStore!.getState().setViewport(w), want.window);
      const got = await roundTrip(c.page, 'traces/compaction-remote');
      expect(got.view.selection).toEqual(want.ref);
      expect(got.view.viewport).toEqual(want.window);
    }
  });

  /** Rows of `selector` inside `container` that the user really sees: the point at their middle hits them (not a panel over them, not scrolled away). */
  async function visibleRows(page: Page, container: string, selector: string): Promise<number> {
    return page.evaluate(
      ([container, selector]) => {
        const box = document.querySelector(container);
        if (!box) return -1;
        let n = 0;
        for (const el of box.querySelectorAll<HTMLElement>(selector)) {
          const r = el.getBoundingClientRect();
          if (r.height < 8) continue;
          const hit = document.elementFromPoint(r.left + Math.min(60, r.width / 2), r.top + r.height / 2);
          if (hit && el.contains(hit)) n++;
        }
        return n;
      },
      [container, selector] as const,
    );
  }

  for (const size of SIZES) {
    it(`${size.width}×${size.height}: a picked call's window and diff, and a compaction's lists, are readable without dragging a splitter`, async () => {
      const { page, errors } = await open('long-session', size);
      await page.getByRole('tab', { name: 'Request windows' }).click();
      await page.getByTestId('request-window-panel').waitFor();
      // Pick call #26 in the table: its window has 13 items.
      // (The table opens scrolled to the last calls: scroll it, as the wheel would, to call #26.)
      await page.locator('.rw-table-scroll').evaluate((el) => (el.scrollTop = 24 * 25));
      const row = page.locator('.rw-row', { hasText: '#26' }).first();
      await row.waitFor();
      await row.click();
      await page.getByTestId('rw-window-list').waitFor();
      await page.waitForTimeout(300);
      expect(await visibleRows(page, '[data-testid="rw-window-list"]', '.rw-item')).toBeGreaterThanOrEqual(12);
      // The first call after compaction 1 (#22): its diff lists what was dropped and added.
      await page.evaluate(() => {
        const s = window.__traceStore!.getState();
        const id = [...s.indexes!.inferenceOrdinal].find(([, n]) => n === 22)![0];
        s.select({ kind: 'inference_call', id });
      });
      await page.getByTestId('rw-tab-diff').click();
      await page.getByTestId('rw-diff').waitFor();
      await page.waitForTimeout(300);
      expect(await visibleRows(page, '[data-testid="rw-diff"]', '.rw-item')).toBeGreaterThanOrEqual(12);
      // The calls table still shows the focused call and its neighbours.
      expect(await visibleRows(page, '[data-testid="request-window-panel"] .rw-table-section', '.rw-row')).toBeGreaterThanOrEqual(3);

      await page.getByRole('tab', { name: 'Compactions' }).click();
      await page.getByTestId('cmp-row').first().click();
      await page.getByTestId('cmp-before-after').waitFor();
      await page.waitForTimeout(300);
      // Before (what it replaced) and after (what it installed), side by side: at least 8 rows of each.
      expect(await visibleRows(page, '[data-testid="cmp-ba-list"]', '.cmp-ba-before:not(.is-empty)')).toBeGreaterThanOrEqual(8);
      expect(await visibleRows(page, '[data-testid="cmp-ba-list"]', '[data-testid="cmp-ba-row"]')).toBeGreaterThanOrEqual(8);
      await page.getByRole('tab', { name: /Replaced → installed/ }).click();
      expect(await visibleRows(page, '.cmp-tab-body', '[data-testid="cmp-replaced"]')).toBeGreaterThanOrEqual(8);

      // The timeline is one click away, and stays as the user leaves it, per panel.
      await page.getByTestId('bottom-toggle').click();
      await page.getByTestId('timeline-canvas').waitFor();
      await page.getByRole('tab', { name: 'Conversation' }).click();
      await page.getByRole('tab', { name: 'Compactions' }).click();
      await page.getByTestId('timeline-canvas').waitFor();
      expect(errors).toEqual([]);
    });
  }

  /** Elements under `selectors` whose text is cut: wider content than box (scrollWidth vs clientWidth). */
  async function clipped(page: Page, selectors: string): Promise<string[]> {
    return page.evaluate((selectors) => {
      const out: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>(selectors)) {
        if (el.offsetParent === null || el.clientWidth === 0) continue;
        if (el.scrollWidth > el.clientWidth + 1)
          out.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth} "${(el.textContent ?? '').slice(0, 50)}"`);
      }
      const input = document.querySelector<HTMLInputElement>('.search-input');
      if (input) {
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = getComputedStyle(input).font;
        const room = input.clientWidth - parseFloat(getComputedStyle(input).paddingLeft) - parseFloat(getComputedStyle(input).paddingRight);
        if (ctx.measureText(input.placeholder).width > room) out.push(`search placeholder "${input.placeholder}" wider than ${room}px`);
      }
      return out;
    }, selectors);
  }

  const HEADER = '.app-header, .app-header *, .summary-bar';
  const TOOLBARS = '.tabs, .tabs *, .rw-toolbar, .rw-toolbar *, .tl-toolbar, .tl-toolbar *, .cmp-toolbar, .cmp-toolbar *, .cmp-filters';

  it('1280×800: nothing clipped in the header, toolbars, compaction header and tables', async () => {
    for (const trace of ['long-session', 'multi-agent']) {
      const { page, errors } = await open(trace);
      // Conversation, with the timeline under it.
      await page.getByTestId('timeline-canvas').waitFor();
      expect(await clipped(page, `${HEADER}, ${TOOLBARS}`)).toEqual([]);
      // Request windows, a call picked: the calls table fits its panel.
      await page.getByRole('tab', { name: 'Request windows' }).click();
      await page.locator('.rw-row').first().click();
      await page.waitForTimeout(300);
      expect(await clipped(page, `${HEADER}, ${TOOLBARS}, .rw-table-scroll, .rw-detail-head, .rw-detail-head *`)).toEqual([]);
      expect(await page.locator('.rw-th').evaluateAll((els) => els.map((e) => e.textContent))).toContain('Status');
      if (trace === 'long-session') {
        await page.getByRole('tab', { name: 'Compactions' }).click();
        await page.getByTestId('cmp-row').first().click();
        await page.waitForTimeout(300);
        expect(await clipped(page, `${HEADER}, ${TOOLBARS}, .cmp-table-scroll, .cmp-head, .cmp-head *, .cmp-ba-colhead`)).toEqual([]);
        // The thread and turn links keep their text.
        for (const name of ['/root', 'Turn 1']) {
          const w = await page
            .getByTestId('cmp-detail-head')
            .getByRole('button', { name, exact: true })
            .evaluate((e) => e.getBoundingClientRect().width);
          expect(w).toBeGreaterThan(30);
        }
        // The bytes and tokens figures are whole.
        expect(await page.getByTestId('cmp-size-bytes').textContent()).toMatch(/30\.0 KiB → 26\.5 KiB −3\.5 KiB \(−?-?12%\)/);
      }
      expect(errors).toEqual([]);
    }
  });

  it('1280×800, a long bundle name among many bundles: every header control stays on screen, the name is shortened with its whole text on hover', async () => {
    const { page, errors } = await open('thread-resume-in-process');
    // Served with other bundles, the header also holds the way back to their list.
    await page.getByTestId('show-bundles').waitFor();
    const offScreen = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.header-row button, .header-row input')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth)
        .map((el) => el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName),
    );
    expect(offScreen).toEqual([]);
    expect(await page.locator('.header-row').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.getByTestId('bundle-label').getAttribute('title')).toBe('Bundle traces/thread-resume-in-process');
    expect(errors).toEqual([]);
  });

  it('1280×800, a compaction request picked: the inspector names it whole, and window kinds too long for their column end in an ellipsis with their whole text on hover', async () => {
    const { page, errors } = await open('compaction-remote');
    await page.getByRole('tab', { name: 'Request windows' }).click();
    await page.locator('.rw-row', { hasText: 'C1' }).click();
    const title = page.locator('.insp-title');
    await expect.poll(() => title.textContent()).toBe('Compaction request 1');
    expect(await title.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)).toBe(true);
    await page.getByTestId('rw-window-entry').first().waitFor();
    const kinds = await page.locator('.rw-kind-text, .rw-entry .rw-kind').evaluateAll((els) =>
      els.map((el) => ({
        text: el.textContent,
        cut: el.scrollWidth > el.clientWidth,
        ellipsis: getComputedStyle(el).textOverflow === 'ellipsis',
        hover: (el.closest('[title]') as HTMLElement | null)?.title ?? null,
      })),
    );
    expect(kinds.map((k) => k.text)).toContain('compaction_trigger');
    expect(kinds.filter((k) => k.cut).length).toBeGreaterThan(0);
    for (const k of kinds.filter((k) => k.cut)) expect(k).toEqual({ ...k, ellipsis: true, hover: k.text });
    expect(errors).toEqual([]);
  });

  it("1280×800, the session list: a resumed session's 'resumed N×' button stays in view beside a long bundle name", async () => {
    const page = await freshContext();
    await page.goto(`${baseUrl}?sessions`);
    await page.waitForFunction(() => document.querySelectorAll('.sess-resumes').length > 0 && !document.querySelector('.sess-progress'), null, {
      timeout: 60_000,
    });
    const cut = await page.locator('.sess-resumes').evaluateAll((buttons) =>
      buttons
        .filter((b) => {
          const cell = b.closest('.sess-name')!.getBoundingClientRect();
          const r = b.getBoundingClientRect();
          return r.width === 0 || r.right > cell.right + 1;
        })
        .map((b) => b.closest('.sess-name')!.getAttribute('title')),
    );
    expect(cut).toEqual([]);
    // The long names these buttons sit beside are shortened instead, whole in their title.
    expect(await page.locator('.sess-name', { has: page.locator('.sess-resumes') }).count()).toBeGreaterThan(0);
    // Opened, a group lists its resumes with their start date whole.
    await page.locator('.sess-resumes').first().click();
    const dates = await page
      .locator('.sess-row.is-resume .sess-started > span')
      .evaluateAll((spans) => spans.map((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth })));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.filter((d) => d.cut)).toEqual([]);
  });

  it('↑/↓ go on from where "show in conversation" revealed an item, without a click first', async () => {
    const { page, errors } = await open('long-session');
    await page.getByRole('tab', { name: 'Compactions' }).click();
    await page.getByTestId('cmp-row').first().click();
    await page.getByTestId('cmp-show-in-conversation').click();
    await page.getByTestId('conversation-panel').waitFor();
    const revealed = await page.evaluate(() => window.__traceStore!.getState().selection);
    expect(revealed?.kind).toBe('conversation_item');
    const ids = await page.evaluate(() => [...document.querySelectorAll('[data-testid="conv-row"]')].map((r) => r.getAttribute('data-item-id')));
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selection(page)).toEqual({ kind: 'conversation_item', id: ids[ids.indexOf(revealed!.id) + 1] });
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selection(page)).toEqual(revealed);
    expect(errors).toEqual([]);
  });

  it('1280×800, a first look: the first prompt is in view, every agent has its track, the strata that change fill the chart', async () => {
    const { page, errors } = await open('multi-agent');
    // The transcript opens at the prompt the user typed, not on 21 KB of instructions; they are a scroll up.
    const prompt = page.locator('[data-testid="conv-row"].role-user').filter({ hasNotText: '<environment_context>' }).first();
    const box = (await prompt.boundingBox())!;
    const scroller = (await page.locator('.conv-scroll').boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(scroller.y);
    expect(box.y + box.height).toBeLessThanOrEqual(scroller.y + scroller.height);
    expect(await page.locator('.conv-scroll').evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    // Both agents' tracks are drawn without a scrollbar in the timeline.
    expect(await page.locator('.tl-vscroll').isVisible()).toBe(false);
    expect(Number(await page.getByTestId('timeline-canvas').getAttribute('data-rows'))).toBeGreaterThanOrEqual(7);
    // The request-window chart leaves the 21 KB of instructions out of the bars until asked, and says so.
    await page.getByRole('tab', { name: 'Request windows' }).click();
    await expect.poll(() => page.getByTestId('rw-hidden-strata').textContent()).toMatch(/not in bars: developer/);
    const toggle = page.getByTestId('rw-legend-instructions');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('rw-hidden-strata').count()).toBe(0);
    // The window list leaves the item's text a readable share of the row.
    const text = (await page.locator('.rw-item').first().locator('> :last-child').boundingBox())!;
    expect(text.width).toBeGreaterThan(120);
    expect(errors).toEqual([]);
  });

  it('search finds the ids the UI shows: call_0009, resp_0011, conversation_item:8, #8', async () => {
    const { page, errors } = await open('compaction-remote');
    const box = page.getByRole('searchbox', { name: 'Search the trace' });
    const expectFirst = async (q: string, want: { kind: string; id?: string }) => {
      await box.fill(q);
      const hit = page.getByTestId('search-hit').first();
      await hit.waitFor();
      await hit.click();
      const sel = await selection(page);
      expect(sel?.kind).toBe(want.kind);
      if (want.id) expect(sel?.id).toBe(want.id);
    };
    await expectFirst('call_0009', { kind: 'tool_call', id: 'call_0009' });
    await expectFirst('resp_0011', { kind: 'inference_call' });
    await expectFirst('conversation_item:8', { kind: 'conversation_item', id: 'conversation_item:8' });
    await expectFirst('#8', { kind: 'conversation_item', id: 'conversation_item:8' });
    expect(errors).toEqual([]);
  });

  it('loose bundle files dropped without their folder open; a drop that fails shows the failure and keeps the trace shown', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { TRACES } = await import('../loader-helpers');
    const { dropFiles, waitForPhase } = await import('./loading');
    const { page, errors } = await open('single-turn-answer');
    const dir = path.join(TRACES, 'compaction-remote');
    const flat = ['manifest.json', 'trace.jsonl', ...readdirSync(path.join(dir, 'payloads')).map((f) => `payloads/${f}`)].map((rel) => ({
      name: path.basename(rel),
      bytes: new Uint8Array(readFileSync(path.join(dir, rel))),
    }));
    await dropFiles(page, flat);
    await waitForPhase(page, ['ready'], `${flat.length} files`);
    expect(await page.evaluate(() => Object.keys(window.__traceStore!.getState().state!.compactions).length)).toBe(2);
    await expect.poll(() => page.getByTestId('summary-compactions').textContent()).toBe('2');
    // Without the payloads: the load fails at the first payload it needs, before any thread. The trace
    // on screen stays, with the failure above it.
    await dropFiles(page, flat.slice(0, 2));
    const failure = page.locator('[data-testid="load-banner"][data-kind="open-failed"]');
    await failure.waitFor();
    expect(await failure.textContent()).toMatch(/^Could not open 2 files; .+ is still shown\./);
    expect(await page.getByTestId('summary-compactions').textContent()).toBe('2');
    expect(await page.getByTestId('welcome').count()).toBe(0);
    // Its payloads are still read from it.
    await page.locator('[data-testid="conv-row"]').first().click();
    await page.getByTestId('inspector').waitFor();
    await failure.getByRole('button', { name: 'Dismiss' }).click();
    expect(await failure.count()).toBe(0);
    expect(errors.filter((e) => !/payload/.test(e))).toEqual([]);
  });
});
