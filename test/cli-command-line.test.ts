/**
 * The command line as a user meets it (issue 17): bin/codex-trace-viewer.mjs
 * run as a process, as a shell would. Usage mistakes are one line and exit 2,
 * help and version go to stdout, reduce composes with pipes, serve says
 * where it listens and how to stop it, and --open opens or says why not.
 * test/e2e/npm-package.e2e.test.ts runs the same program from an installed tarball.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './serve-process';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/codex-trace-viewer.mjs');
const BUNDLE = path.join(ROOT, 'test/fixtures/traces/single-turn-answer');
const LONG = path.join(ROOT, 'test/fixtures/traces/long-session');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ctv-cli-line-'));
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // The first run in a fresh clone builds dist-cli/cli.mjs; do it once here, not inside a timed case.
  run(['--version']);
  // serve refuses to start without the built app, as it should for a user; a fresh clone has none yet.
  if (!existsSync(path.join(ROOT, 'dist/index.html'))) {
    const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr}`);
  }
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('usage mistakes: one line naming the argument, exit 2, nothing on stdout', () => {
  const cases: [string[], RegExp][] = [
    [['reduce', BUNDLE, '-o'], /^error: reduce: -o needs a file name/],
    [['reduce', BUNDLE, '-o', '--partial'], /^error: reduce: -o needs a file name, not --partial/],
    [['reduce', BUNDLE, '--nope'], /^error: reduce: unknown option --nope/],
    [['reduce', BUNDLE, '--partial=yes'], /^error: reduce: --partial=yes: --partial takes no value/],
    [['reduce'], /^error: reduce: missing the bundle directory/],
    [['reduce', BUNDLE, 'second'], /^error: reduce: unexpected argument second/],
    [['reduce', path.join(scratch, 'nothing-here')], /^error: reduce: .*nothing-here does not exist/],
    [['serve', '--port', 'abc', BUNDLE], /^error: serve: --port needs a whole number from 0 to 65535, not abc/],
    [['serve', '--port', '65536', BUNDLE], /^error: serve: --port needs a whole number from 0 to 65535, not 65536/],
    [['serve', BUNDLE, '--port'], /^error: serve: --port needs a port number/],
    [['serve'], /^error: serve: missing the bundle directory or trace root/],
    [['serve', path.join(BUNDLE, 'manifest.json')], /^error: serve: .*manifest\.json is not a directory/],
    [['frobnicate'], /^error: unknown command frobnicate/],
    [['--frobnicate'], /^error: unknown option --frobnicate/],
  ];
  it.each(cases)('%j', (args, message) => {
    const r = run(args);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(2); // one line and its newline
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('help and version', () => {
  it('--version prints the package version', () => {
    expect(run(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    expect(run(['-v']).out).toBe(`${VERSION}\n`);
  });

  it('--help lists both commands; each command has its own help, also behind "help <command>"', () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/^usage: codex-trace-viewer <command>/);
    expect(top.out).toContain('serve <bundle-or-trace-root>...');
    expect(top.out).toContain('reduce <bundle-dir>');
    for (const [cmd, flags] of [
      ['reduce', ['-o, --output <file>', '--partial', '--skip-unknown']],
      ['serve', ['-p, --port <N>', '--host <H>', '--open']],
    ] as const) {
      const own = run([cmd, '--help']);
      expect(own.code).toBe(0);
      expect(own.out).toMatch(new RegExp(`^usage: codex-trace-viewer ${cmd} `));
      for (const f of flags) expect(own.out).toContain(f);
      expect(run(['help', cmd]).out).toBe(own.out);
      expect(run([cmd, '-h']).out).toBe(own.out);
    }
  });

  it('no command at all: the usage on stderr, exit 2', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^usage: codex-trace-viewer <command>/);
  });
});

describe('reduce', () => {
  it('writes the state to stdout, byte for byte, and to -o', () => {
    const r = spawnSync(process.execPath, [BIN, 'reduce', BUNDLE], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout.equals(readFileSync(path.join(BUNDLE, 'state.json')))).toBe(true);
    const out = path.join(scratch, 'state.json');
    expect(run(['reduce', BUNDLE, '-o', out]).code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(path.join(BUNDLE, 'state.json')))).toBe(true);
  });

  it('a reader that stops early (reduce … | head -c 100) ends it quietly, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'reduce', LONG], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((done) => child.on('close', done));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});

describe('serve', () => {
  let running: ServeProcess | undefined;
  afterAll(() => running?.stop());

  async function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
    running = await startServe(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env });
    return running;
  }

  function stop(): Promise<number | null> {
    const r = running!;
    running = undefined;
    return r.stop();
  }

  it('says where it listens, links each bundle, says how to stop; Ctrl-C stops it with exit 0', async () => {
    const s = await start([BUNDLE, '--port', '0']);
    const url = /serving 1 bundle at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(s.out())?.[1];
    expect(url).toBeTruthy();
    expect(s.out()).toContain(`  ${url}?trace=single-turn-answer\n`);
    expect(s.out()).toContain('Press Ctrl-C to stop.');
    const status = await new Promise<number | undefined>((done) => http.get(`${url}bundles/index.json`, (res) => (res.resume(), done(res.statusCode))));
    expect(status).toBe(200);
    expect(await stop()).toBe(0);
    expect(s.err()).toBe('');
  });

  it('a port already taken: one line naming it, exit 1', async () => {
    const s = await start([BUNDLE, '--port', '0']);
    const port = /127\.0\.0\.1:(\d+)\//.exec(s.out())![1];
    const r = run(['serve', BUNDLE, '--port', port]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: serve: port ${port} on 127.0.0.1 is already in use (choose another with --port N, or --port 0 for any free port)\n`);
    await stop();
  });

  it('--open with no display says there is no browser, and keeps serving', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.BROWSER;
    const s = await start([BUNDLE, '--port', '0', '--open'], env);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.out()).toMatch(/--open: no browser here \(no DISPLAY or WAYLAND_DISPLAY\); open http:\/\/127\.0\.0\.1:\d+\/\?trace=single-turn-answer yourself\n/);
    expect(await stop()).toBe(0);
  });

  it.runIf(process.platform === 'linux')('--open runs the desktop opener with the first bundle, or says it is missing', async () => {
    const bin = path.join(scratch, 'bin');
    const opened = path.join(scratch, 'opened.txt');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
    let s = await start([BUNDLE, '--port', '0', '--open'], { ...process.env, DISPLAY: ':99', PATH: bin });
    const url = /serving 1 bundle at (\S+)/.exec(s.out())![1];
    await expect.poll(() => existsSync(opened) && readFileSync(opened, 'utf8')).toBe(`${url}?trace=single-turn-answer`);
    await expect.poll(() => s.out()).toContain(`Opening ${url}?trace=single-turn-answer in your browser.\n`);
    await stop();

    s = await start([BUNDLE, '--port', '0', '--open'], { ...process.env, DISPLAY: ':99', PATH: path.join(scratch, 'empty') });
    await expect.poll(() => s.out()).toMatch(/--open: xdg-open not found, so no browser to open here; open \S+ yourself\n/);
    expect(await stop()).toBe(0);
    expect(s.err()).toBe('');
  });
});
