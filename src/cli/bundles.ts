/**
 * The bundles under the roots `serve` is given: each root is a bundle
 * directory or a directory holding bundles (searched a few levels deep,
 * symlinked directories not followed), served under its base name. Only
 * regular files are read, each opened non-blocking and checked first: a FIFO
 * would pin a thread of the server, a device could be read without end.
 */
import { constants, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapLimited } from './map-limited';

export interface BundleIndexEntry {
  /** URL path under /bundles/: `<root name>` or `<root name>/<sub/dir>`. */
  name: string;
  /** manifest.json parsed, or null when missing or not JSON. */
  manifest: unknown;
}

const MAX_DEPTH = 6;
const SKIP_DIRS = new Set(['node_modules', 'payloads']);

export interface ServedRoot {
  name: string;
  /** realpath of the root directory. */
  dir: string;
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Directories under `dir` (itself included) that hold a trace.jsonl, relative with `/`, sorted; symlinked dirs are not followed.
 * A directory `known` says is a bundle is taken as one without a look inside (see `listBundleDirs`).
 */
async function findBundleDirs(dir: string, known: ((dir: string) => boolean) | undefined, rel = '', depth = 0): Promise<string[]> {
  if (known?.(dir)) return [rel];
  const out: string[] = [];
  if (await isFile(path.join(dir, 'trace.jsonl'))) out.push(rel);
  if (depth >= MAX_DEPTH) return out;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)).map((e) => e.name);
  // Several folders at a time: a root of 1,000 bundles looked at one by one took a page's start 0.1-0.5 s.
  const below = await mapLimited(subdirs.sort(), 16, (name) => findBundleDirs(path.join(dir, name), known, rel ? `${rel}/${name}` : name, depth + 1));
  for (const b of below) for (const r of b) out.push(r);
  return out;
}

/**
 * A regular file's bytes, or null. Opened non-blocking and checked with fstat
 * before reading: a FIFO would otherwise pin a thread of the server forever,
 * and a device could be read without end.
 */
async function readRegular(file: string, maxBytes: number): Promise<Buffer | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const s = await fh.stat();
    return s.isFile() && s.size <= maxBytes ? await fh.readFile() : null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/** Codex's manifests are under a kilobyte; a larger one is not read whole into the listing. */
const MAX_MANIFEST_BYTES = 1 << 20;

/** A bundle's manifest, if it is a regular file inside `root` (a symlink out of the root is not read). */
async function readManifest(root: string, dir: string): Promise<unknown> {
  const real = await realpath(path.join(dir, 'manifest.json')).catch(() => null);
  if (!real || !inside(real, root)) return null;
  const bytes = await readRegular(real, MAX_MANIFEST_BYTES);
  try {
    return bytes === null ? null : JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

/**
 * Every bundle under the roots: its URL name under /bundles/ and its
 * directory. `known`: directories already found to be bundles, listed again
 * as long as their parent still lists them, without two look-ups inside
 * each; a watcher polling a thousand bundles every second spent most of its
 * time there.
 */
export async function listBundleDirs(roots: ServedRoot[], known?: (dir: string) => boolean): Promise<{ name: string; dir: string; root: string }[]> {
  const out: { name: string; dir: string; root: string }[] = [];
  for (const root of roots) {
    for (const rel of await findBundleDirs(root.dir, known)) {
      out.push({ name: rel ? `${root.name}/${rel}` : root.name, dir: path.join(root.dir, ...rel.split('/').filter(Boolean)), root: root.dir });
    }
  }
  return out;
}

export async function listBundles(roots: ServedRoot[]): Promise<BundleIndexEntry[]> {
  // Read a few dozen at a time: one after another, a root of 1,000 bundles held the page's start 450 ms.
  return mapLimited(await listBundleDirs(roots), 32, async (b) => ({ name: b.name, manifest: await readManifest(b.root, b.dir) }));
}

export async function resolveRoots(roots: string[]): Promise<ServedRoot[]> {
  const out: ServedRoot[] = [];
  const used = new Set<string>(['index.json', 'sessions.json', 'sessions', 'search']);
  for (const r of roots) {
    let dir: string;
    try {
      dir = await realpath(path.resolve(r));
    } catch {
      throw new Error(`serve: ${r} does not exist`);
    }
    if (!(await stat(dir)).isDirectory()) throw new Error(`serve: ${r} is not a directory (give a bundle directory or a directory of bundles)`);
    const base = path.basename(dir) || 'root';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    out.push({ name, dir });
  }
  return out;
}

export function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
