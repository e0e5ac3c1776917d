import { isJunkPath, normalizePath } from './paths';
import { SizeLimitError } from './sizeLimit';

/*
 * A streaming reader for tar archives, enough for bundles packed with `tar czf`
 * and for `serve`'s bundle tars: POSIX ustar headers (name + prefix), GNU long
 * names (typeflag `L`) and PAX extended headers (`x` with a `path=` record; `g`
 * global headers are skipped). Only regular files are returned; directories,
 * links and devices are ignored. Sizes written in GNU base-256 form are
 * understood. Bytes are fed as they arrive (a gunzip or a response body), and
 * each file's size is checked against the budget from its header, before the
 * file is held.
 */

const BLOCK = 512;
/** Long-name and PAX records are a few hundred bytes; a larger one is not a real header. */
const MAX_META = 1 << 20;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function cString(buf: Uint8Array, start: number, len: number, decoder = utf8): string {
  let end = start;
  let ascii = true;
  for (; end < start + len && buf[end] !== 0; end++) if (buf[end] >= 0x80) ascii = false;
  // Header fields are nearly always ASCII: a decoder call each cost a worker more than the rest of a header.
  return ascii ? String.fromCharCode(...buf.subarray(start, end)) : decoder.decode(buf.subarray(start, end));
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

function isZeroBlock(buf: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

function checksumOk(buf: Uint8Array): boolean {
  const stored = octal(buf, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : buf[i];
  return sum === stored;
}

/**
 * The `path` of PAX records (`<len> <key>=<value>\n`, repeated). `len` counts
 * bytes, so records are cut from the bytes and only then decoded: a non-ASCII
 * path (macOS tar, GNU `--format=pax`) has more bytes than characters.
 */
export function paxPath(data: Uint8Array): string | null {
  let pos = 0;
  let path: string | null = null;
  while (pos < data.length) {
    let sp = pos;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(latin1.decode(data.subarray(pos, sp)), 10);
    if (!(len > 0) || pos + len > data.length) break;
    let end = pos + len;
    if (data[end - 1] === 0x0a) end--;
    const record = utf8.decode(data.subarray(sp + 1, end));
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    pos += len;
  }
  return path;
}

interface Entry {
  name: string;
  type: string;
  size: number;
  /** Whether the entry's data is kept (a regular file, or a long name); else it is skipped. */
  keep: boolean;
  /** Made at the first byte copied (or a view: see `views`). */
  data: Uint8Array | null;
  filled: number;
}

/** Feeds a tar archive in pieces of any size; `finish` returns path → bytes or says what is wrong. */
export class TarReader {
  private readonly out = new Map<string, Uint8Array>();
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private entry: Entry | null = null;
  private padding = 0;
  private longName: string | null = null;
  private ended = false;
  /** Archive bytes consumed, to locate a bad header. */
  private offset = 0;
  /** Bytes of regular files kept so far. */
  private kept = 0;

  constructor(
    private readonly subject = 'archive',
    /** Most bytes of regular files to hold; a header declaring more stops the read. */
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    /**
     * Whether a file that lies whole in one pushed piece may be kept as a view of that piece
     * rather than copied: only for pieces nobody writes to again, and files nobody clones (a
     * structured clone of a view copies its whole buffer).
     */
    private readonly views = false,
  ) {}

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - pos);
        this.padding -= n;
        pos += n;
        this.offset += n;
        continue;
      }
      const e = this.entry;
      if (e && this.views && e.keep && e.filled === 0 && chunk.length - pos >= e.size) {
        e.data = chunk.subarray(pos, pos + e.size);
        e.filled = e.size;
        pos += e.size;
        this.offset += e.size;
        this.endEntry(e);
        continue;
      }
      if (e) {
        const n = Math.min(e.size - e.filled, chunk.length - pos);
        if (e.keep) (e.data ??= new Uint8Array(e.size)).set(chunk.subarray(pos, pos + n), e.filled);
        e.filled += n;
        pos += n;
        this.offset += n;
        if (e.filled === e.size) this.endEntry(e);
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - pos);
      this.header.set(chunk.subarray(pos, pos + n), this.headerFill);
      this.headerFill += n;
      pos += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.startEntry();
        this.offset += BLOCK;
      }
    }
  }

  finish(): Map<string, Uint8Array> {
    if (!this.ended) {
      if (this.entry) throw new Error(`tar entry "${this.entry.name}" is cut off (archive truncated)`);
      // No end-of-archive marker: fine at a clean end, but not in the middle of a header.
      if (this.header.subarray(0, this.headerFill).some((b) => b !== 0)) throw new Error(`tar header at byte ${this.offset} is cut off (archive truncated)`);
    }
    return this.out;
  }

  private startEntry(): void {
    const h = this.header;
    if (isZeroBlock(h)) {
      this.ended = true; // end-of-archive marker
      return;
    }
    if (!checksumOk(h)) throw new Error(`tar header at byte ${this.offset} has a bad checksum (not a tar file, or damaged)`);
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const magic = cString(h, 257, 6, latin1);
    const prefix = magic.startsWith('ustar') ? cString(h, 345, 155) : '';
    let name = cString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    let keep = false;
    if (type === 'L' || type === 'x') {
      if (size > MAX_META) throw new Error(`tar header at byte ${this.offset} announces a ${size}-byte name record (damaged)`);
      keep = true;
    } else if (type === '0' || type === '7') {
      // Checked before a byte of it is held: a header may declare gigabytes.
      if (this.kept + size > this.maxBytes) throw new SizeLimitError(this.subject, this.kept + size, this.maxBytes, 'declared');
      this.kept += size;
      keep = true;
    }
    this.padding = 0;
    this.entry = { name, type, size, keep, data: null, filled: 0 };
    if (size === 0) this.endEntry(this.entry);
  }

  private endEntry(e: Entry): void {
    this.entry = null;
    this.padding = (BLOCK - (e.size % BLOCK)) % BLOCK;
    if (e.keep) e.data ??= new Uint8Array(e.size);
    if (e.type === 'L') {
      this.longName = cString(e.data!, 0, e.size);
      return;
    }
    if (e.type === 'x') {
      this.longName = paxPath(e.data!) ?? this.longName;
      return;
    }
    if (e.type === 'g') return;
    const fullName = this.longName ?? e.name;
    this.longName = null;
    if (!e.keep || !e.data) return; // regular files only ('7' = contiguous file)
    const path = normalizePath(fullName);
    if (path && !isJunkPath(path)) this.out.set(path, e.data);
  }
}

export interface ReadLimits {
  /** Most bytes of files to unpack. */
  maxBytes?: number;
  /** Named in errors. */
  subject?: string;
}

/** Reads an uncompressed tar into path → bytes. Throws on a damaged header or past `maxBytes`. */
export function readTar(buf: Uint8Array, limits: ReadLimits = {}): Map<string, Uint8Array> {
  const r = new TarReader(limits.subject, limits.maxBytes);
  r.push(buf);
  return r.finish();
}

/**
 * Reads a tar from a stream of bytes (a response body, a gunzip), stopping at
 * the budget. Archive bytes (headers and padding included) are bounded too,
 * at twice the budget: an archive of millions of empty entries is no bundle.
 * `views`: files may be views of the stream's pieces (TarReader's `views`).
 */
export async function readTarStream(stream: ReadableStream<Uint8Array>, limits: ReadLimits = {}, views = false): Promise<Map<string, Uint8Array>> {
  const max = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  const subject = limits.subject ?? 'archive';
  const r = new TarReader(subject, max, views);
  const reader = stream.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > 2 * max + (1 << 20)) throw new SizeLimitError(subject, total, max, 'read');
      r.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  return r.finish();
}

/**
 * Reads a gzip-compressed tar (.tar.gz / .tgz) as it is gunzipped, with the
 * platform's DecompressionStream where there is one (in Chromium native zlib,
 * twice as fast as fflate, though on this thread too), fflate's streaming Gunzip
 * otherwise. Nothing larger than one piece of the archive is held beside the
 * files kept, however far the archive expands.
 */
export async function readTarGz(input: Uint8Array | Blob, limits: ReadLimits = {}): Promise<Map<string, Uint8Array>> {
  if (typeof DecompressionStream !== 'undefined' && typeof Blob !== 'undefined') {
    const blob = input instanceof Blob ? input : new Blob([input as BlobPart]);
    // Its pieces are fresh buffers nobody writes to again: files lying whole in one are kept as views of it.
    return readTarStream(blob.stream().pipeThrough(new DecompressionStream('gzip')), limits, true);
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  // Imported only here, where there is no DecompressionStream: a served tar is not compressed.
  const { Gunzip } = await import('fflate');
  const PIECE = 1 << 16;
  let at = 0;
  let gunzip: InstanceType<typeof Gunzip>;
  // Pulled a piece at a time, so the reader's budget stops the gunzip too.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      gunzip = new Gunzip((chunk) => controller.enqueue(chunk));
    },
    pull(controller) {
      const end = Math.min(bytes.length, at + PIECE);
      gunzip.push(bytes.subarray(at, end), end >= bytes.length);
      at = end;
      if (at >= bytes.length) controller.close();
    },
  });
  return readTarStream(stream, limits);
}
