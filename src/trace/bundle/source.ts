/**
 * Where a bundle's files come from. The same reader works over a directory in
 * Node, a set of browser `File`s, or the entries of a zip/tar archive.
 * Paths are relative to the bundle root and use `/` (e.g. `payloads/3.json`).
 */
import { readGrouped } from './blob-groups';

export interface BundleSource {
  /** Shown to the user: a directory or archive name. */
  readonly name: string;
  /** The file's text, or `null` when the bundle has no such file. */
  readText(path: string): Promise<string | null>;
  /** The file's bytes (schema-3 payload shards are binary), or `null` when the bundle has no such file. */
  readBytes(path: string): Promise<Uint8Array | null>;
  /** Size in bytes of a file, or null when missing/unknown (used for progress). */
  size?(path: string): number | null;
  /**
   * The file's text in pieces (split anywhere), or null when the bundle has no
   * such file. Optional: for sources whose files can be larger than one string
   * may hold (V8's limit is 512 MiB); the event log is read this way when offered.
   */
  readTextPieces?(path: string): Promise<AsyncIterable<string> | null>;
  /**
   * The file as a `FileText`: its bytes, decoded only as far as a reader
   * asks. Optional: sources without it are read with `readText`.
   */
  readFileText?(path: string): Promise<FileText | null>;
}

/**
 * A file's text, decoded only as far as asked. A model request repeats the
 * previous one but for its newest items; on a gigabyte bundle, decoding every
 * request whole (UTF-16, as most carry one non-ASCII character) took most of
 * the reduction, where comparing bytes and decoding the new tail takes little.
 */
export interface FileText {
  /** The file's UTF-8 bytes (its own copy), or null when the source only had text. */
  readonly bytes: Uint8Array | null;
  /** Bytes, or characters when there are no bytes: what progress counts. */
  readonly size: number;
  /** The whole text, decoded once; throws as `readText` would on bytes that are not UTF-8. */
  text(): string;
  /** The text of `bytes[from..]`, `from` at a character boundary; the whole text's tail when there are no bytes. */
  textFrom(from: number): string;
}

/** A `FileText` over text already decoded. */
export function decodedText(text: string): FileText {
  return { bytes: null, size: text.length, text: () => text, textFrom: (from) => text.slice(from) };
}

/** A `FileText` over bytes, `decode` turning a run of them into text (strictly, as the source's `readText` does). */
export function bytesText(bytes: Uint8Array, decode: (bytes: Uint8Array) => string): FileText {
  let whole: string | null = null;
  return {
    bytes,
    size: bytes.byteLength,
    text: () => (whole ??= decode(bytes)),
    textFrom: (from) => (from === 0 ? (whole ??= decode(bytes)) : decode(bytes.subarray(from))),
  };
}

/** The file through `readFileText` when the source has it, else its text. */
export async function readFileText(source: BundleSource, path: string): Promise<FileText | null> {
  if (source.readFileText) return source.readFileText(path);
  const text = await source.readText(path);
  return text === null ? null : decodedText(text);
}

/**
 * One file's content: text, bytes (zip/tar entries), or a `Blob`/`File`
 * (dropped or picked files, read lazily).
 */
export type FileBody = string | Uint8Array | Blob;

/**
 * Replaces the Blob bodies among `paths` in `files` by their bytes, read a
 * group at a time (./blob-groups.ts). A dropped File costs a round trip to
 * the browser's file system per read, one after another when the reducer
 * asks; read together up front, they arrive in a fraction of the time and are
 * then read again (to hash) for free. A file that cannot be read keeps its
 * Blob, so that the reducer's own read of it reports the error at its file.
 */
export async function readBlobsInto(files: Map<string, FileBody>, paths: Iterable<string>, signal?: AbortSignal): Promise<void> {
  const todo: { path: string; file: Blob }[] = [];
  for (const path of paths) {
    const f = files.get(path);
    if (f !== undefined && typeof f !== 'string' && !(f instanceof Uint8Array)) todo.push({ path, file: f });
  }
  await readGrouped(
    todo,
    (group) => {
      for (const { item, body } of group) if (!(body instanceof Error)) files.set(item.path, body);
    },
    { live: () => !signal?.aborted },
  );
  signal?.throwIfAborted();
}

/** A bundle held in memory or in browser files: path → body (zip/tar entries, dropped folders, tests). */
export class MemorySource implements BundleSource {
  // ignoreBOM keeps a leading U+FEFF, as the CLI's reader and the official reducer see it (TextDecoder and Blob.text() would drop it).
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  constructor(
    readonly name: string,
    private readonly files: Map<string, FileBody>,
  ) {}
  async readText(path: string): Promise<string | null> {
    const f = this.files.get(path);
    if (f === undefined) return null;
    if (typeof f === 'string') return f;
    if (f instanceof Uint8Array) return this.decoder.decode(f);
    return this.decoder.decode(await f.arrayBuffer());
  }
  async readFileText(path: string): Promise<FileText | null> {
    const f = this.files.get(path);
    if (f === undefined) return null;
    if (typeof f === 'string') return decodedText(f);
    const bytes = f instanceof Uint8Array ? f : new Uint8Array(await f.arrayBuffer());
    // The leading U+FEFF is kept, as readText keeps it.
    return bytesText(bytes, (b) => this.decoder.decode(b));
  }
  async readBytes(path: string): Promise<Uint8Array | null> {
    const f = this.files.get(path);
    if (f === undefined) return null;
    if (typeof f === 'string') return new TextEncoder().encode(f);
    if (f instanceof Uint8Array) return f;
    return new Uint8Array(await f.arrayBuffer());
  }
  size(path: string): number | null {
    const f = this.files.get(path);
    if (f === undefined) return null;
    if (typeof f === 'string') return f.length;
    return f instanceof Uint8Array ? f.byteLength : f.size;
  }
  /** Every path in the bundle. */
  paths(): IterableIterator<string> {
    return this.files.keys();
  }
  /** Reads the Blob bodies among `paths` into memory (`readBlobsInto`). */
  materialize(paths: Iterable<string>, signal?: AbortSignal): Promise<void> {
    return readBlobsInto(this.files, paths, signal);
  }
  /** The bundle's files (path → body), e.g. to hash or keep them. */
  fileMap(): ReadonlyMap<string, FileBody> {
    return this.files;
  }
}
