/**
 * A bundle's size for the session list: the bytes of its manifest, event log
 * and payload files, and the newest time among them (the list takes the
 * newest bundles first).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const MeasureSchema = z.object({ sizeBytes: z.number(), modifiedMs: z.number() });
export type Measure = z.infer<typeof MeasureSchema>;

/** What is already known of a file, by its full path. */
export type KnownFiles = ReadonlyMap<string, { size: number; mtimeMs: number }>;

/**
 * Stats every file of the bundle that `known` does not give. A summariser
 * passes the files its reduction opened (DirectorySource.opened): in a cold
 * root of a thousand bundles, stat'ing each payload again took the server
 * about 2 s of CPU while the summarisers needed both cores.
 */
export async function measureBundle(dir: string, known: KnownFiles = new Map()): Promise<Measure> {
  const root = path.resolve(dir);
  let size = 0;
  let modified = 0;
  const add = async (p: string) => {
    const s = known.get(p) ?? (await fileStat(p));
    if (!s) return;
    size += s.size;
    modified = Math.max(modified, s.mtimeMs);
  };
  await add(path.join(root, 'manifest.json'));
  await add(path.join(root, 'trace.jsonl'));
  const names = await readdir(path.join(root, 'payloads')).catch(() => [] as string[]);
  for (let i = 0; i < names.length; i += 64) await Promise.all(names.slice(i, i + 64).map((n) => add(path.join(root, 'payloads', n))));
  return { sizeBytes: size, modifiedMs: modified };
}

async function fileStat(p: string): Promise<{ size: number; mtimeMs: number } | null> {
  const s = await stat(p).catch(() => null);
  return s?.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
}
