import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { BundleSource } from '../trace/bundle/source';

/** A bundle directory on disk. Paths that escape the directory read as missing. */
export class DirectorySource implements BundleSource {
  readonly name: string;
  private readonly root: string;
  constructor(dir: string) {
    this.root = resolve(dir);
    this.name = this.root.split(sep).pop() ?? dir;
  }
  private path(p: string): string | null {
    const full = resolve(this.root, p);
    return full === this.root || full.startsWith(this.root + sep) ? full : null;
  }
  async readText(p: string): Promise<string | null> {
    const full = this.path(p);
    if (full === null) return null;
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
    // Like the official reader, refuse text that is not UTF-8 rather than replace bytes.
    const text = bytes.toString('utf8');
    // toString replaces bad bytes with U+FFFD; only then is the full check needed.
    if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new Error(`${p} is not valid UTF-8`);
    return text;
  }
  async readBytes(p: string): Promise<Uint8Array | null> {
    const full = this.path(p);
    if (full === null) return null;
    try {
      return readFileSync(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
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
