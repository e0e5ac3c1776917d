#!/usr/bin/env node
// The CLI is TypeScript. On first run (and whenever src/ changes) it is bundled
// with esbuild into node_modules/.cache, so later runs start as fast as plain JS.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/cli/main.ts');
const bundle = join(root, 'node_modules/.cache/codex-trace-viewer/cli.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

const sources = ['trace', 'cli'].map((d) => join(root, 'src', d));
// Shared with the Vite config, outside both folders.
const sharedFiles = ['csp.ts'].map((f) => join(root, 'src', f));
const stale =
  !existsSync(bundle) ||
  Math.max(...sources.map(newestMtime), ...sharedFiles.map((f) => statSync(f).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs) > statSync(bundle).mtimeMs;
if (stale) {
  const { buildSync } = await import('esbuild');
  mkdirSync(dirname(bundle), { recursive: true });
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    // Dependencies bundled too: resolving and loading zod's hundred-odd module files cost each run more than the reduction of a small trace.
    logLevel: 'error',
  });
}
await import(pathToFileURL(bundle).href);
