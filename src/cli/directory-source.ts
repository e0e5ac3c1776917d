import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { BundleSource } from '../trace/bundle/source';

/** Files larger than this are read into a buffer of their own, so that the scratch buffer stays small. */
const SCRATCH_MAX = 8 * 1024 * 1024;

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
   * One buffer reused for every file read as text: a bundle is thousands of
   * small payload files, and a fresh buffer per file cost more than the read.
   */
  private scratch = Buffer.allocUnsafe(1 << 20);

  /**
   * The file's bytes; null when missing; an error for a special file or a
   * link that leaves the bundle. With `shared`, the bytes may lie in the
   * scratch buffer, valid until the next read.
   */
  private read(p: string, shared = false): Buffer | null {
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
      if (!this.inside(target)) throw new Error(`${p} links outside the bundle; refusing to read it`);
      if (!statSync(target).isFile()) throw new Error(`${p} is not a regular file; refusing to read it`);
      return readFileSync(target);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Error(`${p} is not a regular file (a FIFO, device or directory); refusing to read it`);
      const dir = dirname(full);
      let ok = this.dirsInside.get(dir);
      if (ok === undefined) this.dirsInside.set(dir, (ok = this.inside(realpathSync(dir))));
      if (!ok) throw new Error(`${p} lies in a folder linked from outside the bundle; refusing to read it`);
      return shared && st.size <= SCRATCH_MAX ? this.readShared(fd, st.size) : readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  /** Up to `size` bytes (the size fstat gave, as readFileSync reads) into the scratch buffer. */
  private readShared(fd: number, size: number): Buffer {
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(size, this.scratch.length * 2)));
    let done = 0;
    while (done < size) {
      const got = readSync(fd, this.scratch, done, size - done, null);
      if (got === 0) break;
      done += got;
    }
    return this.scratch.subarray(0, done);
  }
  async readText(p: string): Promise<string | null> {
    const bytes = this.read(p, true);
    if (bytes === null) return null;
    // Most payloads are ASCII: copied as they are, with nothing to validate.
    if (isAscii(bytes)) return bytes.toString('latin1');
    // Like the official reader, refuse text that is not UTF-8 rather than replace bytes.
    const text = bytes.toString('utf8');
    // toString replaces bad bytes with U+FFFD; only then is the full check needed.
    if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new Error(`${p} is not valid UTF-8`);
    return text;
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
