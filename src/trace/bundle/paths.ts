/**
 * Path helpers for bundle-relative paths. Every path inside this module's
 * world uses `/`, has no leading `/` or `./`, and never contains `..`.
 */

/**
 * Normalizes a path from a drop, a folder picker or an archive entry:
 * backslashes become `/`, empty and `.` segments are dropped. Returns null
 * for a path that climbs out (`..`) or is empty: such entries are ignored.
 */
export function normalizePath(raw: string): string | null {
  const out: string[] = [];
  for (const seg of raw.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' || seg.includes('\0')) return null;
    out.push(seg);
  }
  return out.length ? out.join('/') : null;
}

/** `a/b/c.json` → `a/b`; `c.json` → `` (the root). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `a/b` → `b`; `` → ``. */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** The folders holding `path`, deepest first: `a/b/c.json` → `a/b`, `a` (the root `` is not among them). */
export function* foldersAbove(path: string): Generator<string> {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) yield path.slice(0, i);
}

/** Whether `path` lies inside directory `dir` (`` is the root and holds everything). */
export function isInside(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** Entries that archivers add beside the real files (macOS resource forks, Finder state). */
export function isJunkPath(path: string): boolean {
  return path.startsWith('__MACOSX/') || path.includes('/__MACOSX/') || /(^|\/)\._[^/]*$/.test(path) || /(^|\/)\.DS_Store$/.test(path);
}
