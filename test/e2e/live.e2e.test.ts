/**
 * Issue 19, "Live": a real bundle is written into a served root in chunks, as
 * Codex writes it (trace.jsonl cut inside lines, payload files appearing
 * before or after their events, a schema-3 shard growing by byte prefixes cut
 * inside records), while the page has it open. The page must follow without
 * reloading or losing the selection, show the Live badge, hold updates while
 * paused, and end on exactly the reference state.json.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src/cli/serve';
import { serializeState } from '../../src/trace/serialize';
import type { RolloutTrace } from '../../src/trace/schema/state';
import { launch, screenshotPath } from './browser';
import { E2E_DIST } from './global-setup';

const FIXTURES = path.resolve(__dirname, '../fixtures');

let tmp: string;
let root: string;
let h: ServeHandle;
let browser: Browser;

beforeAll(async () => {
  void inject('baseUrl'); // the global setup has built the app into E2E_DIST
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-live-e2e-'));
  root = path.join(tmp, 'traces');
  mkdirSync(root, { recursive: true });
  h = await serve({ roots: [root], port: 0, distDir: E2E_DIST, log: () => {} });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Writes a copy of `src` into the root a step at a time. Each step appends
 * the log up to a cut inside a line; payload files referenced by complete
 * lines are written one step late (so events wait for them), each atomically
 * as a writer that renames would; shards grow by appended byte prefixes.
 */
class Recorder {
  private readonly log: Buffer;
  private readonly files: { name: string; bytes: Buffer; written: number }[];
  private logAt = 0;
  private step = 0;
  readonly dir: string;
  constructor(
    private readonly src: string,
    name: string,
    private readonly steps: number,
  ) {
    this.dir = path.join(root, name);
    this.log = readFileSync(path.join(src, 'trace.jsonl'));
    this.files = readdirSync(path.join(src, 'payloads'))
      .sort((a, b) => Number.parseInt(a) - Number.parseInt(b))
      .map((n) => ({ name: n, bytes: readFileSync(path.join(src, 'payloads', n)), written: 0 }));
    mkdirSync(path.join(this.dir, 'payloads'), { recursive: true });
    copyFileSync(path.join(src, 'manifest.json'), path.join(this.dir, 'manifest.json'));
    writeFileSync(path.join(this.dir, 'trace.jsonl'), '');
  }

  get done(): boolean {
    return this.step >= this.steps;
  }

  /** One more step; the last writes everything. */
  next(): void {
    this.step++;
    const last = this.step >= this.steps;
    // Payload files the log written so far mentions (they lag one step behind their events).
    const mentioned = this.log.subarray(0, this.logAt).toString('utf8');
    let cut = last ? this.log.length : Math.floor((this.log.length * this.step) / this.steps);
    if (!last) {
      // Inside a line, never on its newline: a half-written line must be waited for.
      while (cut < this.log.length && this.log[cut - 1] === 0x0a) cut++;
    }
    appendFileSync(path.join(this.dir, 'trace.jsonl'), this.log.subarray(this.logAt, cut));
    this.logAt = cut;
    for (const f of this.files) {
      const target = path.join(this.dir, 'payloads', f.name);
      if (f.name.endsWith('.zst')) {
        // A shard grows as Codex appends records: prefixes of its one zstd stream, cut anywhere.
        // Ahead of the log (Codex writes a record before the event that needs it); a zstd block holds many records, so
        // the records a prefix decodes to come in bursts.
        const upTo = last ? f.bytes.length : Math.min(f.bytes.length, Math.floor((f.bytes.length * (this.step * 1.5 + 0.37)) / this.steps));
        if (upTo > f.written) appendFileSync(target, f.bytes.subarray(f.written, upTo));
        f.written = Math.max(f.written, upTo);
      } else if (f.written === 0 && (last || mentioned.includes(`"payloads/${f.name}"`))) {
        writeFileSync(`${target}.tmp`, f.bytes);
        renameSync(`${target}.tmp`, target);
        f.written = f.bytes.length;
      }
    }
  }

  reference(): string {
    return readFileSync(path.join(this.src, 'state.json'), 'utf8');
  }
}

type Live = { status: string; eventsApplied: number; shownEvents: number } | null;
const liveOf = (page: Page): Promise<Live> => page.evaluate(() => window.__traceStore!.getState().live as Live);
const pageState = async (page: Page): Promise<string> =>
  serializeState(JSON.parse(await page.evaluate(() => JSON.stringify(window.__traceStore!.getState().state))) as RolloutTrace);

async function openLive(name: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${h.url}?trace=traces/${name}`);
  await page.waitForFunction(() => window.__traceStore?.getState().live?.status === 'following', null, { timeout: 30_000 });
  return { page, errors };
}

describe('following a bundle while it is recorded', () => {
  it('schema 2 (long-session): follows, keeps the selection, pauses and resumes, ends on the reference', async () => {
    const rec = new Recorder(path.join(FIXTURES, 'traces', 'long-session'), 'rec-s2', 24);
    rec.next();
    rec.next();
    const { page, errors } = await openLive('rec-s2');
    const badge = page.getByTestId('live-badge');
    await badge.waitFor();
    expect(await badge.textContent()).toMatch(/Live · following/);

    // Select a conversation item of what is there so far.
    const selected = await page.evaluate(() => {
      const s = window.__traceStore!.getState();
      const id = Object.keys(s.state!.conversation_items)[0];
      s.select({ kind: 'conversation_item', id });
      return id;
    });
    const seqBefore = await page.evaluate(() => window.__traceStore!.getState().loadSeq);
    const first = (await liveOf(page))!.shownEvents;

    rec.next();
    rec.next();
    await page.waitForFunction((n) => (window.__traceStore!.getState().live?.shownEvents ?? 0) > n, first, { timeout: 10_000 });
    expect(Number((await page.getByTestId('live-events').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(first);
    await page.screenshot({ path: screenshotPath('live-badge-1280') });

    // Pause: what is recorded meanwhile is counted, not shown.
    await page.getByTestId('live-toggle').click();
    await page.waitForFunction(() => window.__traceStore!.getState().live?.status === 'paused', null, { timeout: 10_000 });
    const shownWhenPaused = (await liveOf(page))!.shownEvents;
    rec.next();
    rec.next();
    await page.getByTestId('live-held').waitFor({ timeout: 10_000 });
    const paused = (await liveOf(page))!;
    expect(paused.shownEvents).toBe(shownWhenPaused);
    expect(paused.eventsApplied).toBeGreaterThan(shownWhenPaused);
    expect(await page.getByTestId('live-held').textContent()).toMatch(/\d+ new events?/);
    await page.screenshot({ path: screenshotPath('live-badge-paused-1280') });
    // The summary bar, at its widest (Live, paused, new events), still fits 1280 px: nothing scrolled out of view.
    expect(await page.locator('.summary-bar').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    await page.getByTestId('live-toggle').click();
    await page.waitForFunction(
      (n) => {
        const l = window.__traceStore!.getState().live;
        return l?.status === 'following' && l.shownEvents > n;
      },
      shownWhenPaused,
      { timeout: 10_000 },
    );

    while (!rec.done) {
      rec.next();
      await page.waitForTimeout(120);
    }
    await page.waitForFunction(() => window.__traceStore!.getState().live?.status === 'ended', null, { timeout: 20_000 });
    expect(await badge.count()).toBe(0);
    expect(await page.getByTestId('summary-recording').textContent()).toBe('recording complete');
    const end = await page.evaluate(() => {
      const s = window.__traceStore!.getState();
      return { selection: s.selection, loadSeq: s.loadSeq, phase: s.load.phase };
    });
    // Never reloaded: the same load, the same selection.
    expect(end).toEqual({ selection: { kind: 'conversation_item', id: selected }, loadSeq: seqBefore, phase: 'ready' });
    expect(await pageState(page)).toBe(rec.reference());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('schema 3 (multi-turn-manual-compact): a shard growing by prefixes is followed to the reference', async () => {
    const rec = new Recorder(path.join(FIXTURES, 'traces-schema3', 'multi-turn-manual-compact'), 'rec-s3', 8);
    rec.next();
    const { page, errors } = await openLive('rec-s3');
    const first = (await liveOf(page))!.shownEvents;
    const seen = new Set<number>();
    while (!rec.done) {
      rec.next();
      await page.waitForTimeout(400);
      seen.add((await liveOf(page))!.shownEvents);
    }
    await page.waitForFunction(() => window.__traceStore!.getState().live?.status === 'ended', null, { timeout: 20_000 });
    const total = (await liveOf(page))!.shownEvents;
    // It followed: states between the first and the last were shown.
    expect([...seen].filter((n) => n > first && n < total).length).toBeGreaterThanOrEqual(1);
    expect(await pageState(page)).toBe(rec.reference());
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
