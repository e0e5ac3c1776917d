import { MemorySource, type FileBody, type FileText } from './source';

/**
 * A bundle Codex is still writing, as far as it has been read: the files
 * fetched so far (the bundle tar `serve` sent), grown as the follower fetches
 * what was appended (`append`), and a file not held yet fetched on demand
 * (`fetchMissing`). A file still missing is asked for again on the next read:
 * in a recording, missing means not written yet.
 */
export class GrowingSource extends MemorySource {
  constructor(
    name: string,
    private readonly held: Map<string, FileBody>,
    private readonly fetchMissing: (path: string) => Promise<Uint8Array | null>,
  ) {
    super(name, held);
  }

  private async ensure(path: string): Promise<void> {
    if (this.held.has(path)) return;
    const bytes = await this.fetchMissing(path);
    if (bytes !== null && !this.held.has(path)) this.held.set(path, bytes);
  }

  override async readText(path: string): Promise<string | null> {
    await this.ensure(path);
    return super.readText(path);
  }

  override async readBytes(path: string): Promise<Uint8Array | null> {
    await this.ensure(path);
    return super.readBytes(path);
  }

  override async readFileText(path: string): Promise<FileText | null> {
    await this.ensure(path);
    return super.readFileText(path);
  }

  /** A file's size as held now (0 when not held). */
  heldSize(path: string): number {
    return this.size(path) ?? 0;
  }

  /** Bytes appended to a file since it was last read (a new file when it was not held). */
  append(path: string, bytes: Uint8Array): void {
    const old = this.held.get(path);
    if (old === undefined || typeof old === 'string' || !(old instanceof Uint8Array)) {
      this.held.set(path, bytes);
      return;
    }
    const joined = new Uint8Array(old.byteLength + bytes.byteLength);
    joined.set(old, 0);
    joined.set(bytes, old.byteLength);
    this.held.set(path, joined);
  }
}
