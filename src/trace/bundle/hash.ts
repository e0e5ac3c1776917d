/**
 * A bundle's content hash: SHA-256 over its manifest, trace and payloads, so
 * that a share link can name a dropped bundle and find it again (in the
 * recent-bundles cache, or when the same bundle is dropped on another machine).
 *
 * The hashed stream is, for each file in a fixed order — manifest.json,
 * trace.jsonl, then payloads/ paths in code-unit order — the record
 * `<path> NUL <byte length> NUL <bytes>`. Where the bundle came from (folder,
 * zip, tar, served files) does not matter; other files in the folder are not
 * hashed. Blobs are read as streams, so large bundles are never held twice.
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

function byteLength(body: FileBody): number {
  if (typeof body === 'string') return encoder.encode(body).byteLength;
  return body instanceof Uint8Array ? body.byteLength : body.size;
}

/** SHA-256 (lower-case hex) of a bundle's files (path → body), see the module comment. */
export async function hashBundleFiles(files: ReadonlyMap<string, FileBody>, signal?: AbortSignal): Promise<string> {
  const h = sha256.create();
  for (const path of hashedPaths(files.keys())) {
    signal?.throwIfAborted();
    const body = files.get(path)!;
    h.update(encoder.encode(`${path}\0${byteLength(body)}\0`));
    if (typeof body === 'string') h.update(encoder.encode(body));
    else if (body instanceof Uint8Array) h.update(body);
    else if (typeof body.stream === 'function') {
      const reader = body.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        h.update(value);
      }
    } else h.update(new Uint8Array(await body.arrayBuffer()));
  }
  return bytesToHex(h.digest());
}

/** The short form shown to people (first 12 hex digits). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
