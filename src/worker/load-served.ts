/**
 * A `load` of a served bundle (input kind `url`): `serve`'s state when it
 * holds one or reduces the bundle sooner (read without the reducer, which
 * this module does not import: the worker's first lines need not wait for
 * it), else the bundle's tar, reduced here and followed while Codex writes it.
 */
import { FetchSource, openHttpBundle, ServerReduces } from '../trace/bundle/fetch';
import { readServedState } from '../trace/bundle/served-state';
import { SERVED_STATE_TYPE } from '../trace/bundle/served-choice';
import { normalizePath } from '../trace/bundle/paths';
import { MemorySource, type BundleSource, type FileBody } from '../trace/bundle/source';
import { SizeLimitError } from '../trace/bundle/sizeLimit';
import { bundleDirUrl, servedFileUrl, servedStateUrl, servedTarUrl } from '../trace/bundle/served-url';
import { limitProblem } from './limits';
import type { LoadInputMsg } from './protocol';
import { takePrefetched } from './prefetch';
import { reduceAndPost } from './reduce-job';
import type { WorkerSession } from './session';

/** A file of a served bundle, or null while it is not there (a payload Codex has not written yet). */
async function fetchIfThere(s: WorkerSession, baseUrl: string, path: string): Promise<Uint8Array | null> {
  const p = normalizePath(path);
  if (!p) return null;
  const res = await s.fetch(servedFileUrl(baseUrl, p));
  if (!res.ok) return null;
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Opens a served bundle through the server's reduction (`?reduced`), its
 * payloads read on demand (`answer`, when the tar request brought it, else
 * asked for now); false when the server offers none (another server, or an
 * older `serve`), and the caller says the bundle is too large.
 */
async function loadServedState(
  s: WorkerSession,
  id: number,
  label: string,
  baseUrl: string,
  signal: AbortSignal,
  answer: Response | null = null,
): Promise<boolean> {
  const dir = bundleDirUrl(baseUrl);
  const res = answer ?? (await s.fetch(servedStateUrl(dir), { signal }));
  if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith(SERVED_STATE_TYPE)) {
    void res.body?.cancel().catch(() => {});
    return false;
  }
  const body = res.body;
  // No signal: payloads are fetched for as long as the trace is shown, after this load has ended.
  const source = new FetchSource(label, dir, s.fetch);
  let contentHash: string | null = null;
  await reduceAndPost(s, id, label, source, signal, {
    served: true,
    contentHash: () => contentHash,
    reduce: async (_source, options) => {
      try {
        const read = await readServedState(body, (p) => options?.onProgress?.(p));
        contentHash = read.contentHash;
        return read;
      } catch (e) {
        signal.throwIfAborted();
        throw new Error(`The server's reduction of this bundle could not be read: ${(e as Error).message}`, { cause: e });
      }
    },
  });
  return true;
}

export async function loadServed(
  s: WorkerSession,
  id: number,
  label: string,
  input: Extract<LoadInputMsg, { kind: 'url' }>,
  signal: AbortSignal,
): Promise<void> {
  const post = s.post;
  const openStart = performance.now();
  let source: BundleSource | ServerReduces;
  const early = takePrefetched(servedTarUrl(input.baseUrl, true), s.fetch);
  try {
    source = await openHttpBundle(label, input.baseUrl, early?.fetch ?? s.fetch, signal, { ...s.tarLimits, serverReducesAbove: s.serverReducesAbove });
    // A finished recording whose state `serve` holds, or a large one it reduces faster than this tab could download it.
    // A server without `?reduced` sends the tar after all.
    if (source instanceof ServerReduces) {
      if (await loadServedState(s, id, label, input.baseUrl, signal, source.answer)) return;
      source = await openHttpBundle(label, input.baseUrl, s.fetch, signal, s.tarLimits);
    }
  } catch (e) {
    if (!(e instanceof SizeLimitError)) throw e;
    // Too large for this tab: `serve` reduces it itself, and the payloads shown are fetched one by one.
    if (e.known === 'declared' && (await loadServedState(s, id, label, input.baseUrl, signal))) return;
    post({ type: 'error', id, error: limitProblem(e, 'served') });
    return;
  } finally {
    early?.release();
  }
  if (source instanceof ServerReduces) throw new Error('the server sent no bundle');
  const arrival = s.arrivals.get(id);
  if (arrival) arrival.unpack = performance.now() - openStart;
  if (source instanceof MemorySource) {
    // `serve`'s bundle tar: the bundle may be one Codex is still recording; follow it if so.
    const baseUrl = input.baseUrl;
    // Only here: a tar is reduced, and may be followed while Codex writes it.
    const [{ GrowingSource }, { LiveFollower }] = await Promise.all([import('../trace/bundle/growing'), import('./follow')]);
    const growing = new GrowingSource(label, source.fileMap() as Map<string, FileBody>, (path) => fetchIfThere(s, baseUrl, path));
    const follower = new LiveFollower(s, id, baseUrl, growing);
    await reduceAndPost(s, id, label, growing, signal, { reduce: follower.reduce });
    if (!signal.aborted && follower.start()) s.follow = follower;
    return;
  }
  await reduceAndPost(s, id, label, source, signal);
}
