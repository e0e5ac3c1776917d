/**
 * A `load` request, by input kind: a stream of files the page reads, a cached
 * bundle, file-system handles, or files and archives that may hold several
 * bundles (then the user picks one: `select`). A served bundle is
 * ./load-served.ts's.
 */
import { ArrivingSource } from '../trace/bundle/arriving';
import { normalizePath } from '../trace/bundle/paths';
import { bundleSources, describeBundles, findBundleDirs, groupByRollout, singleBundleFiles, type BundleInfo, type InputFile } from '../trace/bundle/scan';
import { MemorySource, type FileBody } from '../trace/bundle/source';
import { SizeLimitError } from '../trace/bundle/sizeLimit';
import { collectFiles } from '../trace/bundle/unpack';
import { KeptDocuments } from '../trace/sessions/kept';
import { eventLogBytes, limitProblem, logSizeProblem, sizeProblem, streamedBytes } from './limits';
import { filesFromHandles, handleLookup, type HandleWalk } from './handles';
import { answerNeedFiles } from './answer-unread';
import type { LoadInputMsg } from './protocol';
import { reduceAndPost } from './reduce-job';
import { errorInfo, type Scan, type WorkerSession } from './session';
import { deliver, streamFiles } from './stream';
import { UnreadFiles } from './unread';

/** Paths normalized as the scan's files are; a path that climbs out is left out. */
function normalMap<T>(entries: Iterable<[string, T]>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [p, v] of entries) {
    const normal = normalizePath(p);
    if (normal) out.set(normal, v);
  }
  return out;
}

/** The unread files and folders a dropped root's load names (`unread`), asked of the page as load `id`'s. */
function unreadFiles(s: WorkerSession, id: number, paths: readonly string[], folders: readonly string[]): UnreadFiles {
  const norm = (ps: readonly string[]) => ps.flatMap((p) => normalizePath(p) ?? []);
  return new UnreadFiles(norm(paths), norm(folders), (wanted, wantedFolders) => s.post({ type: 'needFiles', id, paths: wanted, folders: wantedFolders }));
}

/** The unread files of a drop the worker walked as handles: read here, by their handles, when their bundle is wanted. */
function unreadHandles(walked: HandleWalk): UnreadFiles {
  const handles = { unread: normalMap(walked.unread), unreadFolders: normalMap(walked.unreadFolders) };
  const lookup = handleLookup(handles);
  const unread: UnreadFiles = new UnreadFiles(handles.unread.keys(), handles.unreadFolders.keys(), (paths, folders) => {
    void answerNeedFiles(paths, folders, lookup, (entries, done) => unread.arrive(entries, done));
  });
  return unread;
}

/** Waits until load `id` has received `more` further files (or is cancelled). */
async function receiveRest(s: WorkerSession, id: number, first: InputFile[], more: number, signal: AbortSignal): Promise<InputFile[]> {
  // The handler registered it as the load arrived (files may have come since); a caller of its own starts it here.
  const entry = s.receiving.get(id) ?? { files: [...first], wake: () => {} };
  s.receiving.set(id, entry);
  try {
    while (entry.files.length < first.length + more) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        entry.wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    signal.throwIfAborted();
    return entry.files;
  } finally {
    s.receiving.delete(id);
  }
}

/** Loads one bundle of a scan (the only one, or the one the user picked). */
export async function loadBundle(s: WorkerSession, id: number, scan: Scan, bundle: BundleInfo, signal: AbortSignal): Promise<void> {
  if (bundle.problem) {
    s.post({ type: 'error', id, error: bundle.problem });
    return;
  }
  const label = bundle.key ? bundle.name : scan.label;
  const read = await scan.unread?.read(bundle.key, signal);
  await reduceAndPost(s, id, label, scan.sourceOf(bundle.key, label, read), signal, { remember: scan.remember });
}

/** A load of anything but a served bundle (./load-served.ts). */
export async function load(s: WorkerSession, id: number, label: string, input: Exclude<LoadInputMsg, { kind: 'url' }>, signal: AbortSignal): Promise<void> {
  const post = s.post;
  if (input.kind === 'stream') {
    const source = s.streams.get(id);
    if (!source) return;
    // The page knows the files' sizes before reading them, and sends none of a bundle over the limit.
    const tooLarge = input.bytes === undefined ? null : sizeProblem(input.bytes, s.maxBundleBytes);
    if (tooLarge) {
      s.streams.delete(id);
      post({ type: 'error', id, error: tooLarge });
      return;
    }
    void source.complete(signal).then(
      () => {
        const arrival = s.arrivals.get(id);
        if (arrival) arrival.files = s.wallNow();
      },
      () => {},
    );
    try {
      await reduceAndPost(s, id, label, source, signal, { remember: input.remember !== false });
    } finally {
      s.streams.delete(id);
    }
    return;
  }
  if (input.kind === 'cached') {
    const hit = await s
      .recent()
      ?.get(input.hash)
      .catch(() => null);
    if (!hit) {
      post({ type: 'error', id, error: errorInfo(input.hash, 'That bundle is not among the recently opened bundles on this machine.') });
      return;
    }
    await reduceAndPost(s, id, hit.meta.name, new MemorySource(hit.meta.name, hit.files), signal);
    return;
  }
  let inputs: InputFile[];
  let unread: UnreadFiles | null = null;
  if (input.kind === 'handles') {
    const walked = await filesFromHandles(input.handles, signal);
    inputs = walked.files;
    if (walked.unread.size || walked.unreadFolders.size) unread = unreadHandles(walked);
  } else {
    inputs = input.more ? await receiveRest(s, id, input.files, input.more, signal) : input.files;
    if (input.unread?.length || input.unreadFolders?.length) unread = unreadFiles(s, id, input.unread ?? [], input.unreadFolders ?? []);
  }
  const arrival = s.arrivals.get(id);
  if (arrival) arrival.files = s.wallNow();
  const one = input.kind === 'handles' && !unread ? singleBundleFiles(inputs) : null;
  if (one) {
    const longLog = logSizeProblem(eventLogBytes(one), s.maxDroppedLogBytes);
    if (longLog) {
      post({ type: 'error', id, error: longLog });
      return;
    }
    if (streamedBytes(one) > s.maxBundleBytes) {
      // Too large to hold: reduced from its Files as the reducer goes (./reduce-job.ts).
      await reduceAndPost(s, id, label, new MemorySource(label, new Map(one.map((f) => [f.path, f.file]))), signal);
      return;
    }
    // One plain bundle: read here and reduce as the bytes come, as a page-streamed bundle is.
    const source = new ArrivingSource(
      label,
      one.map((f) => f.path),
    );
    void streamFiles(one, { live: () => !signal.aborted, send: (entries) => deliver(source, entries) });
    await reduceAndPost(s, id, label, source, signal, { remember: true });
    return;
  }
  const unpackStart = performance.now();
  let files: Map<string, FileBody>;
  try {
    // One budget for everything the drop's archives unpack: twice a bundle's, as an archive may hold several.
    files = await collectFiles(inputs, signal, { maxUnpackedBytes: 2 * s.maxBundleBytes });
  } catch (e) {
    if (!(e instanceof SizeLimitError)) throw e;
    post({ type: 'error', id, error: limitProblem(e, 'archive') });
    return;
  }
  if (arrival) arrival.unpack = performance.now() - unpackStart;
  if (findBundleDirs(unread ? [...files.keys(), ...unread.files] : files.keys()).length === 0) {
    post({
      type: 'error',
      id,
      error: errorInfo(
        label,
        `No trace bundle found in ${label}. A bundle is a folder holding manifest.json, trace.jsonl and payloads/ ` +
          `(Codex writes one per session under $CODEX_ROLLOUT_TRACE_ROOT); drop that folder, or a .zip / .tar.gz of it.`,
      ),
    });
    return;
  }
  const bundles = await describeBundles(files, label, { signal, unread: unread ? new Set([...unread.files, ...unread.folders]) : undefined });
  const dirs = bundles.map((b) => b.key);
  unread?.setBundles(dirs);
  const value: Scan = {
    remember: input.kind === 'handles' || input.remember !== false,
    label,
    files,
    unread,
    sourceOf: bundleSources(files, dirs),
    bundles,
    documents: new KeptDocuments(),
  };
  // Kept for a pick, and for the bytes of its unread files, which arrive addressed to this load.
  s.scan = { id, value };
  if (bundles.length === 1) {
    await loadBundle(s, id, value, bundles[0], signal);
    return;
  }
  post({ type: 'bundles', id, label, groups: groupByRollout(bundles) });
}
