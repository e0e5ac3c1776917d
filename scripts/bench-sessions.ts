/**
 * `npm run bench:sessions`: a trace root as a workspace (issue 19), timed
 * through `codex-trace-viewer serve` as a user runs it.
 *
 *   root A  1,000 small real bundles (the fixture corpora, cycled)
 *   root B  1,000 bundles, ~5 GB: 920 small ones plus 50 copies of the
 *           LONG_STEPS=1000 schema-2 recording and 30 of its schema-3 one
 *
 * For each root, with an empty cache and again after a restart (cache kept):
 * time to the first rows of /bundles/sessions.json, time until every bundle
 * is summarised (the list complete), then until every one is indexed for
 * search (the index follows the summaries), and the latency of searches for
 * ids and text known to be in the root. Targets: first rows at once, the
 * list complete in under 10 s for 1,000 bundles, search under 1 s. Then the
 * root dropped on the page in Chromium: time to its first rows and to every
 * row summarised; and a cold list watched in Chromium, the page open from
 * the start. BENCH_SESSIONS_PARTS=served, page or dropped picks.
 *
 * Each copy is a real bundle given its own rollout id (manifest and
 * trace.jsonl rewritten, payloads hard-linked), so the list does not fold
 * them into one resumed session. Roots are built once under the cache
 * folder; BENCH_SESSIONS_ROOTS=A or B picks one.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServeCommand, type ServeCommand } from './lib/serve-command';
import { dropFromDisk, launch } from '../test/e2e/browser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(os.homedir(), '.cache/codex-trace-viewer');
const LONG_S2 = path.join(CACHE, 'long-1000/long-session');
const LONG_S3 = path.join(CACHE, 'long-1000-s3/long-session');

function fixtureBundles(): string[] {
  const out: string[] = [];
  for (const corpus of ['traces', 'traces-schema1', 'traces-schema3', 'traces-variants']) {
    const dir = path.join(ROOT, 'test/fixtures', corpus);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const b = path.join(dir, name);
      if (existsSync(path.join(b, 'manifest.json')) && existsSync(path.join(b, 'trace.jsonl'))) out.push(b);
    }
  }
  return out;
}

/** A copy of bundle `from` at `to` under a new rollout id: manifest and trace.jsonl rewritten, payloads hard-linked. */
function copyBundle(from: string, to: string, n: number) {
  mkdirSync(path.join(to, 'payloads'), { recursive: true });
  const manifest = readFileSync(path.join(from, 'manifest.json'), 'utf8');
  const id = (JSON.parse(manifest) as { rollout_id: string }).rollout_id;
  const fresh = `${id.slice(0, -12)}${n.toString(16).padStart(12, '0')}`;
  writeFileSync(path.join(to, 'manifest.json'), manifest.split(id).join(fresh));
  writeFileSync(path.join(to, 'trace.jsonl'), readFileSync(path.join(from, 'trace.jsonl'), 'utf8').split(id).join(fresh));
  const payloads = path.join(from, 'payloads');
  if (existsSync(payloads)) for (const f of readdirSync(payloads)) linkSync(path.join(payloads, f), path.join(to, 'payloads', f));
}

function buildRoot(dir: string, plan: { from: string; count: number }[]) {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  let n = 0;
  for (const { from, count } of plan)
    for (let i = 0; i < count; i++) copyBundle(from, path.join(dir, `b${String(n).padStart(4, '0')}-${path.basename(from)}`), ++n);
  writeFileSync(path.join(dir, '.complete'), '');
}

function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return total;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

/** From serve's start: first rows, every bundle summarised (the list complete), then every bundle indexed for search. */
async function timeList(s: ServeCommand, t0: number, limitMs: number) {
  let first: number | null = null;
  let complete: number | null = null;
  // Asked as the page asks (src/sessions/feed.ts): the rows changed since the last answer. A thousand rows
  // every 50 ms kept the server busy writing them, beside the summarisers it measures.
  let since = '?since=0';
  for (;;) {
    const now = performance.now() - t0;
    if (complete === null) {
      const list = await getJson(new URL(`bundles/sessions.json${since}`, s.url).href);
      if (list.epoch) since = `?since=${list.version}&epoch=${list.epoch}`;
      if (first === null && list.sessions.length > 0) first = now;
      if (list.total > 0 && list.summarised === list.total) complete = now;
    }
    if (complete !== null) {
      const search = await getJson(new URL('bundles/search?q=zzzz', s.url).href);
      if (!search.available || search.indexed >= search.total)
        return { first: first!, complete, indexed: performance.now() - t0, total: search.total as number };
    }
    if (now > limitMs) return { first: first ?? NaN, complete: complete ?? NaN, indexed: NaN, total: NaN };
    await new Promise((r) => setTimeout(r, Number(process.env.POLL_MS ?? 50)));
  }
}

async function timeSearch(s: ServeCommand, queries: string[]) {
  const out: { q: string; ms: number; groups: number }[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = await getJson(new URL(`bundles/search?q=${encodeURIComponent(q)}`, s.url).href);
    out.push({ q, ms: performance.now() - t0, groups: r.groups.length });
  }
  return out;
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`) : 'not reached');

/**
 * The root dragged onto the page from the file manager (a real drag and
 * drop: Chromium's Input.dispatchDragEvent with the folder's path), the page
 * showing a served bundle: from the page's `drop` event to the first session
 * rows on screen, and to every row summarised (the worker reduces each bundle).
 */
async function timeDroppedRoot(root: string, limitMs: number) {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'ctv-bench-drop-'));
  const s = await startServeCommand(path.join(ROOT, 'test/fixtures/traces/single-turn-answer'), cacheHome);
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(s.url);
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-status"]') !== null, null, { timeout: 30_000 });
    // As text: tsx would name the inner function with a helper the page does not have.
    await page.evaluate(`(() => {
      const d = (window.__drop = {});
      window.addEventListener('drop', () => (d.t0 ??= performance.now()), { capture: true });
      const look = () => {
        if (d.t0 !== undefined && d.first === undefined && document.querySelector('[data-testid="session-row"]')) d.first = performance.now();
        if (d.first !== undefined && !document.querySelector('.sess-progress')) d.complete = performance.now();
        if (d.complete === undefined) requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    })()`);
    await dropFromDisk(page, root);
    const times = async () => {
      const t = await page.evaluate(() => {
        const d = (window as unknown as { __drop: { t0: number; first?: number; complete?: number } }).__drop;
        // The load starts once the page has walked the folder.
        return { t0: d.t0, walked: performance.getEntriesByName('ctv:load-start').at(-1)?.startTime, first: d.first, complete: d.complete };
      });
      const since = (x: number | undefined) => (x !== undefined && x >= t.t0 ? x - t.t0 : NaN);
      return { walked: since(t.walked), first: since(t.first), complete: since(t.complete) };
    };
    const t0 = performance.now();
    while (!Number.isFinite((await times()).complete) && performance.now() - t0 < limitMs) await new Promise((r) => setTimeout(r, 250));
    return await times();
  } finally {
    await browser.close();
    await s.stop();
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

/** What to time: `served` (serve's list and search), `page` (that list watched in the browser), `dropped` (the root dropped on the page); BENCH_SESSIONS_PARTS picks. */
const parts = process.env.BENCH_SESSIONS_PARTS?.split(',') ?? ['served', 'page', 'dropped'];

/**
 * A cold list as a user watches it: the page opened on `serve`'s root URL as
 * soon as it listens (the list refetched on every change it is told of), until
 * the page shows every row summarised; from serve's start.
 */
async function timePageList(root: string, limitMs: number) {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'ctv-bench-page-'));
  const browser = await launch();
  try {
    const t0 = performance.now();
    const s = await startServeCommand(root, cacheHome);
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await page.goto(s.url);
      await page.locator('[data-testid="session-row"]').first().waitFor({ timeout: limitMs });
      const first = performance.now() - t0;
      await page.waitForFunction(() => document.querySelector('[data-testid="session-list"]') && !document.querySelector('.sess-progress'), null, {
        timeout: limitMs,
        polling: 50,
      });
      return { first, complete: performance.now() - t0 };
    } finally {
      await s.stop();
    }
  } finally {
    await browser.close();
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

async function benchRoot(label: string, root: string) {
  const bytes = du(root);
  console.log(`\n${label}  (${readdirSync(root).filter((n) => !n.startsWith('.')).length} bundles, ${(bytes / 1024 ** 3).toFixed(2)} GiB)`);
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'ctv-bench-sessions-'));
  try {
    for (const run of parts.includes('served') ? (['empty cache', 'restart, cache kept'] as const) : []) {
      const t0 = performance.now();
      const s = await startServeCommand(root, cacheHome);
      const started = performance.now() - t0;
      const list = await timeList(s, t0, 30 * 60_000);
      const searches = await timeSearch(s, ['call_0009', 'resp_0011', 'Run three shell commands', 'compact', 'no such words anywhere']);
      await s.stop();
      console.log(`  ${run}:`);
      console.log(`    serve → listening                  ${fmt(started)}`);
      console.log(`    serve → first rows                 ${fmt(list.first)}`);
      console.log(`    serve → list complete              ${fmt(list.complete)} (${list.total} bundles)`);
      console.log(`    serve → all indexed for search     ${fmt(list.indexed)}`);
      for (const q of searches) console.log(`    search "${q.q}"`.padEnd(39) + `${fmt(q.ms)} (${q.groups} sessions)`);
    }
    if (parts.includes('page')) {
      const shown = await timePageList(root, 10 * 60_000);
      console.log('  empty cache, the list open in Chromium from the start:');
      console.log(`    serve → first rows on the page     ${fmt(shown.first)}`);
      console.log(`    serve → list complete on the page  ${fmt(shown.complete)}`);
    }
    if (parts.includes('dropped')) {
      const dropped = await timeDroppedRoot(root, 10 * 60_000);
      console.log('  dropped on the page (headless Chromium, real drag and drop):');
      console.log(`    drop → folder walked               ${fmt(dropped.walked)}`);
      console.log(`    drop → first rows                  ${fmt(dropped.first)}`);
      console.log(`    drop → list complete               ${fmt(dropped.complete)}`);
    }
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

async function main() {
  const which = process.env.BENCH_SESSIONS_ROOTS?.split(',') ?? ['A', 'B'];
  const small = fixtureBundles();
  const cycle = (count: number) => Array.from({ length: count }, (_, i) => ({ from: small[i % small.length], count: 1 }));
  console.log('sessions: serve a trace root, list and search it (figures only; nothing asserted)');
  if (which.includes('A')) {
    const root = path.join(CACHE, 'bench-root-1000');
    buildRoot(root, cycle(1000));
    await benchRoot('root A: 1,000 small bundles', root);
  }
  if (which.includes('B')) {
    if (!existsSync(LONG_S2) || !existsSync(LONG_S3)) {
      console.log(`\nroot B skipped: it needs the LONG_STEPS=1000 recordings in ${LONG_S2} and ${LONG_S3} (see scripts/bench.ts)`);
      return;
    }
    const root = path.join(CACHE, 'bench-root-5gb');
    buildRoot(root, [...cycle(920), { from: LONG_S2, count: 50 }, { from: LONG_S3, count: 30 }]);
    await benchRoot('root B: 1,000 bundles, ~5 GB', root);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
