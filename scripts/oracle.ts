/**
 * The official reducer as a test oracle: `codex debug trace-reduce` from
 * npm `@openai/codex@0.169.0`.
 *
 * The package is ~300 MB, so it is never a project dependency. It is installed
 * on demand into a cache folder:
 *   - `CODEX_ORACLE_BIN`   path to a `codex` executable to use as is (no install);
 *   - `CODEX_ORACLE_CACHE` cache folder (default `$HOME/.cache/codex-trace-viewer/oracle`),
 *     where `npm install --prefix <cache> @openai/codex@0.169.0` is run when the
 *     binary is missing or has another version.
 *
 * The binary runs with `CODEX_HOME=<cache>/home` (created first, so it prints no
 * PATH-alias warning) and `RUST_BACKTRACE=0` (no `Stack backtrace:` block).
 *
 * Module use:   import { runOracle } from './oracle';
 * CLI use:      node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json]
 *               (without -o the state is printed on stdout; exit code = the oracle's)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ORACLE_PACKAGE = '@openai/codex';
export const ORACLE_VERSION = '0.169.0';

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
}

export function oracleCacheDir(): string {
  return process.env.CODEX_ORACLE_CACHE || path.join(os.homedir(), '.cache', 'codex-trace-viewer', 'oracle');
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

let ensured: Promise<string> | null = null;

/** Path of the `codex` executable, installing it into the cache folder first if needed. */
export function ensureOracle(): Promise<string> {
  if (!ensured) ensured = doEnsure();
  return ensured;
}

async function doEnsure(): Promise<string> {
  const explicit = process.env.CODEX_ORACLE_BIN;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`CODEX_ORACLE_BIN=${explicit} does not exist`);
    return explicit;
  }
  const cache = oracleCacheDir();
  const bin = path.join(cache, 'node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex');
  if (!fs.existsSync(bin) || installedVersion(cache) !== ORACLE_VERSION) {
    fs.mkdirSync(cache, { recursive: true });
    process.stderr.write(`[oracle] installing ${ORACLE_PACKAGE}@${ORACLE_VERSION} into ${cache} (one time, ~300 MB)\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = await run(npm, ['install', '--prefix', cache, '--no-audit', '--no-fund', `${ORACLE_PACKAGE}@${ORACLE_VERSION}`], {
      inherit: true,
    });
    if (r.code !== 0 || !fs.existsSync(bin)) throw new Error(`npm install of ${ORACLE_PACKAGE}@${ORACLE_VERSION} failed (exit ${r.code})`);
  }
  return bin;
}

function oracleHome(): string {
  const home = process.env.CODEX_ORACLE_BIN
    ? path.join(os.homedir(), '.cache', 'codex-trace-viewer', 'oracle-home')
    : path.join(oracleCacheDir(), 'home');
  fs.mkdirSync(home, { recursive: true });
  return home;
}

/** Runs `codex debug trace-reduce <bundleDir> -o <out>` and reports everything it did. */
export async function runOracleRaw(bundleDir: string, options: OracleOptions = {}): Promise<OracleRun> {
  const bin = await ensureOracle();
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
    const env = { ...process.env, CODEX_HOME: oracleHome(), RUST_BACKTRACE: '0' };
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
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--out') out = argv[++i] ?? null;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json]\n');
      return 0;
    } else if (!bundle) bundle = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!bundle) {
    process.stderr.write('usage: node --import tsx scripts/oracle.ts <bundle-dir> [-o out.json]\n');
    return 2;
  }
  const r = await runOracleRaw(bundle, out ? { outPath: out } : {});
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
