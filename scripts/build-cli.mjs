#!/usr/bin/env node
/**
 * Builds the command line ahead of time: src/cli/main.ts and everything it
 * imports (the reducer, zod, the zstd decoders, …) into one file,
 * dist-cli/cli.mjs, so that the published package runs it with no compiler
 * and no runtime dependencies. `npm run build` and `prepack` run it; in a
 * clone, bin/codex-trace-viewer.mjs runs it too when src/ is newer.
 *
 *   node scripts/build-cli.mjs            build
 *   node scripts/build-cli.mjs --if-stale build only when src/trace, src/cli or this script changed since
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { packageDirOf, thirdPartyNotices } from './lib/third-party.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = join(ROOT, 'dist-cli/cli.mjs');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function stale() {
  if (!existsSync(CLI_BUNDLE)) return true;
  const inputs = [join(ROOT, 'src/trace'), join(ROOT, 'src/cli'), join(ROOT, 'src/csp.ts'), fileURLToPath(import.meta.url), join(ROOT, 'package.json')];
  return Math.max(...inputs.map(newestMtime)) > statSync(CLI_BUNDLE).mtimeMs;
}

/**
 * zod exports every one of its ~50 message locales through its namespace, so
 * a bundler keeps them all: about 500 KB of the command line's 1.3 MB, parsed
 * at every start of `reduce` and of each summarising process. Our messages
 * are English (zod's default, set from its own `locales/en.js`): the barrel
 * of locales is replaced by English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

export async function buildCli({ ifStale = false } = {}) {
  if (ifStale && !stale()) return;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    outfile: CLI_BUNDLE,
    // Not minified: a stack trace from a bug report stays readable, and the
    // file is about 1 MB before the tarball's gzip.
    minify: false,
    logLevel: 'error',
    metafile: true,
    // A native module: found in node_modules at run time (it is an optional dependency; search needs it).
    external: ['better-sqlite3'],
    plugins: [zodEnglishOnly],
  });
  const packages = new Set(
    Object.keys(result.metafile.inputs)
      .map((f) => packageDirOf(join(ROOT, f)))
      .filter(Boolean),
  );
  writeFileSync(join(dirname(CLI_BUNDLE), 'THIRD_PARTY_LICENSES.txt'), thirdPartyNotices(packages));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli({ ifStale: process.argv.includes('--if-stale') });
}
