/**
 * Where a bundle's files come from. The same reader works over a directory in
 * Node, a set of browser `File`s, or the entries of a zip/tar archive.
 * Paths are relative to the bundle root and use `/` (e.g. `payloads/3.json`).
 */
export interface BundleSource {
  /** Shown to the user: a directory or archive name. */
  readonly name: string;
  /** The file's text, or `null` when the bundle has no such file. */
  readText(path: string): Promise<string | null>;
  /** Size in bytes of a file, or null when missing/unknown (used for progress). */
  size?(path: string): number | null;
}

/** A bundle held in memory: path → text or bytes (zip/tar entries, tests). */
export class MemorySource implements BundleSource {
  private readonly decoder = new TextDecoder('utf-8');
  constructor(
    readonly name: string,
    private readonly files: Map<string, string | Uint8Array>,
  ) {}
  async readText(path: string): Promise<string | null> {
    const f = this.files.get(path);
    if (f === undefined) return null;
    return typeof f === 'string' ? f : this.decoder.decode(f);
  }
  size(path: string): number | null {
    const f = this.files.get(path);
    if (f === undefined) return null;
    return typeof f === 'string' ? f.length : f.byteLength;
  }
}
