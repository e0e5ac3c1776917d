/**
 * Replays a bundle into the reduced state, as `codex debug trace-reduce` of
 * the bundle's reference release does (schema 1: 0.164.0, schema 2: 0.169.1,
 * schema 3: 0.171.0): one pass over trace.jsonl in order, payloads read as
 * events need them, and every referenced payload checked to be JSON once the
 * replay is done. This is the incremental replay (./incremental.ts) fed the
 * whole log at once; what differs between generations is in ./rules.ts.
 */
import type { ReduceOptions, ReduceResult } from '../api';
import type { BundleSource } from '../bundle/source';
import { decide0165, EVENT_LOG, IncrementalReplay, logMissingError, logReadError, type SchemaWriter } from './incremental';
import { openEventLog, type EventLog } from './eventLog';

export { IncrementalReplay, writtenBy0165, decide0165, logMissingError, type ReplayOptions, type SchemaWriter } from './incremental';

export async function reduceBundle(source: BundleSource, options: ReduceOptions = {}): Promise<ReduceResult> {
  const replay = await IncrementalReplay.open(source, options);
  const version = replay.schemaVersion;
  if (version === null) return replay.snapshot();
  // The log is opened first: for schema 2 it tells which release wrote the bundle. A failed read is reported
  // once the reducer exists, so the error comes with an (empty) partial state.
  let log: EventLog | null = null;
  let logError: Error | null = null;
  let writer: SchemaWriter = null;
  try {
    log = await openEventLog(source, EVENT_LOG);
    if (version === 2 && log !== null && (await writtenBy0165Log(log))) writer = 'schema-2-0.165.0';
  } catch (e) {
    logError = logReadError(e);
  }
  replay.begin(writer, log?.size ?? 0);
  if (logError) replay.fail(logError);
  else if (log === null) replay.fail(logMissingError());
  else {
    try {
      for await (const block of log.blocks()) {
        replay.feed(block);
        await replay.pump();
        if (replay.failed) break;
      }
    } catch (e) {
      replay.fail(e);
    }
  }
  replay.end();
  await replay.pump();
  const result = replay.snapshot();
  replay.close();
  if (!result.error) replay.reportProgress();
  return result;
}

/** `writtenBy0165` over a log read in blocks: reads only as far as the first runtime start that decides it. */
async function writtenBy0165Log(log: EventLog): Promise<boolean> {
  for await (const block of log.blocks()) {
    const decided = decide0165(block);
    if (decided !== null) return decided;
  }
  return false;
}
