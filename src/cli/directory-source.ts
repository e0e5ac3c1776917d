import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { BundleSource } from '../trace/bundle/source';

const utf8 = new TextDecoder('utf-8', { fatal: true });

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
    return utf8.decode(bytes);
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
