import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { bytesText, decodedText, type BundleSource, type FileText } from '../trace/bundle/source';

/**
 * A bundle directory on disk. Paths that escape the directory read as
 * missing. Only regular files inside the bundle are read: a bundle someone
 * else packed can carry a symlink to a file elsewhere, or a FIFO or device
 * that would hang the reader or never end.
 */
export class DirectorySource implements BundleSource {
  readonly name: string;
  private readonly root: string;
  private realRoot: string | null = null;
  /** Directory → whether its real path is inside the bundle (one realpath per directory, not per file). */
  private readonly dirsInside = new Map<string, boolean>();
  /**
   * Every file opened, by full path, as fstat saw it: what a reduction read
   * is then measured for the session list without a second stat of each file.
   */
  readonly opened = new Map<string, { size: number; mtimeMs: number }>();
  constructor(dir: string) {
    this.root = resolve(dir);
    this.name = this.root.split(sep).pop() ?? dir;
  }
  private path(p: string): string | null {
    const full = resolve(this.root, p);
    return full === this.root || full.startsWith(this.root + sep) ? full : null;
  }
  private inside(real: string): boolean {
    this.realRoot ??= realpathSync(this.root);
    return real === this.realRoot || real.startsWith(this.realRoot + sep);
  }
  /**
   * An open descriptor of the file and its size; null when missing; an error
   * for a special file or a link that leaves the bundle.
   */
  private openRegular(p: string): { fd: number; size: number } | null {
    const full = this.path(p);
    if (full === null) return null;
    let fd: number;
    try {
      // No-follow and non-blocking: a symlink fails (ELOOP) and is checked below, a FIFO cannot block the open.
      fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code !== 'ELOOP') throw e;
      const target = realpathSync(full);
      if (!this.inside(target)) throw new Error(`${p} links outside the bundle; refusing to read it`, { cause: e });
      fd = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        throw new Error(`${p} is not a regular file; refusing to read it`, { cause: e });
      }
      this.opened.set(full, { size: st.size, mtimeMs: st.mtimeMs });
      return { fd, size: st.size };
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Error(`${p} is not a regular file (a FIFO, device or directory); refusing to read it`);
      const dir = dirname(full);
      let ok = this.dirsInside.get(dir);
      if (ok === undefined) this.dirsInside.set(dir, (ok = this.inside(realpathSync(dir))));
      if (!ok) throw new Error(`${p} lies in a folder linked from outside the bundle; refusing to read it`);
      this.opened.set(full, { size: st.size, mtimeMs: st.mtimeMs });
      return { fd, size: st.size };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  /**
   * The file's bytes; null when missing. A file of at most `sharedUpTo` bytes
   * is read into the shared scratch buffer: valid only until the next read.
   */
  private read(p: string, sharedUpTo = 0): Buffer | null {
    const opened = this.openRegular(p);
    if (opened === null) return null;
    const { fd, size } = opened;
    try {
      return size <= sharedUpTo ? readShared(fd, size) : readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  /** Read a piece at a time and decoded as it goes, so a file past V8's string limit (512 MiB) can be read at all. */
  async readTextPieces(p: string): Promise<AsyncIterable<string> | null> {
    const opened = this.openRegular(p);
    if (opened === null) return null;
    return pieces(opened.fd, p);
  }
  async readText(p: string): Promise<string | null> {
    const bytes = this.read(p, SCRATCH_MAX);
    return bytes === null ? null : decodeStrict(bytes, p);
  }
  async readFileText(p: string): Promise<FileText | null> {
    // A small file is decoded at once, through the shared buffer: a fresh buffer for each of thousands of
    // small payloads cost more than decoding them. Only large ones are worth decoding lazily, and get their
    // own buffer: a reader may keep the bytes (the previous request, to compare the next with).
    const bytes = this.read(p, LAZY_TEXT_MIN - 1);
    if (bytes === null) return null;
    if (bytes.length < LAZY_TEXT_MIN) return decodedText(decodeStrict(bytes, p));
    // Checked now, as readText checks: bytes that are not UTF-8 fail the read, not a later decode.
    if (!isAscii(bytes) && !isUtf8(bytes)) throw new Error(`${p} is not valid UTF-8`);
    return bytesText(bytes, (b) => decodeStrict(b as Buffer, p));
  }
  async readBytes(p: string): Promise<Uint8Array | null> {
    return this.read(p);
  }
  size(p: string): number | null {
    const full = this.path(p);
    if (full === null) return null;
    try {
      return statSync(full).size;
    } catch {
      return null;
    }
  }
}

/**
 * One buffer for every file read as text, by every source of this process: a
 * bundle is thousands of small payload files, and a fresh buffer per file cost
 * more than the read; a root is a thousand bundles, and a buffer per bundle
 * kept the garbage collector busy. Reads are synchronous and their text is
 * decoded before the next one, so sources never see each other's bytes.
 */
let scratch = Buffer.allocUnsafe(1 << 20);

/** Up to `size` bytes (the size fstat gave, as readFileSync reads) into the scratch buffer. */
function readShared(fd: number, size: number): Buffer {
  if (size > scratch.length) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(size, scratch.length * 2)));
  let done = 0;
  while (done < size) {
    const got = readSync(fd, scratch, done, size - done, null);
    if (got === 0) break;
    done += got;
  }
  return scratch.subarray(0, done);
}

/** Files from this size are handed out as bytes, decoded as far as a reader asks (readFileText). */
const LAZY_TEXT_MIN = 64 << 10;

/** Files up to this size are read into the reused buffer; larger ones get their own. */
const SCRATCH_MAX = 16 << 20;

/** Bytes read and decoded at a time: large enough to cost nothing per piece, small enough to keep memory flat. */
const PIECE = 4 << 20;

async function* pieces(fd: number, p: string): AsyncGenerator<string> {
  const buf = Buffer.allocUnsafe(PIECE);
  /** Bytes of a character cut at the end of the previous read, moved to the front of the buffer. */
  let held = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, held, PIECE - held, null);
      const end = held + n;
      // Decode up to the last whole character; the rest waits for the next read (or is an error at the end).
      const cut = n === 0 ? end : wholeCharsEnd(buf, end);
      if (cut > 0) yield decodeStrict(buf.subarray(0, cut), p);
      if (n === 0) return;
      held = end - cut;
      buf.copy(buf, 0, cut, end);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Like the official reader, text that is not UTF-8 is refused rather than
 * replaced. toString and isUtf8 are Node's SIMD UTF-8 routines (a fatal
 * TextDecoder is ten times slower); the full check runs only when decoding
 * replaced something. toString keeps a leading U+FEFF, as readText does.
 */
function decodeStrict(bytes: Buffer, p: string): string {
  // Most event logs and payloads are ASCII, and the ASCII decoder is four times faster (with nothing to validate).
  if (isAscii(bytes)) return bytes.toString('ascii');
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new Error(`${p} is not valid UTF-8`);
  return text;
}

/** Where the last complete UTF-8 character in `buf[0, end)` ends: a multi-byte character cut by the read is left out. */
function wholeCharsEnd(buf: Buffer, end: number): number {
  // Step back over at most three continuation bytes to the lead byte of the last character.
  let i = end - 1;
  while (i >= 0 && i > end - 4 && (buf[i] & 0xc0) === 0x80) i--;
  if (i < 0) return end;
  const lead = buf[i];
  const len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + len <= end ? end : i;
}
