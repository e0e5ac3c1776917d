/** The `codex-trace-viewer` command line: `reduce` and `serve`. */
import { PROGRAM, UsageError, packageVersion, parseCommandLine } from './command-line';
import { REDUCE_HELP, reduceCommand } from './reduce';

const USAGE = `usage: ${PROGRAM} <command> [options]

A viewer for Codex rollout trace bundles (the folders Codex writes where
CODEX_ROLLOUT_TRACE_ROOT points). Trace data never leaves your machine.

commands:
  serve <bundle-or-trace-root>...   serve the viewer and these bundles on 127.0.0.1
        [--port N] [--host H] [--open]
  reduce <bundle-dir>               write the bundle's state.json, byte for byte as
        [-o <file>] [--partial]     \`codex debug trace-reduce\` writes it
        [--skip-unknown]
  help [command]                    show this help, or a command's

options:
  -h, --help      show this help (${PROGRAM} <command> --help: the command's)
  -v, --version   print the version

Exit codes: 0 done, 1 failed (a bad bundle, a port in use, …), 2 a mistake in the command line.
`;

async function commandHelp(command: string | undefined): Promise<string> {
  if (command === 'reduce') return REDUCE_HELP;
  if (command === 'serve') return (await import('./serve-command')).SERVE_HELP;
  if (command === undefined) return USAGE;
  throw new UsageError(`help: unknown command ${command} (the commands are reduce and serve)`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === 'reduce') return reduceCommand(rest);
  // Not a user command: `serve` starts this to summarise bundles for the session list without holding its own thread.
  if (command === '__summarize') return (await import('./sessions/child')).runSummarizeChild();
  // Not a user command either: `serve` starts this to reduce a bundle too large for a browser tab.
  if (command === '__reduce-state') return (await import('./served-states')).runReduceStateChild();
  if (command === 'serve') return (await import('./serve-command')).runServe(rest);
  if (command === 'help') {
    if (rest.length > 1) throw new UsageError(`help: unexpected argument ${rest[1]}`);
    process.stdout.write(await commandHelp(rest[0]));
    return 0;
  }
  if (command.startsWith('-')) {
    const { values, positionals, help } = parseCommandLine(null, argv, { version: { type: 'boolean', short: 'v' } });
    if (help) process.stdout.write(await commandHelp(positionals[0]));
    else if (values.version) process.stdout.write(`${packageVersion()}\n`);
    // "--version reduce": the options come after the command.
    else throw new UsageError(`unexpected argument ${positionals[0]} (options go after the command; see ${PROGRAM} --help)`);
    return 0;
  }
  throw new UsageError(`unknown command ${command} (the commands are reduce and serve; see ${PROGRAM} --help)`);
}

// `reduce … | head`: the reader leaving early is not an error; stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // A mistake in the command line is one line; anything else is a bug, and its stack is what a report needs.
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
