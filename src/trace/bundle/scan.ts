/**
 * Turns whatever the user dropped or picked (loose files, a folder, archives)
 * into trace bundles: archives are unpacked, bundle roots are found, and each
 * bundle is described cheaply enough to let the user choose one.
 * Pure: needs only Blob/File, which workers have.
 */
import { ManifestSchema, type Manifest } from '../schema/manifest';
import { generationOf, unknownSchemaMessage } from '../schema/generations';
import type { TraceErrorInfo } from '../errors';
import { MemorySource, readBlobsInto, type FileBody } from './source';
import { basename, dirname, foldersAbove, isInside, normalizePath } from './paths';

/** One picked or dropped file; `path` is relative (from webkitRelativePath or a directory walk). */
export interface InputFile {
  path: string;
  file: Blob;
}

export type ArchiveKind = 'zip' | 'tar.gz' | 'tar';

/** The archive format a file name announces, if any. */
export function archiveKind(name: string): ArchiveKind | null {
  const n = name.toLowerCase();
  if (n.endsWith('.zip')) return 'zip';
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'tar.gz';
  if (n.endsWith('.tar')) return 'tar';
  return null;
}

/** A problem with the input, not with a line of a trace: no line or seq. */
export function inputProblem(file: string, message: string, causes: string[] = []): TraceErrorInfo {
  return { file, line: null, seq: null, message, causes };
}

/** A failure to read the input at all (as opposed to a problem with one bundle). */
export class ScanError extends Error {
  constructor(readonly info: TraceErrorInfo) {
    super(info.message);
    this.name = 'ScanError';
  }
}

/**
 * Bundle roots: every directory holding trace.jsonl (a manifest is expected
 * beside it; its absence is reported per bundle). When no trace.jsonl exists
 * anywhere, directories holding a manifest.json are returned instead so that
 * the problem can be named. Sorted by path.
 */
export function findBundleDirs(paths: Iterable<string>): string[] {
  const traces = new Set<string>();
  const manifests = new Set<string>();
  for (const p of paths) {
    const b = basename(p);
    if (b === 'trace.jsonl') traces.add(dirname(p));
    else if (b === 'manifest.json') manifests.add(dirname(p));
  }
  const dirs = traces.size ? traces : manifests;
  return [...dirs].sort();
}

/** Checks manifest.json text: present, JSON, the fields the reducer needs, a schema some Codex release wrote. */
export function checkManifest(text: string | null, file = 'manifest.json'): { manifest: Manifest | null; problem: TraceErrorInfo | null } {
  if (text === null) {
    return {
      manifest: null,
      problem: inputProblem(
        file,
        'manifest.json is missing, so this is not a complete trace bundle. A bundle recorded by Codex is a folder holding manifest.json, trace.jsonl and payloads/.',
      ),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      manifest: null,
      problem: inputProblem(file, 'manifest.json is not valid JSON, so the bundle cannot be identified.', [e instanceof Error ? e.message : String(e)]),
    };
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    return {
      manifest: null,
      problem: inputProblem(file, `manifest.json does not look like a trace manifest: ${fields.join(', ')} missing or of the wrong type.`),
    };
  }
  const manifest = parsed.data;
  if (generationOf(manifest.schema_version) === null) {
    const { message, causes } = unknownSchemaMessage(manifest.schema_version);
    return { manifest, problem: inputProblem(file, `${message}.`, causes) };
  }
  return { manifest, problem: null };
}

/** What the bundle picker shows about one bundle. */
export interface BundleInfo {
  /** The bundle's directory inside the input (`` for the top); unique within one scan. */
  key: string;
  /** Shown to the user. */
  name: string;
  rolloutId: string | null;
  traceId: string | null;
  startedAtUnixMs: number | null;
  /** The trace schema its manifest names, or null without a readable manifest. */
  schemaVersion: number | null;
  /** Bytes of the bundle's own files (nested bundles not included); null when not known (a served bundle). */
  sizeBytes: number | null;
  /** Why this bundle cannot be loaded, or null. */
  problem: TraceErrorInfo | null;
}

export interface BundleGroup {
  rolloutId: string | null;
  bundles: BundleInfo[];
}

function bodySize(b: FileBody): number {
  if (typeof b === 'string') return b.length;
  return b instanceof Uint8Array ? b.byteLength : b.size;
}

/**
 * A payload file picked or dropped without its folder: `N.json` (schemas 1
 * and 2) or a zstd shard `NNNNNN.zst` (schema 3) at the bundle's top.
 */
const LOOSE_PAYLOAD = /^\d+\.(?:json|zst)$/;

/**
 * Where a file of a bundle belongs, given its path relative to the bundle:
 * loose payloads (`3.json` beside manifest.json and trace.jsonl, when the
 * input has no payloads/ folder) are the bundle's `payloads/3.json`.
 */
export function bundlePath(rel: string, hasPayloadsDir: boolean): string {
  return !hasPayloadsDir && LOOSE_PAYLOAD.test(rel) ? `payloads/${rel}` : rel;
}

function hasPayloadsDir(rels: Iterable<string>): boolean {
  for (const r of rels) if (r.startsWith('payloads/')) return true;
  return false;
}

/**
 * When the input is one plain bundle (no archives, exactly one bundle
 * directory, manifest.json and trace.jsonl both present), its files with
 * paths relative to the bundle, in the order the reducer reads them:
 * manifest, event log, then payloads by number. Otherwise null: the input
 * needs the full scan (unpacking, a choice between bundles, or a problem to
 * explain).
 */
export function singleBundleFiles(inputs: readonly InputFile[]): InputFile[] | null {
  const byPath = new Map<string, Blob>();
  for (const f of inputs) {
    const p = normalizePath(f.path);
    if (!p) continue;
    if (archiveKind(p)) return null;
    byPath.set(p, f.file);
  }
  const dirs = findBundleDirs(byPath.keys());
  if (dirs.length !== 1) return null;
  const dir = dirs[0];
  const rel = (p: string) => (dir === '' ? p : p.slice(dir.length + 1));
  const files: InputFile[] = [];
  const inside = [...byPath.keys()].filter((p) => dir === '' || isInside(p, dir));
  const withPayloadsDir = hasPayloadsDir(inside.map(rel));
  for (const p of inside) {
    const file = byPath.get(p)!;
    const r = bundlePath(rel(p), withPayloadsDir);
    if (r === 'manifest.json' || r === 'trace.jsonl' || /^payloads\/[^/]+$/.test(r)) files.push({ path: r, file });
  }
  if (!files.some((f) => f.path === 'manifest.json') || !files.some((f) => f.path === 'trace.jsonl')) return null;
  const rank = (p: string) => (p === 'manifest.json' ? -2 : p === 'trace.jsonl' ? -1 : payloadNumber(p));
  return files.sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function payloadNumber(p: string): number {
  const n = /^payloads\/(\d+)\.json$/.exec(p);
  return n ? Number(n[1]) : Number.MAX_SAFE_INTEGER;
}

/** The files of one bundle, with the bundle's directory stripped from their paths. */
export function bundleSource(files: Map<string, FileBody>, dir: string, name: string): MemorySource {
  return bundleSources(files, [dir])(dir, name);
}

/**
 * The paths lying in each of `dirs`, in one pass: a file lies in every bundle
 * folder above it (a resumed session's bundles can lie inside another's), and
 * the root `` holds them all.
 */
export function pathsByBundle(paths: Iterable<string>, dirs: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(dirs.map((d) => [d, []]));
  const top = out.get('');
  for (const p of paths) {
    top?.push(p);
    for (const d of foldersAbove(p)) out.get(d)?.push(p);
  }
  return out;
}

/** The bundle a path belongs to: the deepest of `dirs` holding it (a resumed session's bundle inside another owns its files). */
function owners(dirs: readonly string[]): (path: string) => string | undefined {
  const set = new Set(dirs);
  return (p) => {
    for (const d of foldersAbove(p)) if (set.has(d)) return d;
    return set.has('') ? '' : undefined;
  };
}

/** Bytes of bundle `dir`'s own files in `source` (its files, paths relative to it; see `owners`): its size once its unread files are read. */
export function ownBytes(source: MemorySource, dir: string, dirs: readonly string[]): number {
  const ownerOf = owners(dirs);
  let n = 0;
  for (const p of source.paths()) if (ownerOf(dir ? `${dir}/${p}` : p) === dir) n += source.size(p) ?? 0;
  return n;
}

/** Each bundle's own files among `paths` (see `owners`), in one pass. */
export function pathsOwnedBy(paths: Iterable<string>, dirs: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(dirs.map((d) => [d, []]));
  const ownerOf = owners(dirs);
  for (const p of paths) {
    const d = ownerOf(p);
    if (d !== undefined) out.get(d)!.push(p);
  }
  return out;
}

/**
 * `bundleSource` for many bundles of one drop: each file is sorted into the
 * bundles it lies in once, where asking for each bundle in turn went over
 * every file of the drop (a root of 1,000 bundles is 34,000 files). `read`
 * adds files of the bundle read since (a dropped root's, read when wanted).
 */
export function bundleSources(
  files: ReadonlyMap<string, FileBody>,
  dirs: readonly string[],
): (dir: string, name: string, read?: ReadonlyMap<string, FileBody>) => MemorySource {
  const inside = pathsByBundle(files.keys(), dirs);
  return (dir, name, read) => {
    const rel = (p: string) => (dir === '' ? p : p.slice(dir.length + 1));
    const sub = new Map<string, FileBody>();
    for (const p of inside.get(dir) ?? []) sub.set(rel(p), files.get(p)!);
    for (const [p, body] of read ?? []) sub.set(rel(p), body);
    return sourceOver(sub, name);
  };
}

/** A bundle's files (paths relative to it) as a source; loose files without a payloads/ folder are put where a bundle has them. */
function sourceOver(sub: Map<string, FileBody>, name: string): MemorySource {
  if (hasPayloadsDir(sub.keys())) return new MemorySource(name, sub);
  const mapped = new Map<string, FileBody>();
  for (const [p, b] of sub) mapped.set(bundlePath(p, false), b);
  return new MemorySource(name, mapped);
}

/**
 * Bytes of each bundle directory: a file counts toward the deepest bundle
 * directory that holds it; null for a bundle with files not read yet.
 */
function bundleSizes(files: ReadonlyMap<string, FileBody>, unread: Iterable<string>, dirs: readonly string[]): Map<string, number | null> {
  const sizes = new Map<string, number | null>(dirs.map((d) => [d, 0]));
  const ownerOf = owners(dirs);
  for (const [p, b] of files) {
    const owner = ownerOf(p);
    const size = owner === undefined ? null : sizes.get(owner);
    if (size !== undefined && size !== null) sizes.set(owner!, size + bodySize(b));
  }
  for (const p of unread) {
    const owner = ownerOf(p);
    if (owner !== undefined) sizes.set(owner, null);
  }
  return sizes;
}

/**
 * Finds and describes every bundle in `files` from its manifest: no event log
 * is read (a root's list shows at once; its summaries come later). `unread`
 * names files the input holds but has not read (a dropped root's event logs
 * and payloads): they count toward finding bundles, and leave a bundle's
 * size unknown.
 */
export async function describeBundles(
  files: Map<string, FileBody>,
  label: string,
  opts: { signal?: AbortSignal; unread?: ReadonlySet<string> } = {},
): Promise<BundleInfo[]> {
  const unread = opts.unread ?? new Set<string>();
  const dirs = findBundleDirs(unread.size ? [...files.keys(), ...unread] : files.keys());
  const sizes = bundleSizes(files, unread, dirs);
  // The manifests are read into `files` a group at a time, where later reads find them: each dropped file read on its
  // own is a round trip to the browser's process (1.5 s for 1,000 manifests one by one, 0.5 s all at once).
  await readBlobsInto(
    files,
    dirs.map((dir) => (dir ? `${dir}/manifest.json` : 'manifest.json')),
    opts.signal,
  );
  // Each file sorted into its bundles once: a root of 1,000 bundles is 34,000 files, and going over all of
  // them for each bundle (and each bundle for each file, for the sizes) held the list back 15 s.
  const sourceOf = bundleSources(files, dirs);
  const sources = dirs.map((dir) => sourceOf(dir, dir || label));
  const manifests = await Promise.all(sources.map((src) => src.readText('manifest.json')));
  opts.signal?.throwIfAborted();
  const out: BundleInfo[] = [];
  for (const [i, dir] of dirs.entries()) {
    const src = sources[i];
    const { manifest, problem: manifestProblem } = checkManifest(manifests[i]);
    let bundleProblem = manifestProblem;
    if (!bundleProblem && src.size('trace.jsonl') === null && !unread.has(dir ? `${dir}/trace.jsonl` : 'trace.jsonl')) {
      bundleProblem = inputProblem(
        'trace.jsonl',
        'trace.jsonl is missing next to manifest.json, so there are no events to show. A bundle recorded by Codex holds manifest.json, trace.jsonl and payloads/.',
      );
    }
    out.push({
      key: dir,
      name: dir || label,
      rolloutId: manifest?.rollout_id ?? null,
      traceId: manifest?.trace_id ?? null,
      startedAtUnixMs: manifest?.started_at_unix_ms ?? null,
      schemaVersion: manifest?.schema_version ?? null,
      sizeBytes: sizes.get(dir) ?? null,
      problem: bundleProblem,
    });
  }
  return out;
}

/**
 * Groups bundles by rollout id (a resumed session writes one bundle per
 * process, all sharing the rollout id). Groups and the bundles inside them are
 * ordered by start time; bundles without a rollout id come last, in one group.
 */
export function groupByRollout(bundles: BundleInfo[]): BundleGroup[] {
  const groups = new Map<string | null, BundleInfo[]>();
  for (const b of bundles) {
    const g = groups.get(b.rolloutId);
    if (g) g.push(b);
    else groups.set(b.rolloutId, [b]);
  }
  const start = (b: BundleInfo) => b.startedAtUnixMs ?? Number.POSITIVE_INFINITY;
  const byStart = (a: BundleInfo, b: BundleInfo) => start(a) - start(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const list = [...groups].map(([rolloutId, bs]) => ({ rolloutId, bundles: bs.sort(byStart) }));
  return list.sort((a, b) => {
    if ((a.rolloutId === null) !== (b.rolloutId === null)) return a.rolloutId === null ? 1 : -1;
    return byStart(a.bundles[0], b.bundles[0]);
  });
}
