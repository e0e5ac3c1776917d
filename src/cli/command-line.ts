/**
 * Command-line parsing shared by the commands: node:util parseArgs, with every
 * mistake turned into one line that names the bad argument (a UsageError,
 * exit code 2) instead of parseArgs's own multi-line messages.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const PROGRAM = 'codex-trace-viewer';

/** A mistake in the command line: one line on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** What a string option's value is, for "-o needs a file name". */
  valueName?: string;
}

export interface ParsedCommandLine {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/**
 * Parses `args` against `options` (plus -h/--help). `command` prefixes the
 * messages ("reduce: unknown option --x"). Unknown options, a missing value,
 * a value given to a flag: UsageError.
 */
export function parseCommandLine(command: string | null, args: string[], options: Record<string, OptionSpec>): ParsedCommandLine {
  const spec = { ...options, help: { type: 'boolean', short: 'h' } satisfies OptionSpec };
  // strict: false and tokens, so that every mistake is reported here, in one line, with the argument as typed.
  const { tokens } = parseArgs({ args, options: spec, allowPositionals: true, strict: false, tokens: true });
  const where = command ? `${command}: ` : '';
  const seeHelp = `see ${PROGRAM}${command ? ` ${command}` : ''} --help`;
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  const problems: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const o = (spec as Record<string, OptionSpec>)[t.name];
    if (t.name === 'help' && !t.inlineValue) help = true;
    else if (!o) problems.push(`unknown option ${t.rawName}`);
    else if (o.type === 'boolean') {
      if (t.inlineValue) problems.push(`${t.rawName}=${t.value}: ${t.rawName} takes no value`);
      else values[t.name] = true;
    } else if (t.value === undefined) problems.push(`${t.rawName} needs ${o.valueName ?? 'a value'}`);
    // "-o --partial": parseArgs took the next option as the value; a value that starts with - must be written --output=-x.
    else if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) problems.push(`${t.rawName} needs ${o.valueName ?? 'a value'}, not ${t.value}`);
    else values[t.name] = t.value;
  }
  // --help wins over any other mistake on the line: it is what the user is asking for.
  if (!help && problems.length) throw new UsageError(`${where}${problems[0]} (${seeHelp})`);
  return { values, positionals, help };
}

/** A directory the user named: one line and exit 2 when it is missing or not a directory. */
export function requireDirectory(command: string, path: string, what: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`${command}: ${path} does not exist (give ${what})`);
  }
  if (!isDir) throw new UsageError(`${command}: ${path} is not a directory (give ${what})`);
}

/** The package's root: the folder holding package.json above this file (source or built). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
