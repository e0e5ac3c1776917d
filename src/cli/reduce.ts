import { writeFileSync } from 'node:fs';
import { formatTraceError, seqLabel } from '../trace/errors';
import { reduceBundle } from '../trace/reducer';
import { serializeState } from '../trace/serialize';
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
  for (const d of result.diagnostics) process.stderr.write(`warning: ${d.file} line ${d.line}, seq ${seqLabel(d)}: ${d.message} (skipped)\n`);
  if (result.error) {
    process.stderr.write(`error: ${formatTraceError(result.error)}\n`);
    if (cmd.partial && result.state) {
      write(cmd.output, serializeState(result.state));
      process.stderr.write(`wrote the state reduced before the error (${result.eventsApplied} events)\n`);
    }
    return 1;
  }
  write(cmd.output, serializeState(result.state!));
  return 0;
}

function write(output: string | null, text: string): void {
  if (output === null) process.stdout.write(text);
  else writeFileSync(output, text);
}
