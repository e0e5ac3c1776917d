/** A running `codex-trace-viewer serve`, for the command-line tests: started, read, stopped with Ctrl-C. */
import { spawn } from 'node:child_process';

export interface ServeProcess {
  /** All it has printed so far. */
  out(): string;
  err(): string;
  /** Ctrl-C, then its exit code. */
  stop(): Promise<number | null>;
}

/** Runs `file args` and resolves once it prints "Press Ctrl-C to stop."; rejects if it exits first. */
export async function startServe(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ServeProcess> {
  const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', () => out.includes('Press Ctrl-C to stop.\n') && ready());
    void exited.then((code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    out: () => out,
    err: () => err,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
