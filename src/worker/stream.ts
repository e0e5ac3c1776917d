/**
 * The page's half of a streamed load (input kind `stream`): it reads one
 * bundle's files and hands their bytes to the worker as each read completes,
 * transferred rather than copied. Cloning a dropped File into a worker costs
 * the page about as much as reading it, and the worker then reads it again;
 * read here, the worker's reducer starts on the first bytes.
 */
import type { InputFile } from '../trace/bundle/scan';
import type { BytesEntry } from './protocol';
import { gate, timeSlicer } from './slicing';

/** Most reads in flight (bounds the memory in transit), and most files per message. */
const MAX_READS = 512;
const MAX_BATCH = 64;

export interface StreamSink {
  /** False once the load was cancelled or replaced: reading stops and nothing more is sent. */
  live(): boolean;
  send(files: BytesEntry[], transfer: ArrayBuffer[]): void;
}

/** Reads `files` (in the order given, which should be the reducer's) and sends their bytes to `sink`. */
export async function streamFiles(files: readonly InputFile[], sink: StreamSink): Promise<void> {
  let batch: BytesEntry[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (!batch.length || !sink.live()) return;
    const sending = batch;
    batch = [];
    sink.send(
      sending,
      sending.flatMap((e) => ('data' in e ? [e.data.buffer as ArrayBuffer] : [])),
    );
  };
  const add = (e: BytesEntry) => {
    batch.push(e);
    // The event log goes at once (the reducer starts on it); payloads in batches of what arrived within a task.
    if (e.path === 'trace.jsonl' || batch.length >= MAX_BATCH) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 0);
    }
  };
  // Reads are started in time slices (each start costs this thread a little) and many at once (the browser serves them in parallel).
  const slicer = timeSlicer();
  const inFlight = gate(MAX_READS);
  const reads: Promise<void>[] = [];
  performance.mark?.('ctv:stream-start');
  for (const f of files) {
    if (!sink.live()) break;
    await inFlight.enter();
    reads.push(
      f.file
        .arrayBuffer()
        .then(
          (buf) => add({ path: f.path, data: new Uint8Array(buf) }),
          (e) => add({ path: f.path, error: e instanceof Error ? e.message : String(e) }),
        )
        .finally(inFlight.leave),
    );
    await slicer.maybeYield();
  }
  await Promise.all(reads);
  flush();
  performance.mark?.('ctv:stream-end');
}
