/**
 * A bundle's content hash, so that a share link can name a dropped bundle and
 * find it again (in the recent-bundles cache, or when the same bundle is
 * dropped on another machine).
 *
 * For each file in a fixed order — manifest.json, trace.jsonl, then payloads/
 * paths in code-unit order — the record `<path> NUL <byte length> NUL
 * <SHA-256 of the bytes>` is appended to a list; the bundle's hash is the
 * SHA-256 (hex) of that list. Per-file digests use the platform's native
 * SHA-256 (crypto.subtle) when there is one, @noble/hashes otherwise; both give
 * the same value. Where the bundle came from (folder, zip, tar, served files)
 * does not matter; other files in the folder are not hashed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { FileBody } from './source';

/** The files that make up a bundle's identity, in hashing order. */
export function hashedPaths(paths: Iterable<string>): string[] {
  const payloads: string[] = [];
  let manifest = false;
  let trace = false;
  for (const p of paths) {
    if (p === 'manifest.json') manifest = true;
    else if (p === 'trace.jsonl') trace = true;
    else if (p.startsWith('payloads/')) payloads.push(p);
  }
  payloads.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...(manifest ? ['manifest.json'] : []), ...(trace ? ['trace.jsonl'] : []), ...payloads];
}

const encoder = new TextEncoder();

async function bodyBytes(body: FileBody): Promise<Uint8Array> {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(await body.arrayBuffer());
}

type Digest = (bytes: Uint8Array) => Promise<Uint8Array>;

const nobleDigest: Digest = async (bytes) => sha256(bytes);

function platformDigest(): Digest {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return nobleDigest;
  return async (bytes) => {
    try {
      return new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
    } catch {
      return sha256(bytes);
    }
  };
}

/** SHA-256 (lower-case hex) of a bundle's files (path → body), see the module comment. */
export async function hashBundleFiles(files: ReadonlyMap<string, FileBody>, signal?: AbortSignal, digest: Digest = platformDigest()): Promise<string> {
  const paths = hashedPaths(files.keys());
  // The per-file digests run concurrently: the platform's run off this thread.
  const records = await Promise.all(
    paths.map(async (path) => {
      signal?.throwIfAborted();
      const bytes = await bodyBytes(files.get(path)!);
      return { size: bytes.byteLength, digest: await digest(bytes) };
    }),
  );
  signal?.throwIfAborted();
  return combineFileDigests(paths.map((path, i) => ({ path, ...records[i] })));
}

/**
 * The bundle's hash from each file's path, byte length and SHA-256, in
 * hashedPaths order: for a hasher that reads the files one at a time (`serve`
 * hashing a bundle it reduces, src/cli/bundle-tar.ts) rather than holding them.
 */
export function combineFileDigests(records: readonly { path: string; size: number; digest: Uint8Array }[]): string {
  const h = sha256.create();
  for (const r of records) {
    h.update(encoder.encode(`${r.path}\0${r.size}\0`));
    h.update(r.digest);
  }
  return bytesToHex(h.digest());
}

/** The same hash computed with @noble/hashes only (tests compare the two). */
export function hashBundleFilesPortable(files: ReadonlyMap<string, FileBody>, signal?: AbortSignal): Promise<string> {
  return hashBundleFiles(files, signal, nobleDigest);
}

/** The short form shown to people (first 12 hex digits). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
