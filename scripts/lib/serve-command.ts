/**
 * `codex-trace-viewer serve` as a user runs it, for the benchmarks: the built
 * command line in its own process, on a free port, with the cache folder it is
 * given (a fresh one makes a first open a first open).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeCommand {
  /** The server's address, with its closing slash. */
  url: string;
  child: ChildProcess;
  /** Stops the server as Ctrl-C does (its caches are written) and waits for it to exit. */
  stop(): Promise<void>;
}

export async function startServeCommand(dir: string, cacheHome: string): Promise<ServeCommand> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/codex-trace-viewer.mjs'), 'serve', dir, '--port', '0'], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  // The listener stays on: a root of a thousand bundles prints a link for each, which must not fill the pipe.
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /serving .* at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${out}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
