import { MemorySource, type BundleSource } from './source';
import { readTar } from './tar';
import { normalizePath } from './paths';

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
    this.base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  }

  private url(path: string): string {
    const p = normalizePath(path);
    if (!p) throw new Error(`invalid bundle path "${path}"`);
    return new URL(p.split('/').map(encodeURIComponent).join('/'), this.base).href;
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
 * request per payload; any other server gets file-by-file fetching.
 */
export async function openHttpBundle(
  name: string,
  baseUrl: string,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
  signal?: AbortSignal,
): Promise<BundleSource> {
  const dir = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  try {
    const res = await fetchImpl(new URL('?pack=tar', dir).href, { signal });
    if (res.ok && (res.headers.get('content-type') ?? '').startsWith('application/x-tar')) {
      return new MemorySource(name, readTar(new Uint8Array(await res.arrayBuffer())));
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    // Fall back to single files below.
  }
  return new FetchSource(name, dir, fetchImpl, signal);
}
