import { createHash } from 'node:crypto';
import type http from 'node:http';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { inside, isFile } from './bundles';
import { SECURITY_HEADERS } from './http-files';
import { RECORDING_ENDED_HEADER } from '../trace/bundle/served-choice';
import { recordingEnded } from './recording-ended';
import { timeSlicer } from '../trace/time-slicer';
import { combineFileDigests, hashedPaths } from '../trace/bundle/hash';

/*
 * `GET /bundles/<name>/?pack=tar`: the bundle's manifest.json, trace.jsonl and
 * payloads/ in one uncompressed tar (POSIX ustar), so that the app does not
 * need one request per payload. trace.jsonl is read before the payloads, so
 * every payload it mentions is present even while a recorder is still writing.
 */
function ustarHeader(name: string, size: number, mtimeMs: number): Buffer | null {
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(base) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0) return null;
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) return null;
  }
  const h = Buffer.alloc(512);
  const field = (at: number, len: number, value: string) => h.write(value, at, len, 'utf8');
  const octal = (at: number, len: number, n: number) => field(at, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  field(0, 100, base);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(mtimeMs / 1000));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Regular files under `dir` (relative, `/`-separated, sorted), not following symlinks out of `root`. */
async function filesUnder(root: string, dir: string, rel: string, out: string[] = []): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) await filesUnder(root, p, r, out);
    else if (e.isFile()) out.push(r);
    else if (e.isSymbolicLink()) {
      const real = await realpath(p).catch(() => null);
      if (real && inside(real, root) && (await isFile(real))) out.push(r);
    }
  }
  return out;
}

/** One file of a bundle tar: its name in the archive, its real path, and the size its header declares. */
interface TarEntry {
  name: string;
  file: string;
  size: number;
}

/** The bytes a tar of `entries` takes: a header and zero-padded data per file, then the end-of-archive marker. */
function tarLength(entries: readonly TarEntry[]): number {
  let n = 1024;
  for (const e of entries) n += 512 + Math.ceil(e.size / 512) * 512;
  return n;
}

/**
 * The files a bundle tar holds, each with the size fixed now. trace.jsonl is
 * sized before the payloads are listed, so every payload its first `size`
 * bytes mention is present even while a recorder is still writing.
 */
async function bundleTarEntries(bundleDir: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const sized = async (name: string, checkInside: boolean): Promise<TarEntry | null> => {
    const file = path.join(bundleDir, ...name.split('/'));
    const real = checkInside ? await realpath(file).catch(() => null) : file;
    if (!real || (checkInside && !inside(real, bundleDir))) return null;
    const s = await stat(real).catch(() => null);
    // A name ustar cannot hold is left out, as before: the page then reports that payload missing.
    return s?.isFile() && ustarHeader(name, s.size, 0) ? { name, file: real, size: s.size } : null;
  };
  const add = (e: TarEntry | null) => {
    if (e) out.push(e);
  };
  add(await sized('manifest.json', true));
  add(await sized('trace.jsonl', true));
  const payloads = path.join(bundleDir, 'payloads');
  const realPayloads = await realpath(payloads).catch(() => null);
  if (realPayloads && inside(realPayloads, bundleDir)) {
    // `filesUnder` has checked these paths already. Stated synchronously, a slice at a time: a stat through
    // libuv's thread pool cost more in round trips than the call itself.
    const listed = await filesUnder(bundleDir, realPayloads, 'payloads');
    const slice = fileSlices();
    for (const name of listed) {
      const file = path.join(bundleDir, ...name.split('/'));
      const s = statSync(file, { throwIfNoEntry: false });
      if (s?.isFile() && ustarHeader(name, s.size, 0)) out.push({ name, file, size: s.size });
      await slice.maybeYield();
    }
  }
  return out;
}

/**
 * Slices of synchronous file operations, with a turn of the event loop between
 * them every few milliseconds, so that one large bundle being sent does not hold
 * up every other request `serve` answers meanwhile.
 */
const fileSlices = () => timeSlicer(8, () => new Promise<void>((resolve) => setImmediate(resolve)));

/**
 * A small file's exact `size` bytes, read synchronously (zeros past its end if
 * it shrank, cut if it grew; all zeros if it is gone or not a regular file).
 * Through the thread pool each file cost four round trips (open, stat, read,
 * close), which were the cost rather than the disk: the LONG_STEPS=1000
 * bundle's tar (6,134 files) took 725–834 ms that way and takes 262–335 ms
 * this way, long-session's (437 files) 55–136 ms and now 33–46 ms.
 */
function readSmallSync(entry: TarEntry, into?: Buffer): Buffer {
  // Into a buffer of the caller's that it reuses (the hash), or one of its own (the tar's write queue keeps it).
  const buf = into ? into.subarray(0, entry.size) : Buffer.alloc(entry.size);
  let got = 0;
  let fd: number | null = null;
  try {
    fd = openSync(entry.file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (fstatSync(fd).isFile())
      while (got < entry.size) {
        const n = readSync(fd, buf, got, entry.size - got, got);
        if (n === 0) break;
        got += n;
      }
  } catch {
    // What was read stays; the rest is zeros, as for a file that shrank.
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (into) buf.fill(0, got);
  return buf;
}

/** Files up to this size are read whole, synchronously; larger ones are streamed a chunk at a time. */
const SMALL_FILE = 256 * 1024;
const CHUNK = 1 << 20;

/**
 * Reads exactly `size` bytes of a regular file, `CHUNK` at a time. A file that
 * shrank since it was sized is padded with zeros and one that grew is cut, so
 * the archive always matches the Content-Length already sent. A special file
 * (FIFO, device) put in place since is not read: its entry is all zeros.
 */
export async function* fileChunks(file: string, size: number): AsyncGenerator<Buffer> {
  let fh: Awaited<ReturnType<typeof open>> | null;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      fh = null;
    }
  } catch {
    fh = null;
  }
  let done = 0;
  try {
    while (done < size) {
      const want = Math.min(CHUNK, size - done);
      const buf = Buffer.alloc(want);
      let got = 0;
      while (fh && got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, done + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      done += want;
      yield buf;
    }
  } finally {
    await fh?.close();
  }
}

/** trace.jsonl plus payloads: what a tab's size limits are about (the manifest is not). */
const countedBytes = (entries: TarEntry[]) => entries.reduce((n, e) => n + (e.name === 'manifest.json' ? 0 : e.size), 0);

/** The bundle's trace.jsonl plus payloads, and its trace.jsonl, in bytes, as the bundle tar announces them. */
export async function servedBundleBytes(bundleDir: string): Promise<{ bytes: number; logBytes: number }> {
  const entries = await bundleTarEntries(bundleDir);
  return { bytes: countedBytes(entries), logBytes: logBytes(entries) };
}

const logBytes = (entries: TarEntry[]) => entries.find((e) => e.name === 'trace.jsonl')?.size ?? 0;

/**
 * The content hash (src/trace/bundle/hash.ts) of the files the bundle's tar
 * holds, as a tab that read the tar would compute it: read a file at a time,
 * so that a page given the server's reduction still gets the hash its links
 * and exports name the bundle by. Small files are read as the tar reads them
 * (`readSmallSync`): the page waits for this hash with the state, and through
 * the thread pool the LONG_STEPS=1000 bundle's 6,134 files took 1.9 s.
 */
export async function bundleContentHash(bundleDir: string): Promise<string> {
  const entries = new Map((await bundleTarEntries(bundleDir)).map((e) => [e.name, e]));
  const records: { path: string; size: number; digest: Uint8Array }[] = [];
  const slice = fileSlices();
  const scratch = Buffer.allocUnsafe(SMALL_FILE);
  for (const name of hashedPaths(entries.keys())) {
    const e = entries.get(name)!;
    const h = createHash('sha256');
    if (e.size <= SMALL_FILE) {
      h.update(readSmallSync(e, scratch));
      await slice.maybeYield();
    } else for await (const chunk of fileChunks(e.file, e.size)) h.update(chunk);
    records.push({ path: name, size: e.size, digest: h.digest() });
  }
  return combineFileDigests(records);
}

/**
 * Streams the tar with bounded memory: about a megabyte waiting to be written,
 * however large the bundle. The writer waits
 * for the socket to drain, so a slow reader holds no more than that either.
 */
export async function sendBundleTar(req: http.IncomingMessage, res: http.ServerResponse, bundleDir: string): Promise<void> {
  const entries = await bundleTarEntries(bundleDir);
  const bundleBytes = countedBytes(entries);
  const ended = await recordingEnded(bundleDir);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/x-tar',
    'Content-Length': tarLength(entries),
    // trace.jsonl plus payloads, the figure the page's size limit is about; lets it refuse before reading.
    'X-Bundle-Bytes': String(bundleBytes),
    // The event log's own size: what the reduced state, and so the tab's memory, grows with.
    'X-Bundle-Log-Bytes': String(logBytes(entries)),
    // Lets the page leave a large bundle to `serve`'s reduction: a finished recording has nothing to follow.
    ...(ended ? { [RECORDING_ENDED_HEADER]: '1' } : {}),
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // Written in chunks of about a megabyte: three small writes per file made the browser's side of a large bundle slow.
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  const flush = async () => {
    if (!chunk.length) return;
    const ok = res.write(chunk.length === 1 ? chunk[0] : Buffer.concat(chunk, chunkBytes));
    chunk = [];
    chunkBytes = 0;
    if (!ok && !res.destroyed)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
  };
  const write = async (b: Buffer) => {
    chunk.push(b);
    chunkBytes += b.byteLength;
    if (chunkBytes >= CHUNK) await flush();
  };
  const slice = fileSlices();
  for (let i = 0; i < entries.length; i++) {
    if (res.destroyed) return;
    const e = entries[i];
    await write(ustarHeader(e.name, e.size, Date.now())!);
    if (e.size <= SMALL_FILE) {
      await write(readSmallSync(e));
      await slice.maybeYield();
    } else
      for await (const c of fileChunks(e.file, e.size)) {
        if (res.destroyed) return;
        await write(c);
      }
    const pad = (512 - (e.size % 512)) % 512;
    if (pad) await write(Buffer.alloc(pad));
  }
  await write(Buffer.alloc(1024)); // end-of-archive marker
  await flush();
  res.end();
}
