/**
 * Bundles of every trace schema open in the browser: schema 1 (Codex
 * 0.125–0.164, payload files) and schema 3 (Codex 0.171, zstd shards) as a
 * picked folder and as a dropped zip, and a trace root mixing all three
 * schemas, each bundle opened from the picker. Counts are the official ones.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, screenshotPath } from './browser';
import { TRACES, zipOf } from '../loader-helpers';
import { dropFiles, expectCounts, openPage, waitForPhase } from './loading';

const baseUrl = inject('baseUrl');
const FIXTURES = path.dirname(TRACES);

const CORPORA = [
  { schema: 1, dir: 'traces-schema1', releases: 'Codex 0.125.0 – 0.164.0' },
  { schema: 2, dir: 'traces', releases: 'Codex 0.165.0 – 0.169.1' },
  { schema: 3, dir: 'traces-schema3', releases: 'Codex 0.171.0' },
] as const;

/** A fixture name as officialCounts/zipOf take it (relative to test/fixtures/traces). */
const fixture = (corpus: string, scenario: string) => (corpus === 'traces' ? scenario : `../${corpus}/${scenario}`);

async function schemaBadge(page: Page): Promise<string> {
  return ((await page.getByTestId('summary-schema').textContent()) ?? '').trim();
}

describe.skipIf(!baseUrl)('every trace schema opens in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const c of CORPORA.filter((x) => x.schema !== 2)) {
    it(`schema ${c.schema}: a picked folder shows the official counts and says which releases write it`, async () => {
      const { context, page, problems } = await openPage(browser, `${baseUrl}?trace=traces/single-turn-answer`);
      await waitForPhase(page, ['ready']);
      await page.getByTestId('folder-input').setInputFiles(path.join(FIXTURES, c.dir, 'compaction-remote'));
      await waitForPhase(page, ['ready'], 'compaction-remote');
      await expectCounts(page, fixture(c.dir, 'compaction-remote'));
      expect(await schemaBadge(page)).toBe(`schema ${c.schema} · ${c.releases}`);
      await page.screenshot({ path: screenshotPath(`schema${c.schema}-folder-compaction-remote`) });
      expect(problems.errors).toEqual([]);
      await context.close();
    });

    it(`schema ${c.schema}: a dropped zip shows the official counts, and payload bodies open in the inspector`, async () => {
      const { context, page, problems } = await openPage(browser, `${baseUrl}?trace=traces/single-turn-answer`, { width: 1600, height: 1000 });
      await waitForPhase(page, ['ready']);
      await dropFiles(page, [{ name: 'multi-agent.zip', bytes: zipOf([fixture(c.dir, 'multi-agent')]) }]);
      await waitForPhase(page, ['ready'], 'multi-agent.zip/multi-agent');
      await expectCounts(page, fixture(c.dir, 'multi-agent'));
      // The first inference call's request body is read from the bundle (a payload file, or a zstd shard record).
      const callId = await page.evaluate(() => Object.keys(window.__traceStore!.getState().state!.inference_calls).sort()[0]);
      await page.evaluate((id) => window.__traceStore!.getState().select({ kind: 'inference_call', id }), callId);
      const payloads = page.getByTestId('inspector-payloads');
      await payloads.getByText('Request', { exact: true }).click();
      await expect.poll(() => payloads.textContent(), { timeout: 10_000 }).toMatch(/input: \[\d+\]/);
      if (c.schema === 3) expect(await payloads.textContent()).toContain('Prepared prompt');
      await page.screenshot({ path: screenshotPath(`schema${c.schema}-zip-multi-agent`) });
      expect(problems.errors).toEqual([]);
      await context.close();
    });
  }

  it('a trace root mixing schemas 1, 2 and 3 lists every bundle and opens each with its own reducer', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ctv-'));
    const root = path.join(scratch, 'mixed-root');
    try {
      for (const c of CORPORA) cpSync(path.join(FIXTURES, c.dir, 'tools-one-turn'), path.join(root, `schema${c.schema}-tools-one-turn`), { recursive: true });
      const { context, page, problems } = await openPage(browser, `${baseUrl}?trace=traces/single-turn-answer`);
      await waitForPhase(page, ['ready']);
      await page.getByTestId('folder-input').setInputFiles(root);
      const list = page.getByTestId('session-list');
      await list.waitFor();
      await page.waitForFunction(() => !document.querySelector('.sess-progress'), null, { timeout: 30_000 });
      const keys = await list.getByTestId('session-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
      expect([...keys].sort()).toEqual(CORPORA.map((c) => `mixed-root/schema${c.schema}-tools-one-turn`));
      // Each bundle summarised by its own schema's rules, in the worker.
      for (const c of CORPORA)
        expect(await list.locator(`[data-name="mixed-root/schema${c.schema}-tools-one-turn"] .sess-cell-schema`).textContent()).toBe(String(c.schema));
      await page.screenshot({ path: screenshotPath('mixed-schema-root-picker') });
      for (const c of CORPORA) {
        const name = `mixed-root/schema${c.schema}-tools-one-turn`;
        if (!(await list.isVisible())) await page.getByTestId('show-bundles').click();
        await list.locator(`[data-testid="session-row"][data-name="${name}"]`).click();
        await waitForPhase(page, ['ready'], name);
        await expectCounts(page, fixture(c.dir, 'tools-one-turn'));
        expect(await schemaBadge(page)).toBe(`schema ${c.schema} · ${c.releases}`);
      }
      expect(problems.errors).toEqual([]);
      await context.close();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a served schema-3 trace at 1280×800: timeline, conversation and inspector render', async () => {
    const { context, page, problems } = await openPage(browser, `${baseUrl}?trace=traces-schema3/long-session`);
    await waitForPhase(page, ['ready'], 'traces-schema3/long-session');
    await expectCounts(page, fixture('traces-schema3', 'long-session'));
    await page.screenshot({ path: screenshotPath('schema3-served-long-session-1280') });
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
