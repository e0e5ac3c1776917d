/**
 * A worker that has reduced nothing runs the reducer's code cold: V8
 * interprets it at first and optimises it only as it runs. The first bundle a
 * user dropped paid for that: the schema-3 long-session took 330–400 ms to
 * reduce, about seven times its time once warm. So a worker with nothing to
 * do (no bundle named for it to fetch, no job yet) reduces a small real
 * recording several times (`ROUNDS`) while the user has not dropped anything yet, and
 * drops the results: that drop then showed its summary 400 ms after the drop
 * rather than 546 (medians of six, headless Chromium, 2 cores). Any job stops
 * it at once; a reduction slices its work, so a message waits at most a slice.
 */
import manifest from './warm-up/manifest.json?raw';
import trace from './warm-up/trace.jsonl?raw';
import shardBase64 from './warm-up/000001.zst.b64?raw';
import { prepareShardMemory } from '../trace/bundle/payloads';
import { prepareDecoderMemory } from '../trace/bundle/shards';
import { MemorySource, type FileBody } from '../trace/bundle/source';
import { yielding } from './reduce-job';
import { nextTask } from './slicing';
import type { WorkerSession } from './session';

/**
 * Reductions of the bundle: the first runs cold, the next ones let V8 optimise what they run most.
 * Ten rather than three: a first schema-3 long-session dropped then reduced in 133–172 ms rather
 * than 166–251, at the cost of about 0.2 s more of an idle worker's time after the page starts.
 */
const ROUNDS = 10;

/** The warm-up bundle (./warm-up/README.md), fresh for each reduction. */
export function warmUpBundle(): MemorySource {
  const shard = Uint8Array.from(atob(shardBase64.trim()), (c) => c.charCodeAt(0));
  return new MemorySource(
    'warm-up',
    new Map<string, FileBody>([
      ['manifest.json', manifest],
      ['trace.jsonl', trace],
      ['payloads/000001.zst', shard],
    ]),
  );
}

/**
 * Warms the session's reducer up, unless `signal` stops it first. Imported
 * when an idle worker's wait is over (./handler.ts), so that neither its
 * bundle nor the reducer is part of the worker's first script.
 */
export async function warmUp(s: WorkerSession, signal: AbortSignal): Promise<void> {
  // First, a task per MiB (24 of them; 15–20 ms each here while the page starts): the first schema-3
  // shard decodes into memory already written (payloads.ts), the warm-up's own included, and it is left
  // for the first drop; and the decoder's own memory, where zstd keeps the shard's window, is written
  // once too (shards.ts).
  await prepareShardMemory(signal, nextTask);
  await prepareDecoderMemory(signal, nextTask).catch(() => {});
  for (let i = 0; i < ROUNDS && !signal.aborted; i++) await s.reduce(yielding(warmUpBundle()), { unknownEvents: 'skip', signal }).catch(() => {});
}
