import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { PROGRAM, UsageError, packageRoot, parseCommandLine, requireDirectory } from './command-line';
import { serve } from './serve';
import { childSummarizer } from './sessions/child';
import { childReduceToFile } from './served-states';
import { sessionCacheFile, statesCacheDir } from './sessions/cache-path';

export const SERVE_HELP = `usage: ${PROGRAM} serve <bundle-or-trace-root>... [--port N] [--host H] [--open]

Serve the viewer and the named bundles (read-only) on 127.0.0.1 and print a
link per bundle. A trace root (say ~/traces, where CODEX_ROLLOUT_TRACE_ROOT
points) serves every bundle under it. Runs until Ctrl-C.

  <bundle-or-trace-root>  a bundle directory, or a directory of bundles
  -p, --port <N>          port to listen on (default 4180; 0 picks a free one)
  --host <H>              address to listen on (default 127.0.0.1)
  --open                  open the first bundle in the default browser
  -h, --help              show this help

Exit 2: a mistake in the command line; exit 1: cannot listen (say, the port is taken).
`;

/** `serve <bundle-or-trace-root>... [--port N] [--host H] [--open]`; runs until interrupted. */
export async function runServe(args: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandLine('serve', args, {
    port: { type: 'string', short: 'p', valueName: 'a port number' },
    host: { type: 'string', valueName: 'a host name or address' },
    open: { type: 'boolean' },
  });
  if (help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  let port = 4180;
  if (values.port !== undefined) {
    const text = values.port as string;
    port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port <= 65535)) throw new UsageError(`serve: --port needs a whole number from 0 to 65535, not ${text}`);
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  if (positionals.length === 0) throw new UsageError(`serve: missing the bundle directory or trace root (usage: ${PROGRAM} serve <dir>...)`);
  for (const p of positionals) requireDirectory('serve', p, 'a bundle directory or a directory of bundles');

  // This same command line, started again as the summariser: the bin script is what Node was asked to run.
  const indexFile = sessionCacheFile(positionals, 'search', 'sqlite');
  // One summarising process per core (up to 4): a cold root of a thousand bundles is summarised that much sooner.
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  const summarizer = childSummarizer(process.argv[1], indexFile, workers);
  let handle: Awaited<ReturnType<typeof serve>>;
  try {
    handle = await serve({
      roots: positionals.map((p) => resolve(p)),
      port,
      host,
      open: false,
      distDir: join(packageRoot(), 'dist'),
      sessions: { summarize: summarizer.summarize, cacheFile: sessionCacheFile(positionals, 'sessions', 'json'), indexFile, concurrency: workers },
      states: { dir: statesCacheDir(), reduce: childReduceToFile(process.argv[1]) },
    });
  } catch (e) {
    process.stderr.write(`error: ${listenProblem(e as NodeJS.ErrnoException, host, port)}\n`);
    return 1;
  }
  if (handle.bundles.length) process.stdout.write('Open a bundle (each link reopens that trace; "Copy link" in the viewer adds the view):\n');
  else process.stdout.write('No bundles found there (a bundle is a folder with manifest.json and trace.jsonl); the viewer still opens dropped bundles.\n');
  for (const b of handle.bundles) process.stdout.write(`  ${handle.url}?trace=${encodeURIComponent(b.name)}\n`);
  process.stdout.write('Press Ctrl-C to stop.\n');
  // The first bundle by name, so that the address bar holds a link that reopens it.
  if (values.open) openInBrowser(handle.bundles.length ? `${handle.url}?trace=${encodeURIComponent(handle.bundles[0].name)}` : handle.url);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  summarizer.close();
  await handle.close();
  return 0;
}

/** Why serve() failed, in one line: the port or address it could not take, or its own "serve: …" message. */
function listenProblem(e: NodeJS.ErrnoException, host: string, port: number): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return `serve: port ${port} on ${host} is already in use (choose another with --port N, or --port 0 for any free port)`;
    case 'EACCES':
      return `serve: not allowed to listen on port ${port} (choose one above 1023 with --port N)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `serve: cannot listen on --host ${host}: no such address on this machine`;
    default:
      return e.message.startsWith('serve:') ? e.message : `serve: ${e.message}`;
  }
}

/**
 * Opens `url` in the default browser, or says why it cannot: a Linux or BSD
 * session without a display (ssh, a container, CI) has no browser to open,
 * and xdg-open would fall back to a text browser on a terminal it cannot see.
 */
function openInBrowser(url: string): void {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  const { platform, env } = process;
  const graphical = platform === 'darwin' || platform === 'win32' || !!(env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER);
  if (!graphical) {
    say(`--open: no browser here (no DISPLAY or WAYLAND_DISPLAY); open ${url} yourself`);
    return;
  }
  const [cmd, args] = platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  let failed = false;
  const fail = (why: string) => {
    if (failed) return;
    failed = true;
    say(`--open: ${why}; open ${url} yourself`);
  };
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('spawn', () => say(`Opening ${url} in your browser.`));
    child.on('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'ENOENT' ? `${cmd} not found, so no browser to open here` : `${cmd} failed (${e.message})`),
    );
    child.on('exit', (code) => {
      if (code) fail(`${cmd} could not open a browser (exit code ${code})`);
    });
    child.unref();
  } catch (e) {
    fail(`${cmd} failed (${(e as Error).message})`);
  }
}
