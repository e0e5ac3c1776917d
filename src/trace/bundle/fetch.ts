import { MemorySource, type BundleSource } from './source';
import { readTarStream } from './tar';
import { SizeLimitError } from './sizeLimit';
import { normalizePath } from './paths';
import { asksServer, SERVED_STATE_TYPE } from './served-choice';
import { bundleDirUrl, servedFileUrl, servedTarUrl } from './served-url';

/**
 * A bundle served over HTTP (by `codex-trace-viewer serve`, under
 * `/bundles/<name>/`, or any static server). Files are fetched on demand; a
 * 404 means "no such file". Wrap it in `withReadAhead` so that payload
 * requests overlap. Sizes become known once a file was fetched or `probe`
 * asked for them.
 */
export class FetchSource implements BundleSource {
  private readonly sizes = new Map<string, number>();
  private readonly base: string;

  constructor(
    readonly name: string,
    /** Absolute URL of the bundle directory. */
    baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
    private readonly signal?: AbortSignal,
  ) {
    this.base = bundleDirUrl(baseUrl);
  }

  /** Absolute URL of the bundle directory, with its closing slash. */
  get baseUrl(): string {
    return this.base;
  }

  private url(path: string): string {
    const p = normalizePath(path);
    if (!p) throw new Error(`invalid bundle path "${path}"`);
    return servedFileUrl(this.base, p);
  }

  async readText(path: string): Promise<string | null> {
    const res = await this.fetchImpl(this.url(path), { signal: this.signal });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${res.statusText}`);
    const text = await res.text();
    if (!this.sizes.has(path)) this.sizes.set(path, new TextEncoder().encode(text).byteLength);
    return text;
  }

  async readBytes(path: string): Promise<Uint8Array | null> {
    const res = await this.fetchImpl(this.url(path), { signal: this.signal });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${res.statusText}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.sizes.set(path, bytes.byteLength);
    return bytes;
  }

  /** Learns a file's size from a HEAD request (used for progress). */
  async probe(path: string): Promise<number | null> {
    const res = await this.fetchImpl(this.url(path), { method: 'HEAD', signal: this.signal });
    if (!res.ok) return null;
    const len = Number(res.headers.get('content-length'));
    if (!Number.isFinite(len)) return null;
    this.sizes.set(path, len);
    return len;
  }

  size(path: string): number | null {
    return this.sizes.get(path) ?? null;
  }
}

/**
 * Opens a bundle served over HTTP. `codex-trace-viewer serve` can send the
 * whole bundle as one tar (`<dir>/?pack=tar`), which is far quicker than a
 * request per payload; any other server gets file-by-file fetching. With
 * `maxBytes`, a bundle whose announced size (the `X-Bundle-Bytes` header:
 * trace.jsonl plus payloads) is over it is refused before its body is read,
 * and the body is read as it streams, stopping at the limit; so is one whose
 * event log (`X-Bundle-Log-Bytes`) is over `maxLogBytes`. With
 * `serverReducesAbove`, a bundle whose recording has ended and that the
 * server opens sooner (asksServer) is not read at all, and the server may
 * answer with a state it holds instead of the tar: a ServerReduces says to
 * take the server's reduction.
 */
export async function openHttpBundle(
  name: string,
  baseUrl: string,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
  signal?: AbortSignal,
  limits: { maxBytes?: number; maxLogBytes?: number; serverReducesAbove?: number } = {},
): Promise<BundleSource | ServerReduces> {
  const dir = bundleDirUrl(baseUrl);
  const max = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  const above = limits.serverReducesAbove;
  try {
    const res = await fetchImpl(servedTarUrl(dir, above !== undefined), { signal });
    if (above !== undefined && res.ok && (res.headers.get('content-type') ?? '').startsWith(SERVED_STATE_TYPE)) return new ServerReduces(res);
    if (res.ok && (res.headers.get('content-type') ?? '').startsWith('application/x-tar')) {
      const announced = Number(res.headers.get('x-bundle-bytes') ?? Number.NaN);
      const log = Number(res.headers.get('x-bundle-log-bytes') ?? Number.NaN);
      const maxLog = limits.maxLogBytes ?? Number.POSITIVE_INFINITY;
      if ((Number.isFinite(announced) && announced > max) || (Number.isFinite(log) && log > maxLog)) {
        void res.body?.cancel().catch(() => {});
        throw announced > max ? new SizeLimitError(name, announced, max, 'declared') : new SizeLimitError(name, log, maxLog, 'declared', 'log');
      }
      if (above !== undefined && asksServer(res.headers, above)) {
        void res.body?.cancel().catch(() => {});
        return new ServerReduces(null);
      }
      const body = res.body ?? new Response(await res.arrayBuffer()).body!;
      // The manifest is in the tar too; it is not part of what the limit is about.
      // Views of the response's pieces, not copies: a served bundle is never cloned (it is not kept among the recent bundles).
      const files = await readTarStream(body, { maxBytes: max + MANIFEST_ALLOWANCE, subject: name }, true).catch((e: unknown) => {
        throw e instanceof SizeLimitError ? new SizeLimitError(name, e.bytes, max, e.known) : e;
      });
      return new MemorySource(name, files);
    }
  } catch (e) {
    if (signal?.aborted || e instanceof SizeLimitError) throw e;
    // Fall back to single files below.
  }
  return new FetchSource(name, dir, fetchImpl, signal);
}

const MANIFEST_ALLOWANCE = 1 << 20;

/** A served bundle `serve` reduces for the page: `answer` is its `?reduced` answer when the tar request brought it, else null (ask for it). */
export class ServerReduces {
  constructor(readonly answer: Response | null) {}
}
