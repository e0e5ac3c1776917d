import { gunzipSync } from 'fflate';
import { normalizePath } from './paths';
import { isJunkPath } from './zip';

/*
 * A small reader for tar archives, enough for bundles packed with `tar czf`:
 * POSIX ustar headers (name + prefix), GNU long names (typeflag `L`) and PAX
 * extended headers (`x` with a `path=` record; `g` global headers are skipped).
 * Only regular files are returned; directories, links and devices are ignored.
 * Sizes written in GNU base-256 form are understood. The archive must be fully
 * in memory (gunzipped first), and file data is returned as views into
 * that buffer, not copies.
 */

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function cString(buf: Uint8Array, start: number, len: number, decoder = utf8): string {
  let end = start;
  while (end < start + len && buf[end] !== 0) end++;
  return decoder.decode(buf.subarray(start, end));
}

function octal(buf: Uint8Array, start: number, len: number): number {
  if (buf[start] & 0x80) {
    // GNU base-256: big-endian binary in the remaining bits.
    let n = buf[start] & 0x7f;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + buf[i];
    return n;
  }
  const s = cString(buf, start, len, latin1).trim();
  if (s === '') return 0;
  const n = parseInt(s, 8);
  if (!Number.isFinite(n)) throw new Error(`bad tar header number "${s}"`);
  return n;
}

function isZeroBlock(buf: Uint8Array, at: number): boolean {
  for (let i = at; i < at + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

function checksumOk(buf: Uint8Array, at: number): boolean {
  const stored = octal(buf, at + 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : buf[at + i];
  return sum === stored;
}

/** PAX records: `<len> <key>=<value>\n`, repeated. */
function paxPath(data: Uint8Array): string | null {
  const text = utf8.decode(data);
  let pos = 0;
  let path: string | null = null;
  while (pos < text.length) {
    const sp = text.indexOf(' ', pos);
    if (sp < 0) break;
    const len = parseInt(text.slice(pos, sp), 10);
    if (!(len > 0)) break;
    // `len` counts bytes; records here are ASCII keys with (usually) ASCII values.
    const record = text.slice(sp + 1, pos + len).replace(/\n$/, '');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    pos += len;
  }
  return path;
}

/** Reads an uncompressed tar into path → bytes. Throws on a damaged header. */
export function readTar(buf: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  let longName: string | null = null;
  for (;;) {
    if (at + BLOCK > buf.length) {
      // No end-of-archive marker: fine at a clean end, but not in the middle of a header.
      if (buf.subarray(at).some((b) => b !== 0)) throw new Error(`tar header at byte ${at} is cut off (archive truncated)`);
      break;
    }
    if (isZeroBlock(buf, at)) break; // end-of-archive marker
    if (!checksumOk(buf, at)) throw new Error(`tar header at byte ${at} has a bad checksum (not a tar file, or damaged)`);
    const size = octal(buf, at + 124, 12);
    const type = String.fromCharCode(buf[at + 156] || 0x30);
    const magic = cString(buf, at + 257, 6, latin1);
    const prefix = magic.startsWith('ustar') ? cString(buf, at + 345, 155) : '';
    let name = cString(buf, at + 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const dataStart = at + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw new Error(`tar entry "${name}" is cut off (archive truncated)`);
    const data = buf.subarray(dataStart, dataEnd);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const fullName = longName ?? name;
    longName = null;
    if (type !== '0' && type !== '7') continue; // regular files only ('7' = contiguous file)
    const path = normalizePath(fullName);
    if (path && !isJunkPath(path)) out.set(path, data);
  }
  return out;
}

/** Reads a gzip-compressed tar (.tar.gz / .tgz). */
export async function readTarGz(bytes: Uint8Array | Blob): Promise<Map<string, Uint8Array>> {
  return readTar(await gunzip(bytes));
}

/**
 * Gunzips with the platform's DecompressionStream where there is one: in
 * Chromium it is native zlib, twice as fast as fflate on a bundle-sized
 * archive, and it does not hold the thread while it works. fflate otherwise.
 */
async function gunzip(input: Uint8Array | Blob): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined' || typeof Blob === 'undefined') {
    return gunzipSync(input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer()));
  }
  const blob = input instanceof Blob ? input : new Blob([input as BlobPart]);
  return new Uint8Array(await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}
