/**
 * Dropped or picked files into one path → body map, each archive (.zip,
 * .tar.gz, .tar) unpacked under a folder named after it. Apart from scan.ts,
 * which the page itself uses to group files into bundles: only the worker
 * unpacks, so only its script carries the archive readers.
 */
import { archiveKind, inputProblem, ScanError, type ArchiveKind, type InputFile } from './scan';
import type { FileBody } from './source';
import { basename, normalizePath } from './paths';
import { readZip } from './zip';
import { readTar, readTarGz } from './tar';
import { SizeLimitError } from './sizeLimit';

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

async function unpack(kind: ArchiveKind, file: Blob, limits: { maxBytes: number; subject: string }): Promise<Map<string, Uint8Array>> {
  if (kind === 'tar.gz') return readTarGz(file, limits);
  // A zip is read from its end (the central directory), so it is read whole; that costs its packed size, not what it unpacks to.
  const bytes = await blobBytes(file);
  return kind === 'zip' ? readZip(bytes, limits) : readTar(bytes, limits);
}

/**
 * Collects all inputs into one path → body map. Each archive is unpacked and
 * its entries placed under a directory named after the archive (`x.zip/...`).
 * Throws a TraceErrorInfo-carrying error (see `ScanError`) when an archive cannot be read,
 * and a SizeLimitError when the archives hold more than `maxUnpackedBytes` in all.
 */
export async function collectFiles(inputs: InputFile[], signal?: AbortSignal, opts: { maxUnpackedBytes?: number } = {}): Promise<Map<string, FileBody>> {
  const files = new Map<string, FileBody>();
  /** What the archives may still unpack: one budget for the whole drop. */
  let budget = opts.maxUnpackedBytes ?? Number.POSITIVE_INFINITY;
  for (const input of inputs) {
    signal?.throwIfAborted();
    const path = normalizePath(input.path);
    if (!path) continue;
    const kind = archiveKind(path);
    if (!kind) {
      files.set(path, input.file);
      continue;
    }
    let entries: Map<string, Uint8Array>;
    try {
      entries = await unpack(kind, input.file, { maxBytes: budget, subject: basename(path) });
    } catch (e) {
      if (e instanceof SizeLimitError) throw e;
      throw new ScanError(
        inputProblem(path, `Could not unpack ${basename(path)}: it is not a readable ${kind} archive.`, [e instanceof Error ? e.message : String(e)]),
      );
    }
    for (const [p, data] of entries) {
      files.set(`${path}/${p}`, data);
      budget -= data.byteLength;
    }
  }
  return files;
}
