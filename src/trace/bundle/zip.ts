import { Inflate, inflateSync } from 'fflate';
import CRC32 from 'crc-32';
import { isJunkPath, normalizePath } from './paths';
import { SizeLimitError } from './sizeLimit';

/*
 * A zip reader that trusts nothing the archive says until it is checked. The
 * central directory gives each entry's sizes and CRC-32; their sum is held
 * against the budget before anything is inflated, each entry is inflated a
 * piece at a time and stopped as soon as it exceeds its declared size, and
 * its length and CRC-32 must then match. An entry that says it is 100 bytes
 * and inflates to a gigabyte costs one piece, not a gigabyte; a truncated or
 * altered entry is named instead of loading as a shorter, healthy-looking file.
 */

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Compressed bytes handed to the inflater at a time: at most ~1000× that comes out per step. */
const PIECE = 16 * 1024;
/**
 * Entries up to this many compressed bytes are inflated in one call. A lying
 * one then costs at most ~64 MB of inflating into bytes that are not kept;
 * larger ones are inflated a piece at a time and stopped at the first piece
 * past their declared size.
 */
const WHOLE = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

class Bytes {
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  has(at: number, len: number): boolean {
    return at >= 0 && at + len <= this.buf.length;
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  u64(at: number): number {
    return this.u32(at) + this.u32(at + 4) * 2 ** 32;
  }
}

function findEnd(b: Bytes): number {
  // The end record is 22 bytes plus a comment of up to 65535.
  for (let at = b.buf.length - 22; at >= Math.max(0, b.buf.length - 22 - 0xffff); at--) if (b.u32(at) === EOCD) return at;
  throw new Error('no zip end-of-central-directory record (not a zip file, or truncated)');
}

function entryName(raw: Uint8Array, flags: number): string {
  if (flags & 0x800) return utf8.decode(raw);
  try {
    return utf8.decode(raw); // most archivers write UTF-8 without setting the flag
  } catch {
    return latin1.decode(raw);
  }
}

function centralDirectory(b: Bytes): CentralEntry[] {
  const end = findEnd(b);
  let count = b.u16(end + 10);
  let at = b.u32(end + 16);
  if ((count === 0xffff || at === 0xffffffff) && b.has(end - 20, 20) && b.u32(end - 20) === ZIP64_LOCATOR) {
    const z = b.u64(end - 20 + 8);
    if (!b.has(z, 56) || b.u32(z) !== ZIP64_EOCD) throw new Error('zip64 end record is missing or damaged');
    count = b.u64(z + 32);
    at = b.u64(z + 48);
  }
  const out: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (!b.has(at, 46) || b.u32(at) !== CENTRAL) throw new Error(`zip central directory entry ${i + 1} of ${count} is missing or damaged`);
    const flags = b.u16(at + 8);
    const nameLen = b.u16(at + 28);
    const extraLen = b.u16(at + 30);
    const commentLen = b.u16(at + 32);
    if (!b.has(at + 46, nameLen + extraLen)) throw new Error(`zip central directory entry ${i + 1} is cut off`);
    const e: CentralEntry = {
      name: entryName(b.buf.subarray(at + 46, at + 46 + nameLen), flags),
      method: b.u16(at + 10),
      flags,
      crc: b.u32(at + 16),
      compressedSize: b.u32(at + 20),
      size: b.u32(at + 24),
      localOffset: b.u32(at + 42),
    };
    zip64Sizes(b, at + 46 + nameLen, extraLen, e);
    out.push(e);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Fields saturated at 0xffffffff are in the zip64 extra field (id 1), in this order. */
function zip64Sizes(b: Bytes, extra: number, len: number, e: CentralEntry): void {
  for (let at = extra; at + 4 <= extra + len;) {
    const id = b.u16(at);
    const size = b.u16(at + 2);
    if (id === 1) {
      let p = at + 4;
      const take = () => {
        const v = b.u64(p);
        p += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localOffset === 0xffffffff) e.localOffset = take();
      return;
    }
    at += 4 + size;
  }
}

function dataOf(b: Bytes, e: CentralEntry): Uint8Array {
  const at = e.localOffset;
  if (!b.has(at, 30) || b.u32(at) !== LOCAL) throw new Error(`zip entry "${e.name}": its local header is missing (the archive is damaged)`);
  const start = at + 30 + b.u16(at + 26) + b.u16(at + 28);
  if (!b.has(start, e.compressedSize)) throw new Error(`zip entry "${e.name}" is cut off (the archive is truncated)`);
  return b.buf.subarray(start, start + e.compressedSize);
}

function inflateChecked(e: CentralEntry, compressed: Uint8Array): Uint8Array {
  if (e.flags & 1) throw new Error(`zip entry "${e.name}" is encrypted`);
  if (e.method === 0) {
    if (e.compressedSize !== e.size)
      throw new Error(`zip entry "${e.name}": stored with ${e.compressedSize} bytes but declared as ${e.size} (the archive is damaged)`);
    return compressed;
  }
  if (e.method !== 8) throw new Error(`zip entry "${e.name}" uses compression method ${e.method}; only stored and deflate are read`);
  if (compressed.length <= WHOLE) {
    // Small entries (most payloads) in one call: the streaming inflater's buffer growth costs more than the inflating.
    // One byte past the declared size catches an entry that holds more; what is past that byte is not kept.
    const out = inflateWhole(e, compressed);
    if (out.length > e.size) throw new Error(`zip entry "${e.name}" inflates to more than the ${e.size} bytes it declares (the archive is damaged or hostile)`);
    if (out.length !== e.size) throw new Error(`zip entry "${e.name}" holds ${out.length} bytes but declares ${e.size} (the archive is damaged)`);
    return out;
  }
  const out = new Uint8Array(e.size);
  let filled = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    if (filled + chunk.length > e.size)
      throw new Error(`zip entry "${e.name}" inflates to more than the ${e.size} bytes it declares (the archive is damaged or hostile)`);
    out.set(chunk, filled);
    filled += chunk.length;
    if (final) ended = true;
  });
  try {
    for (let at = 0; !ended; at += PIECE) {
      const last = at + PIECE >= compressed.length;
      inflate.push(compressed.subarray(at, at + PIECE), last);
      if (last) break;
    }
  } catch (err) {
    const why = (err as Error).message;
    throw new Error(why.startsWith('zip entry') ? why : `zip entry "${e.name}" does not inflate: ${why} (the archive is damaged)`, { cause: err });
  }
  if (filled !== e.size) throw new Error(`zip entry "${e.name}" holds ${filled} bytes but declares ${e.size} (the archive is damaged)`);
  return out;
}

function inflateWhole(e: CentralEntry, compressed: Uint8Array): Uint8Array {
  try {
    return inflateSync(compressed, { out: new Uint8Array(e.size + 1) });
  } catch (err) {
    throw new Error(`zip entry "${e.name}" does not inflate: ${(err as Error).message} (the archive is damaged)`, { cause: err });
  }
}

export interface ZipLimits {
  /** Most bytes of files to unpack. */
  maxBytes?: number;
  /** Named in errors. */
  subject?: string;
}

/**
 * Unpacks a .zip into path → bytes. Directory entries, junk entries and paths
 * that climb out with `..` are left out. Throws on a damaged archive, naming
 * the entry, and with a SizeLimitError when it declares more than `maxBytes`.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = {}): Map<string, Uint8Array> {
  const b = new Bytes(bytes);
  const kept = centralDirectory(b).filter((e) => !e.name.endsWith('/') && !isJunkPath(e.name.replace(/\\/g, '/')));
  const declared = kept.reduce((n, e) => n + e.size, 0);
  const max = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  if (declared > max) throw new SizeLimitError(limits.subject ?? 'archive', declared, max, 'declared');
  const out = new Map<string, Uint8Array>();
  for (const e of kept) {
    const data = inflateChecked(e, dataOf(b, e));
    if (CRC32.buf(data) >>> 0 !== e.crc)
      throw new Error(`zip entry "${e.name}" fails its CRC-32 check: its content is not what was packed (the archive is damaged)`);
    const path = normalizePath(e.name);
    if (path) out.set(path, data);
  }
  return out;
}
