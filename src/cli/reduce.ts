import { closeSync, openSync, writeSync } from 'node:fs';
import { formatTraceError } from '../trace/errors';
import { formatDiagnosticGroup } from '../trace/diagnostics';
import { reduceBundle } from '../trace/reducer';
import { serializeStateChunks } from '../trace/serialize';
import { DirectorySource } from './directory-source';

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
    const why = err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOENT' ? 'its folder does not exist' : err.message;
    process.stderr.write(`error: cannot write ${output}: ${why}\n`);
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
