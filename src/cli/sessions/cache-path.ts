import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where the session summaries (and the search index) of a set of roots are kept: the user's cache
 * folder (XDG_CACHE_HOME, else ~/.cache), never inside a trace root, one file
 * per set of roots, named by a hash of their real paths.
 */
function cacheBase(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'codex-trace-viewer');
}

/** Where `serve` keeps the states of bundles it reduced for the page (src/cli/served-states.ts): shared by every root. */
export function statesCacheDir(): string {
  return path.join(cacheBase(), 'states');
}

export function sessionCacheFile(roots: string[], kind: 'sessions' | 'search', ext: 'json' | 'sqlite'): string {
  const real = roots.map((r) => {
    try {
      return realpathSync(r);
    } catch {
      return path.resolve(r);
    }
  });
  const key = createHash('sha256')
    .update(JSON.stringify([...real].sort()))
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheBase(), kind, `${key}.${ext}`);
}
