/**
 * One reduction from a bundle source to a `result` message: the size limit,
 * progress, the state in parts for the page, then the bundle's content hash
 * (a `hash` message), and keeping the bundle for later requests and in the
 * recent-bundles cache.
 */
import { ArrivingSource } from '../trace/bundle/arriving';
import { FetchSource } from '../trace/bundle/fetch';
import { hashBundleFiles, hashedPaths } from '../trace/bundle/hash';
import { payloadStoreFor } from '../trace/bundle/payloads';
import { withBlobReadAhead } from '../trace/bundle/blob-read-ahead';
import { withReadAhead } from '../trace/bundle/readahead';
import { checkManifest } from '../trace/bundle/scan';
import { decodingSteps, lendStateBytes } from '../trace/bundle/served-state';
import { MemorySource, readFileText, type BundleSource } from '../trace/bundle/source';
import type { TraceErrorInfo } from '../trace/errors';
import type { Manifest } from '../trace/schema/manifest';
import type { RolloutTrace } from '../trace/schema/state';
import { GENERATIONS, generationOf } from '../trace/schema/generations';
import { logSizeProblem, sizeProblem } from './limits';
import { progressReporter } from './progress';
import { stateToParts, type ProgressMsg as Progress } from './protocol';
import { errorInfo, type ReduceFn, type WorkerSession } from './session';
import { nextTask, timeSlicer } from './slicing';

/** Bytes the reducer will read: trace.jsonl and the payloads. */
function eventAndPayloadBytes(source: MemorySource): number {
  let n = 0;
  for (const p of source.paths()) if (p === 'trace.jsonl' || p.startsWith('payloads/')) n += source.size(p) ?? 0;
  return n;
}

/**
 * Lets queued messages (a cancel, a newer load) in while the reducer runs:
 * reads from memory resolve as microtasks, so without this a reduction over an
 * unpacked archive would hold the worker until it ends.
 */
export function yielding(source: BundleSource, everyMs = 16): BundleSource {
  const slicer = timeSlicer(everyMs, nextTask);
  return {
    name: source.name,
    size: source.size?.bind(source),
    async readText(path) {
      await slicer.maybeYield();
      return source.readText(path);
    },
    async readBytes(path) {
      await slicer.maybeYield();
      return source.readBytes(path);
    },
    async readFileText(path) {
      await slicer.maybeYield();
      return readFileText(source, path);
    },
  };
}

export interface ReduceJobOptions {
  /** Keep the bundle among the recently opened ones. */
  remember?: boolean;
  /** A reduction other than the session's: a followed bundle's live replay, or the server's (`served`). */
  reduce?: ReduceFn;
  /** The server reduces the bundle and `source` serves its payloads one by one: no size limit applies here. */
  served?: boolean;
  /** The bundle's hash as the server computed it (a served reduction), known once `reduce` has returned. */
  contentHash?: () => string | null;
}

export async function reduceAndPost(
  s: WorkerSession,
  id: number,
  label: string,
  source: BundleSource,
  signal: AbortSignal,
  options: ReduceJobOptions = {},
): Promise<void> {
  try {
    await reduceAndPostOnce(s, id, label, source, signal, options.remember ?? false, options.reduce ?? s.reduce, options.served ?? false, options.contentHash);
  } finally {
    // A streamed bundle's reads still waiting (after an error or a cancel) fail rather than hang.
    if (source instanceof ArrivingSource) source.abort(new DOMException('The load ended.', 'AbortError'));
  }
}

async function reduceAndPostOnce(
  s: WorkerSession,
  id: number,
  label: string,
  source: BundleSource,
  signal: AbortSignal,
  remember: boolean,
  reduce: ReduceFn,
  served: boolean,
  serverHash?: () => string | null,
): Promise<void> {
  const post = s.post;
  const manifestText = source.readText('manifest.json');
  /** The bundle's manifest, or null once its problem has been posted. */
  const manifestOrError = async (): Promise<Manifest | null> => {
    const { manifest, problem } = checkManifest(await manifestText);
    if (problem || !manifest) {
      post({ type: 'error', id, error: problem ?? errorInfo('manifest.json', 'manifest.json could not be read') });
      return null;
    }
    return manifest;
  };
  // The server's reduction is already arriving (its answer was asked for first): the manifest, a request of its own,
  // is checked once that is in, rather than before it is read. Anything else is read only once its manifest is good.
  let manifest: Manifest | null = null;
  if (served) manifestText.catch(() => {});
  else {
    manifest = await manifestOrError();
    if (!manifest) return;
  }
  if (source instanceof FetchSource && !served) {
    // Another server (no bundle tar): at least the event log's size is known before it is read.
    const tooLarge = sizeProblem((await source.probe('trace.jsonl')) ?? 0, s.maxBundleBytes, 'served');
    if (tooLarge) {
      post({ type: 'error', id, error: tooLarge });
      return;
    }
  }
  const memory = source instanceof MemorySource ? source : null;
  const arriving = source instanceof ArrivingSource ? source : null;
  const expected = memory ? eventAndPayloadBytes(memory) : null;
  // What the tab must hold is the state, which grows with the event log: a log too long is refused before
  // anything is read. Files too many to hold are read as the reducer goes and never held whole.
  const fromFiles = memory !== null && expected !== null && expected > s.maxBundleBytes;
  const tooLarge = memory ? logSizeProblem(memory.size('trace.jsonl') ?? 0, s.maxDroppedLogBytes) : null;
  if (tooLarge) {
    post({ type: 'error', id, error: tooLarge });
    return;
  }
  const progress = progressReporter(post, id, expected, s.progressIntervalMs, s.now);
  const t0 = performance.now();
  /** What the reducer last reported (a stream's arrivals report it again with a better total). */
  let reduced = { bytesDone: 0, eventsDone: 0 };
  /** Set when a streamed bundle turns out larger than the limit (its size is known only as it arrives). */
  let streamTooLarge: TraceErrorInfo | null = null;
  /** A stream's total is known once its last file is in; until then, an estimate from the average file so far. */
  const streamProgress = (a: ArrivingSource): Progress => {
    const complete = a.arrivedCount === a.fileCount;
    const total = complete ? a.arrivedBytes : Math.round((a.arrivedBytes / Math.max(1, a.arrivedCount)) * a.fileCount);
    return { ...reduced, bytesTotal: Math.max(total, reduced.bytesDone), phase: complete ? 'reducing' : 'reading' };
  };
  if (memory && !fromFiles) {
    // Dropped files read at once, many in parallel, rather than one by one as the reducer asks.
    await memory.materialize(hashedPaths(memory.paths()), signal);
  } else if (arriving) {
    arriving.onArrival = () => {
      streamTooLarge ??= sizeProblem(arriving.arrivedBytes, s.maxBundleBytes);
      if (streamTooLarge) arriving.abort(new Error(streamTooLarge.message));
      else progress.push(streamProgress(arriving));
    };
  }
  const t1 = performance.now();
  const reading = fromFiles ? withBlobReadAhead(memory, { signal, read: s.readBlobs }) : withReadAhead(source);
  const result = await reduce(yielding(reading), {
    unknownEvents: 'skip',
    signal,
    onProgress: (p) => {
      reduced = { bytesDone: p.bytesDone, eventsDone: p.eventsDone };
      progress.push(arriving ? streamProgress(arriving) : { ...p, phase: p.phase ?? 'reducing' });
    },
  });
  signal.throwIfAborted();
  manifest ??= await manifestOrError();
  if (!manifest) return;
  if (streamTooLarge) {
    post({ type: 'error', id, error: streamTooLarge });
    return;
  }
  progress.flush();
  const t2 = performance.now();
  // Stopped before any thread: nothing to show (an empty trace, "0 agents … running", would only hide the
  // failure), and the bundle shown before (if any) stays the one held, so the page keeps it with the failure above it.
  if (!result.state || (result.error && Object.keys(result.state.threads).length === 0)) {
    post({ type: 'error', id, error: result.error ?? errorInfo('trace.jsonl', 'The reducer returned no state.') });
    return;
  }
  // A streamed bundle is complete once reduced: keep it in memory like a dropped one. One read from its
  // files keeps only the Files, to read a payload again when a panel shows it; it is neither hashed nor
  // copied into the recent-bundles cache, which would mean reading and holding all of it.
  const kept = arriving ? await arriving.complete(signal) : fromFiles ? null : memory;
  const keptSource = kept ?? source;
  const generation = generationOf(result.state.schema_version) ?? GENERATIONS[2];
  s.loaded = {
    source: keptSource,
    payloads: payloadStoreFor(keptSource, generation.payloads, (result.manifest ?? manifest).payloads_dir || 'payloads'),
    state: result.state,
    index: null,
    servedReduction: served,
    readFromFiles: fromFiles,
  };
  signal.throwIfAborted();
  const t3 = performance.now();
  // A state that came as text goes on as text, its bytes handed over rather than copied (writing a copy took as long
  // as reading them): the page gives them back once it has parsed its own (`landed`). Meanwhile only raw_payloads is read here.
  const lent = result.stateText ? lendStateBytes(result.state, ['raw_payloads']) : null;
  if (lent) s.loaded.stateLentTo = id;
  const stateText = result.stateText && { bytes: lent ?? result.stateText.bytes.slice(), parts: result.stateText.parts };
  const stateParts = stateText ? null : stateToParts(result.state);
  const t4 = performance.now();
  const hashed = serverHash?.() ?? null;
  post({
    type: 'result',
    id,
    label,
    bundleKey: result.manifest?.trace_id ?? manifest.trace_id,
    manifest: result.manifest ?? manifest,
    stateParts,
    stateText,
    error: result.error,
    diagnostics: result.diagnostics,
    eventsApplied: result.eventsApplied,
    hashFollows: kept !== null || hashed !== null,
    timings: { ...s.takeArrivalTimes(id), startAt: performance.timeOrigin + t0, read: t1 - t0, reduce: t2 - t1, keep: t3 - t2, serialize: t4 - t3 },
  });
  if (!kept) {
    // The server's hash is known already; it follows the result as a hash computed here would.
    if (hashed !== null) post({ type: 'hash', id, contentHash: hashed });
    await decodeWhileIdle(s, id, result.state, signal);
    return;
  }
  // Hashed only once the page has drawn the state: beside the reduction, the digests made a small
  // bundle's load a third slower, and only links and the recent-bundles cache need the hash.
  await s.whenLanded(id, signal);
  let contentHash: string | null = null;
  try {
    contentHash = await hashBundleFiles(kept.fileMap(), signal);
  } catch (e) {
    if (!signal.aborted) console.warn('could not hash the bundle', e);
  }
  // Always answered, null when unknown: the page holds Copy link until it hears.
  post({ type: 'hash', id, contentHash });
  if (remember && contentHash && !result.error) {
    const store = s.recent();
    store
      ?.put({ hash: contentHash, name: label, traceId: (result.manifest ?? manifest).trace_id ?? null }, kept.fileMap())
      .catch((e) => console.warn('recent bundles: could not keep this bundle', e));
  }
}

/**
 * A state that came as text (a server's reduction) is decoded a field at a
 * time as it is first read. Once the page has drawn it, the fields not read
 * yet are decoded here, a task apart, while the worker has nothing else to
 * do: a first search reads them all, and decoding a gigabyte recording's
 * 91 MB state as well as parsing it took it past a second.
 */
async function decodeWhileIdle(s: WorkerSession, id: number, state: RolloutTrace, signal: AbortSignal): Promise<void> {
  const steps = decodingSteps(state);
  if (!steps) return;
  await s.whenLanded(id, signal);
  // Its bytes come back with `landed` (handled first); still away, the steps decode nothing and a search reads them once back.
  for (const _ of steps) {
    await nextTask();
    // Stopped by a cancel, or a newer load's state replacing this one.
    if (signal.aborted || s.loaded?.state !== state) return;
  }
}
