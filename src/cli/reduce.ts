import { closeSync, openSync, writeSync } from 'node:fs';
import { formatTraceError } from '../trace/errors';
import { formatDiagnosticGroup } from '../trace/diagnostics';
import { reduceBundle } from '../trace/reducer';
import { serializeStateChunks } from '../trace/serialize';
import { DirectorySource } from './directory-source';
import { PROGRAM, UsageError, parseCommandLine, requireDirectory } from './command-line';

export const REDUCE_HELP = `usage: ${PROGRAM} reduce <bundle-dir> [-o <state.json>] [--partial] [--skip-unknown]

Reduce a Codex rollout trace bundle to its state.json, byte for byte as
\`codex debug trace-reduce\` of its schema's reference release writes it
(schema 1: Codex 0.164.0, schema 2: 0.169.1, schema 3: 0.171.0; the manifest
names the schema).

  <bundle-dir>         a bundle: manifest.json, trace.jsonl and payloads/
  -o, --output <file>  write the state to <file> instead of stdout
  --partial            on a bad bundle, still write the state reduced up to the error
  --skip-unknown       skip unknown event types (one warning per type) instead of failing
  -h, --help           show this help

On a bad bundle: exit 1 and one message naming the file, line and seq.
Exit 2: a mistake in the command line.
`;

/** `reduce <bundle-dir> [-o file] [--partial] [--skip-unknown]` as typed. Returns the exit code. */
export async function reduceCommand(args: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandLine('reduce', args, {
    output: { type: 'string', short: 'o', valueName: 'a file name' },
    partial: { type: 'boolean' },
    'skip-unknown': { type: 'boolean' },
  });
  if (help) {
    process.stdout.write(REDUCE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`reduce: missing the bundle directory (usage: ${PROGRAM} reduce <bundle-dir>)`);
  if (positionals.length > 1) throw new UsageError(`reduce: unexpected argument ${positionals[1]} (reduce takes one bundle directory)`);
  const bundle = positionals[0];
  requireDirectory('reduce', bundle, 'a bundle directory');
  return runReduce({
    bundle,
    output: (values.output as string | undefined) ?? null,
    partial: values.partial === true,
    skipUnknown: values['skip-unknown'] === true,
  });
}

export interface ReduceCommand {
  bundle: string;
  output: string | null;
  partial: boolean;
  skipUnknown: boolean;
}

/** `reduce`: write the bundle's state.json (stdout without -o). Returns the exit code. */
export async function runReduce(cmd: ReduceCommand): Promise<number> {
  const result = await reduceBundle(new DirectorySource(cmd.bundle), { unknownEvents: cmd.skipUnknown ? 'skip' : 'error' });
  // One line per group: a bundle may skip millions of events.
  for (const g of result.diagnostics) process.stderr.write(`warning: ${formatDiagnosticGroup(g)}\n`);
  if (result.error) {
    process.stderr.write(`error: ${formatTraceError(result.error)}\n`);
    if (cmd.partial && result.state && write(cmd.output, serializeStateChunks(result.state)))
      process.stderr.write(`wrote the state reduced before the error (${result.eventsApplied} events)\n`);
    return 1;
  }
  return write(cmd.output, serializeStateChunks(result.state!)) ? 0 : 1;
}

/** Writes the state; a file that cannot be written (a directory, no permission, a full disk) is one line, not a stack trace. */
function write(output: string | null, chunks: Iterable<string>): boolean {
  if (output === null) {
    for (const chunk of chunks) process.stdout.write(chunk);
    return true;
  }
  let fd: number | null = null;
  try {
    fd = openSync(output, 'w');
    // Piece by piece: the whole text is never held at once.
    for (const chunk of chunks) writeSync(fd, chunk);
    return true;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EISDIR'
        ? 'it is a directory'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.code === 'ENOENT'
            ? 'its folder does not exist'
            : err.message;
    process.stderr.write(`error: cannot write ${output}: ${why}\n`);
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
