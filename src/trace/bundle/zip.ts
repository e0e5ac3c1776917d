import { unzipSync } from 'fflate';
import { normalizePath } from './paths';

/** Entries that archivers add beside the real files (macOS resource forks, Finder state). */
export function isJunkPath(path: string): boolean {
  return (
    path.startsWith('__MACOSX/') ||
    path.includes('/__MACOSX/') ||
    /(^|\/)\._[^/]*$/.test(path) ||
    /(^|\/)\.DS_Store$/.test(path)
  );
}

/**
 * Unpacks a .zip (fflate) into path → bytes. Directory entries, junk entries
 * and paths that climb out with `..` are left out. Throws on a corrupt archive.
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const raw = unzipSync(bytes, {
    filter: (f) => !f.name.endsWith('/') && !isJunkPath(f.name.replace(/\\/g, '/')),
  });
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(raw)) {
    const path = normalizePath(name);
    if (path) out.set(path, data);
  }
  return out;
}
