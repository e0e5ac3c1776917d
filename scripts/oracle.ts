/**
 * The official reducer as a test oracle: `codex debug trace-reduce` from npm
 * `@openai/codex@<release>`, by default the schema-2 reference 0.169.1; each
 * schema's reference is in REFERENCE_RELEASES (0.164.0, 0.169.1, 0.171.0).
 *
 * The package is ~300 MB, so it is never a project dependency. A release is
 * found, or installed on demand, in this order:
 *   - `CODEX_ORACLE_BIN`   path to a `codex` executable to use as is, for every release (no install);
 *   - `$HOME/.cache/codex-oracles/<release>` when it already holds that release (used as is);
 *   - `CODEX_ORACLE_CACHE` cache folder (default `$HOME/.cache/codex-trace-viewer/oracle`):
 *     `<cache>/<release>`, where `npm install --prefix <cache>/<release> @openai/codex@<release>`
 *     is run when the binary is missing (`<cache>` itself is also used when it holds that release,
 *     as earlier versions of this script installed there).
 *
 * The binary runs with `CODEX_HOME=<folder>/home` (created first, so it prints no
 * PATH-alias warning) and `RUST_BACKTRACE=0` (no `Stack backtrace:` block).
 *
 * Module use:   import { runOracle } from './oracle';   runOracle(dir, { release: '0.171.0' })
 * CLI use:      node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json] [--release V | --schema N]
 *               (without -o the state is printed on stdout; exit code = the oracle's)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ORACLE_PACKAGE = '@openai/codex';
/** The release whose reducer is the reference for each schema (src/trace/schema/generations.ts). */
export const REFERENCE_RELEASES: Readonly<Record<1 | 2 | 3, string>> = { 1: '0.164.0', 2: '0.169.1', 3: '0.171.0' };
export const ORACLE_VERSION = REFERENCE_RELEASES[2];

export interface OracleRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The state.json text the binary wrote, or null when it wrote none. */
  stateText: string | null;
}

export interface OracleResult {
  ok: boolean;
  stderr: string;
  stateText: string | null;
}

export interface OracleOptions {
  /** Working directory of the binary; error messages that name the bundle path show it relative to this. */
  cwd?: string;
  /** Where to keep the state file; by default a temp file that is removed afterwards. */
  outPath?: string;
  /** Kill the binary after this many ms (default 120 s). */
  timeoutMs?: number;
  /** Which @openai/codex release to run (default ORACLE_VERSION). */
  release?: string;
}

export function oracleCacheDir(): string {
  return process.env.CODEX_ORACLE_CACHE || path.join(os.homedir(), '.cache', 'codex-trace-viewer', 'oracle');
}

/** Folders shared by other tools, one per release, used when they already hold it. */
function sharedOraclesDir(): string {
  return path.join(os.homedir(), '.cache', 'codex-oracles');
}

function installedVersion(cache: string): string | null {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(cache, 'node_modules', '@openai', 'codex', 'package.json'), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; inherit?: boolean }) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

interface Located {
  bin: string;
  /** The CODEX_HOME to run it with. */
  home: string;
}

const ensured = new Map<string, Promise<Located>>();

/** Path of the `codex` executable of a release, installing it into the cache folder first if needed. */
export async function ensureOracle(release: string = ORACLE_VERSION): Promise<string> {
  return (await locate(release)).bin;
}

function locate(release: string): Promise<Located> {
  let p = ensured.get(release);
  if (!p) ensured.set(release, (p = doEnsure(release)));
  return p;
}

const binIn = (prefix: string) => path.join(prefix, 'node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex');

async function doEnsure(release: string): Promise<Located> {
  if (!/^\d+\.\d+\.\d+$/.test(release)) throw new Error(`not a release version: ${release}`);
  const explicit = process.env.CODEX_ORACLE_BIN;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`CODEX_ORACLE_BIN=${explicit} does not exist`);
    return { bin: explicit, home: path.join(os.homedir(), '.cache', 'codex-trace-viewer', 'oracle-home') };
  }
  const shared = path.join(sharedOraclesDir(), release);
  if (fs.existsSync(binIn(shared)) && installedVersion(shared) === release) return { bin: binIn(shared), home: path.join(sharedOraclesDir(), 'home') };
  const cache = oracleCacheDir();
  if (fs.existsSync(binIn(cache)) && installedVersion(cache) === release) return { bin: binIn(cache), home: path.join(cache, 'home') };
  const prefix = path.join(cache, release);
  const bin = binIn(prefix);
  if (!fs.existsSync(bin) || installedVersion(prefix) !== release) {
    fs.mkdirSync(prefix, { recursive: true });
    process.stderr.write(`[oracle] installing ${ORACLE_PACKAGE}@${release} into ${prefix} (one time, ~300 MB)\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = await run(npm, ['install', '--prefix', prefix, '--no-audit', '--no-fund', `${ORACLE_PACKAGE}@${release}`], {
      inherit: true,
    });
    if (r.code !== 0 || !fs.existsSync(bin)) throw new Error(`npm install of ${ORACLE_PACKAGE}@${release} failed (exit ${r.code})`);
  }
  return { bin, home: path.join(cache, 'home') };
}

/** Runs `codex debug trace-reduce <bundleDir> -o <out>` and reports everything it did. */
export async function runOracleRaw(bundleDir: string, options: OracleOptions = {}): Promise<OracleRun> {
  const { bin, home } = await locate(options.release ?? ORACLE_VERSION);
  fs.mkdirSync(home, { recursive: true });
  let tmpDir: string | null = null;
  let outPath = options.outPath;
  if (!outPath) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctv-oracle-'));
    outPath = path.join(tmpDir, 'state.json');
  } else {
    outPath = path.resolve(outPath);
    fs.rmSync(outPath, { force: true });
  }
  try {
    const env = { ...process.env, CODEX_HOME: home, RUST_BACKTRACE: '0' };
    const r = await run(bin, ['debug', 'trace-reduce', bundleDir, '-o', outPath], {
      cwd: options.cwd,
      env,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
    const stateText = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : null;
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, stateText };
  } finally {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** The oracle's verdict on one bundle directory. */
export async function runOracle(bundleDir: string, options: OracleOptions = {}): Promise<OracleResult> {
  const r = await runOracleRaw(bundleDir, options);
  return { ok: r.exitCode === 0 && r.stateText !== null, stderr: r.stderr, stateText: r.stateText };
}

async function main(argv: string[]): Promise<number> {
  let bundle: string | null = null;
  let out: string | null = null;
  let release = ORACLE_VERSION;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--out') out = argv[++i] ?? null;
    else if (a === '--release') release = argv[++i] ?? '';
    else if (a === '--schema') {
      const n = Number(argv[++i]);
      if (n !== 1 && n !== 2 && n !== 3) throw new Error('--schema is 1, 2 or 3');
      release = REFERENCE_RELEASES[n];
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json] [--release V | --schema N]\n');
      return 0;
    } else if (!bundle) bundle = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!bundle) {
    process.stderr.write('usage: node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json] [--release V | --schema N]\n');
    return 2;
  }
  const r = await runOracleRaw(bundle, out ? { outPath: out, release } : { release });
  // The binary prints the output path on stdout; only pass that on when the caller chose the path.
  if (out && r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  if (!out && r.stateText !== null) process.stdout.write(r.stateText);
  return r.exitCode;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
