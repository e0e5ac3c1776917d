/**
 * `npm run bench:live`: live latency on a served root (issue 19), from an
 * append to trace.jsonl to the page showing it, in headless Chromium with the
 * production build. Prints figures; asserts nothing (the target is under 1 s).
 *
 *   npm run bench:live [-- <bundle dir>...] [--appends N]
 *
 * For each bundle (default: long-session of schemas 2 and 3), the first half
 * of its log is written into a temporary served root and opened with
 * `?trace=`; then, N times and about 0.8 s apart, a few more whole lines are
 * appended (their payloads written first, as Codex does). Latency: from just
 * before the append (wall clock) to the first frame in which the Live badge's
 * event count says those events are in (a MutationObserver in the page, then
 * the next animation frame). It covers serve's 200 ms poll, the range fetch,
 * the replay, the worker's 250 ms post throttle, parsing and indexing on the
 * page, and React's render. Also printed: the page thread's work per update
 * shown (applying the change to the state, building its indexes).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../src/cli/serve';
import { launch } from '../test/e2e/browser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, '.cache/bench-dist');

function parseArgs() {
  const a = process.argv.slice(2);
  let appends = 12;
  const inputs: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--appends') appends = Number(a[++i]);
    else inputs.push(path.resolve(a[i].replace(/^~(?=\/)/, process.env.HOME ?? '~')));
  }
  if (!inputs.length) inputs.push(path.join(ROOT, 'test/fixtures/traces/long-session'), path.join(ROOT, 'test/fixtures/traces-schema3/long-session'));
  return { appends, inputs };
}

/** Runs in the page: every change of the Live badge's event count, with the wall time of the frame after it. */
function watchLiveCount(): void {
  const w = window as unknown as { __liveSeen: { count: number; at: number }[] };
  w.__liveSeen = [];
  let last = -1;
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="live-events"]');
    const count = el ? Number((el.textContent ?? '').replace(/\D/g, '')) : -1;
    if (count === last || count < 0) return;
    last = count;
    requestAnimationFrame(() => setTimeout(() => w.__liveSeen.push({ count, at: performance.timeOrigin + performance.now() }), 0));
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  const { appends, inputs } = parseArgs();
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const browser = await launch();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-bench-live-'));
  try {
    for (const [n, src] of inputs.entries()) {
      if (!existsSync(path.join(src, 'trace.jsonl'))) {
        console.log(`${src}: not a bundle, skipped`);
        continue;
      }
      const root = path.join(tmp, `root${n}`);
      const dir = path.join(root, 'rec');
      mkdirSync(path.join(dir, 'payloads'), { recursive: true });
      copyFileSync(path.join(src, 'manifest.json'), path.join(dir, 'manifest.json'));
      // Payloads first, all of them (Codex writes each before its event): what is timed is the log's growth.
      for (const f of readdirSync(path.join(src, 'payloads'))) copyFileSync(path.join(src, 'payloads', f), path.join(dir, 'payloads', f));
      const lines = readFileSync(path.join(src, 'trace.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      // Keep the last line (recording_completed) back: the page must still be following when the appends end.
      const start = Math.floor(lines.length / 2);
      const per = Math.max(1, Math.floor((lines.length - 1 - start) / appends));
      writeFileSync(
        path.join(dir, 'trace.jsonl'),
        lines
          .slice(0, start)
          .map((l) => `${l}\n`)
          .join(''),
      );
      const server = await serve({ roots: [root], port: 0, distDir: DIST, log: () => {} });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript(watchLiveCount);
      await page.goto(`${server.url}?trace=${encodeURIComponent(`root${n}/rec`)}`);
      await page.locator('[data-testid="live-events"]').waitFor({ timeout: 60_000 });
      const latencies: number[] = [];
      let at = start;
      for (let i = 0; i < appends && at + per < lines.length; i++) {
        await page.waitForTimeout(500 + Math.floor(Math.random() * 600));
        const chunk = lines.slice(at, at + per);
        at += per;
        const t0 = Date.now();
        appendFileSync(path.join(dir, 'trace.jsonl'), chunk.map((l) => `${l}\n`).join(''));
        const seen = await page.waitForFunction(
          (want) => (window as unknown as { __liveSeen: { count: number; at: number }[] }).__liveSeen.find((s) => s.count >= want)?.at ?? null,
          at,
          { timeout: 30_000, polling: 20 },
        );
        latencies.push((await seen.jsonValue())! - t0);
      }
      const size =
        readdirSync(path.join(dir, 'payloads')).reduce((s, f) => s + readFileSync(path.join(dir, 'payloads', f)).length, 0) +
        readFileSync(path.join(src, 'trace.jsonl')).length;
      const shown = src.startsWith(ROOT) ? path.relative(ROOT, src) : src.replace(os.homedir(), '~');
      console.log(`${shown}  (${(size / 2 ** 20).toFixed(1)} MiB, ${lines.length} events, ${per} events per append)`);
      console.log(
        `  live latency append → visible    median ${pct(latencies, 50).toFixed(0)} ms, p90 ${pct(latencies, 90).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (${latencies.length} appends)`,
      );
      // The page's own thread, per update shown: applying the change and building the indexes (pauses left out), then React's render is not counted.
      const work = await page.evaluate(() =>
        performance
          .getEntriesByName('ctv:live-update')
          .map((e) => (e as PerformanceMark).detail as { state: boolean; workMs: number })
          .filter((d) => d.state)
          .map((d) => d.workMs),
      );
      if (work.length)
        console.log(
          `  page thread per update shown     median ${pct(work, 50).toFixed(0)} ms, p90 ${pct(work, 90).toFixed(0)} ms, max ${Math.max(...work).toFixed(0)} ms (${work.length} updates)`,
        );
      await context.close();
      await server.close();
    }
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
