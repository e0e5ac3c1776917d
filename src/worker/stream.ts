/**
 * The page's half of a streamed load (input kind `stream`): it reads one
 * bundle's files and hands their bytes to the worker as each read completes,
 * transferred rather than copied. Cloning a dropped File into a worker costs
 * the page about as much as reading it, and the worker then reads it again;
 * read here, the worker's reducer starts on the first bytes. The worker runs
 * the same for a bundle it reads through file-system handles.
 */
import { readGrouped } from '../trace/bundle/blob-groups';
import type { InputFile } from '../trace/bundle/scan';
import type { ArrivingSource } from '../trace/bundle/arriving';
import type { BytesEntry } from './protocol';

export interface StreamSink {
  /** False once the load was cancelled or replaced: reading stops and nothing more is sent. */
  live(): boolean;
  send(files: BytesEntry[], transfer: ArrayBuffer[]): void;
}

/**
 * Reads `files` (a group at a time, in the order given, which should be the reducer's) and sends each group's bytes to `sink`.
 * What comes before the first payload (manifest.json, trace.jsonl) is read first, on its own.
 */
export async function streamFiles(files: readonly InputFile[], sink: StreamSink): Promise<void> {
  performance.mark?.('ctv:stream-start');
  await readGrouped(
    files,
    (group) => {
      const entries: BytesEntry[] = group.map(({ item, body }) =>
        body instanceof Error ? { path: item.path, error: body.message } : { path: item.path, data: body },
      );
      // The files of a group share one buffer: it goes once, with all of them, in one message.
      const buffers = new Set(group.flatMap(({ body }) => (body instanceof Error ? [] : [body.buffer as ArrayBuffer])));
      sink.send(entries, [...buffers]);
    },
    { live: () => sink.live(), lead: files.findIndex((f) => f.path.startsWith('payloads/')) },
  );
  performance.mark?.('ctv:stream-end');
}

/** Streamed files into a source: their bytes, or the reason the reader gave. */
export function deliver(source: ArrivingSource, entries: readonly BytesEntry[]): void {
  for (const e of entries) source.deliver(e.path, 'data' in e ? e.data : new Error(`${e.path} could not be read: ${e.error}`));
}
