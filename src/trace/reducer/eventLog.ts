/**
 * trace.jsonl as blocks of whole lines. A source that can hand out a file's
 * text in pieces (the CLI's directory reader) is read that way, so an event
 * log past V8's 512 MiB string limit still reduces and the log is never held
 * whole; any other source is one block, the file's text. Blocks end just
 * after a newline, except the last, so a line never straddles two blocks.
 */
import type { BundleSource } from '../bundle/source';

export interface EventLog {
  /** The log's blocks from the start; can be called again to re-read (the schema-2 writer check reads ahead). */
  blocks(): AsyncIterable<string>;
  /** Its size in characters or bytes, for progress; null when not known up front. */
  readonly size: number | null;
}

/** Thrown when reading the log fails part way (I/O, or bytes that are not UTF-8). */
export class EventLogReadError extends Error {}

export async function openEventLog(source: BundleSource, path: string): Promise<EventLog | null> {
  if (source.readTextPieces) {
    const first = await source.readTextPieces(path);
    if (first === null) return null;
    let pending: AsyncIterable<string> | null = first;
    return {
      size: source.size?.(path) ?? null,
      blocks: () => {
        const pieces = pending ?? reopen(source, path);
        pending = null;
        return wholeLines(pieces);
      },
    };
  }
  const text = await source.readText(path);
  if (text === null) return null;
  return {
    size: text.length,
    blocks: async function* () {
      yield text;
    },
  };
}

async function* reopen(source: BundleSource, path: string): AsyncIterable<string> {
  const pieces = await source.readTextPieces!(path);
  if (pieces === null) throw new EventLogReadError(`${path} disappeared while it was read`);
  yield* pieces;
}

async function* wholeLines(pieces: AsyncIterable<string>): AsyncIterable<string> {
  // Only a line cut by a piece's edges is joined; the rest of each piece is passed on as it is, not copied.
  let carry = '';
  try {
    for await (const piece of pieces) {
      const last = piece.lastIndexOf('\n');
      if (last < 0) {
        carry += piece;
        continue;
      }
      if (carry) {
        const first = piece.indexOf('\n');
        yield carry + piece.slice(0, first + 1);
        if (first < last) yield piece.slice(first + 1, last + 1);
      } else yield piece.slice(0, last + 1);
      carry = piece.slice(last + 1);
    }
  } catch (e) {
    throw e instanceof EventLogReadError ? e : new EventLogReadError((e as Error)?.message ?? String(e));
  }
  if (carry) yield carry;
}
