/**
 * `npm run bench:huge`: gigabyte bundles opened in the browser through
 * `codex-trace-viewer serve` as a user runs it (issue 18). For each bundle:
 * navigation → interactive the first time (serve reduces it in a child and
 * keeps the state in a fresh cache folder) and once reopened (the kept state
 * is read), the time to the first progress shown, and the renderer's memory
 * (its resident size, as `ps` reports it). Targets: interactive under 15 s,
 * the tab under 1 GB. Prints figures; asserts nothing.
 *
 *   npm run bench:huge [-- <bundle dir>...]
 *
 * Default bundles: the LONG_STEPS=2000 LONG_OUTPUT_KB=8 LONG_COMPACT_AT=250000
 * recordings in schemas 2 and 3 under ~/.cache/codex-trace-viewer (giga-s2,
 * giga-s3; see ../shared/tools/record-traces), when they are there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../test/e2e/browser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(os.homedir(), '.cache/codex-trace-viewer');
const DEFAULTS = ['giga-s2', 'giga-s3'].map((d) => path.join(CACHE, d, 'long-session'));

function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'state.json' || e.name === 'scenario.md') continue;
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return n;
}

/** Resident MiB of each Chromium renderer process, largest first. */
function rendererMiB(): number[] {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('chrom') && l.includes('--type=renderer'))
    .map((l) => Number(l.trim().split(/\s+/)[0]) / 1024)
    .sort((a, b) => b - a);
}

async function serveBundle(bundle: string, cacheHome: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/codex-trace-viewer.mjs'), 'serve', bundle, '--port', '0'], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /(http:\/\/\S+\?trace=\S+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

async function openOnce(url: string): Promise<{ firstProgressMs: number | null; interactiveMs: number; rendererMiB: number }> {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const t0 = Date.now();
    await page.goto(url);
    const firstProgress = page
      .waitForSelector('[data-testid="load-progress"]', { timeout: 120_000 })
      .then(() => Date.now() - t0)
      .catch(() => null);
    await page.waitForSelector('[data-testid="summary-items"]', { timeout: 300_000 });
    const interactiveMs = Date.now() - t0;
    return { firstProgressMs: await firstProgress, interactiveMs, rendererMiB: rendererMiB()[0] ?? 0 };
  } finally {
    await browser.close();
  }
}

async function main() {
  const given = process.argv.slice(2).map((a) => path.resolve(a));
  const bundles = (given.length ? given : DEFAULTS).filter((b) => existsSync(path.join(b, 'trace.jsonl')));
  if (!bundles.length) {
    console.log(
      `(no gigabyte bundle: record one into ${DEFAULTS[0]} with ../shared/tools/record-traces, LONG_STEPS=2000 LONG_OUTPUT_KB=8 LONG_COMPACT_AT=250000)`,
    );
    return;
  }
  if (!existsSync(path.join(ROOT, 'dist/index.html')) || !existsSync(path.join(ROOT, 'dist-cli'))) {
    console.log('building the app and the command line…');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const bundle of bundles) {
    const label = `${path.basename(path.dirname(bundle))}/${path.basename(bundle)}`;
    console.log(`\n${label}  (${(sizeOf(bundle) / 2 ** 20).toFixed(0)} MiB, served)`);
    const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'bench-huge-'));
    const served = await serveBundle(bundle, cacheHome);
    try {
      for (const run of ['first open (serve reduces it)', 'reopened (state kept)']) {
        const r = await openOnce(served.url);
        console.log(`  ${run}`);
        console.log(`    → first progress shown            ${r.firstProgressMs === null ? '—' : `${r.firstProgressMs} ms`}`);
        console.log(`    → interactive                     ${(r.interactiveMs / 1000).toFixed(1)} s   (target 15 s)`);
        console.log(`    renderer resident memory          ${r.rendererMiB.toFixed(0)} MiB   (target 1024 MiB)`);
      }
    } finally {
      served.stop();
      rmSync(cacheHome, { recursive: true, force: true });
    }
  }
}

await main();
