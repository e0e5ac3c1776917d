/**
 * The published package, as a new user gets it (issue 17): `npm pack`, then
 * `npm install --omit=dev <tarball>` into an empty folder, then the installed
 * `codex-trace-viewer` command: --version, --help, a usage mistake, `reduce`
 * byte for byte against the reference state.json, and `serve` with the page
 * loaded in Chromium and the bundle opened. The project is packed once
 * (prepack builds the viewer and the CLI); nothing here uses the clone's
 * sources or node_modules after that.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshotPath } from './browser';
import { openPage, summaryCounts } from './loading';
import { startServe, type ServeProcess } from '../serve-process';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let tarball: string;
let app: string;
let bin: string;

/**
 * npm itself: the one running `npm test` when there is one, else the npm on PATH. Without
 * the variables npm sets for the project's own scripts (npm_config_local_prefix would
 * install into the clone) and those vitest sets (NODE_ENV=test would make prepack build
 * React's development bundle), but with the user's npm configuration (registry, cache, proxy).
 */
function npm(args: string[], cwd: string): string {
  const [cmd, pre] = process.env.npm_execpath?.endsWith('.js') ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|npm_command$|INIT_CWD$|NODE_ENV$|VITEST|TEST$)/.test(k),
    ),
  );
  return execFileSync(cmd, [...pre, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The installed command, run the way a shell runs it (its #! line), from the install folder. */
function run(args: string[]) {
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  const r = spawnSync(bin, args, { cwd: app, env, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') };
}

function duBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((sum, name) => sum + duBytes(path.join(p, name)), 0);
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ctv-npm-package-'));
  npm(['pack', '--pack-destination', work, '--silent'], ROOT);
  const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(packed).toEqual([`codex-trace-viewer-${VERSION}.tgz`]);
  tarball = path.join(work, packed[0]);
  app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), '{ "name": "ctv-install-check", "private": true }\n');
  // Without the optional better-sqlite3 (search across sessions): the rest must install offline, with nothing else.
  npm(['install', '--omit=dev', '--omit=optional', '--no-audit', '--no-fund', tarball], app);
  bin = path.join(app, 'node_modules/.bin/codex-trace-viewer');
  const installed = path.join(app, 'node_modules/codex-trace-viewer');
  console.log(
    `npm package: ${(statSync(tarball).size / 1024).toFixed(0)} KiB packed, ` +
      `${(duBytes(installed) / 1024).toFixed(0)} KiB installed (${(duBytes(path.join(app, 'node_modules')) / 1024).toFixed(0)} KiB in node_modules)`,
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the built CLI and viewer, the README and nothing else', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('bin/codex-trace-viewer.mjs');
    expect(files).toContain('dist-cli/cli.mjs');
    expect(files).toContain('dist/index.html');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('dist/assets/') && f.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
    const unexpected = files.filter((f) => !/^(bin\/|dist\/|dist-cli\/|README\.md$|LICENSE$|package\.json$)/.test(f) || f.endsWith('.map'));
    expect(unexpected).toEqual([]);
  });

  it('carries its licence and the notices of the packages bundled into the page and the CLI', () => {
    const installed = path.join(app, 'node_modules/codex-trace-viewer');
    expect(readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toMatch(/^Apache License\s+Version 2\.0/);
    const page = readFileSync(path.join(installed, 'dist/THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const name of ['react 19', 'react-dom', 'zustand', 'zod', 'fflate', 'zstddec']) expect(page).toContain(name);
    expect(page).toContain('Permission is hereby granted'); // the MIT text itself, not only the name
    const cli = readFileSync(path.join(installed, 'dist-cli/THIRD_PARTY_LICENSES.txt'), 'utf8');
    expect(cli).toContain('zod');
    expect(cli).not.toContain('react-dom'); // only what the CLI bundles
  });

  it('installs with no other package: the CLI needs nothing at run time', () => {
    const names = readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(names).toEqual(['codex-trace-viewer']);
  });
});

describe('the installed codex-trace-viewer', () => {
  it('npx codex-trace-viewer --version prints the version', () => {
    expect(npm(['exec', '--offline', '--', 'codex-trace-viewer', '--version'], app)).toBe(`${VERSION}\n`);
  });

  it('--help shows both commands', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out.toString()).toMatch(/^usage: codex-trace-viewer <command>/);
    expect(r.out.toString()).toContain('serve <bundle-or-trace-root>...');
    expect(r.out.toString()).toContain('reduce <bundle-dir>');
    expect(r.err).toBe('');
  });

  it('a usage mistake is one line on stderr and exit 2', () => {
    const r = run(['reduce', path.join(FIXTURES, 'traces/single-turn-answer'), '-o']);
    expect(r.err).toMatch(/^error: reduce: -o needs a file name[^\n]*\n$/);
    expect(r.out.length).toBe(0);
    expect(r.code).toBe(2);
  });

  it.each(['traces-schema3/long-session', 'traces-schema1/multi-agent', 'traces/compaction-remote'])(
    'reduce %s writes its state.json byte for byte',
    (fixture) => {
      const dir = path.join(FIXTURES, fixture);
      const r = run(['reduce', dir]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out.equals(readFileSync(path.join(dir, 'state.json')))).toBe(true);
    },
  );

  describe('serve', () => {
    let browser: Browser | undefined;
    let server: ServeProcess | undefined;
    afterAll(async () => {
      await server?.stop();
      await browser?.close();
    });

    it('serves the viewer from the package; the printed link opens the bundle in Chromium', async () => {
      const bundle = path.join(FIXTURES, 'traces-schema3/single-turn-answer');
      server = await startServe(bin, ['serve', bundle, '--port', '0'], { cwd: app });
      const link = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\?trace=single-turn-answer)$/m.exec(server.out())?.[1];
      expect(link, server.out()).toBeTruthy();

      browser = await launch();
      const { page, problems } = await openPage(browser, link!);
      await expect.poll(() => page.getByTestId('bundle-label').textContent(), { timeout: 30_000 }).toBe('single-turn-answer');
      const state = JSON.parse(readFileSync(path.join(bundle, 'state.json'), 'utf8'));
      const n = (v: unknown) => Object.keys(v as object).length;
      await expect
        .poll(() => summaryCounts(page), { timeout: 15_000 })
        .toEqual({
          threads: n(state.threads),
          turns: n(state.codex_turns),
          items: n(state.conversation_items),
          inferenceCalls: n(state.inference_calls),
          toolCalls: n(state.tool_calls),
          compactions: n(state.compactions),
        });
      await expect.poll(() => page.getByTestId('conversation-panel').textContent(), { timeout: 15_000 }).toContain('What is the capital of France?');
      await page.screenshot({ path: screenshotPath('npm-package-serve') });
      expect(problems.errors).toEqual([]);
      expect(problems.cspViolations).toEqual([]);

      const stopped = server;
      server = undefined;
      expect(await stopped.stop()).toBe(0);
      expect(stopped.err()).toBe('');
    });
  });
});
