/** The `codex-trace-viewer` command line: `reduce` and `serve`. */
import { runReduce } from './reduce';

const USAGE = `usage:
  codex-trace-viewer reduce <bundle-dir> [-o <state.json>] [--partial] [--skip-unknown]
      Reduce a Codex rollout trace bundle to state.json, byte for byte as
      \`codex debug trace-reduce\` of its schema's reference release writes it
      (schema 1: Codex 0.164.0, schema 2: 0.169.1, schema 3: 0.171.0; the
      manifest names the schema). Without -o the state goes to stdout. On a bad bundle: exit 1 and one message naming the
      file, line and seq; --partial still writes the state reduced up to there.
      --skip-unknown reports unknown event types and goes on instead of failing.
  codex-trace-viewer serve <bundle-or-trace-root>... [--port N] [--host H] [--open]
      Serve the built viewer and the named bundles (read-only) on 127.0.0.1 and
      print a link that opens them.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'reduce') {
    let bundle: string | null = null;
    let output: string | null = null;
    let partial = false;
    let skipUnknown = false;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '-o' || a === '--output') output = rest[++i] ?? null;
      else if (a === '--partial') partial = true;
      else if (a === '--skip-unknown') skipUnknown = true;
      else if (!a.startsWith('-') && bundle === null) bundle = a;
      else return usage(`unexpected argument ${a}`);
    }
    if (bundle === null) return usage('reduce needs a bundle directory');
    return runReduce({ bundle, output, partial, skipUnknown });
  }
  if (command === 'serve') {
    const { runServe } = await import('./serve-command');
    return runServe(rest);
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  return usage(`unknown command ${command}`);
}

function usage(problem: string): number {
  process.stderr.write(`error: ${problem}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
