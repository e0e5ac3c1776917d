/**
 * Builds the app once (mode "test" with NODE_ENV=production: the production bundle, plus
 * `window.__traceStore` / `window.__traceClient` for assertions) and serves it
 * with `serve()` on a random port. Roots: the long-session sample first (so it
 * is the default bundle), then the whole fixture corpus (for `?trace=`).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { serve, type ServeHandle } from '../../src/cli/serve';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const E2E_DIST = path.join(ROOT, '.cache/e2e-dist');

let handle: ServeHandle | undefined;

export async function setup(project: TestProject) {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'test', '--outDir', E2E_DIST, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      // Mode "test" would otherwise also mean NODE_ENV=development (React's dev build): keep the production bundle.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  handle = await serve({
    roots: [
      path.join(ROOT, 'test/fixtures/traces/long-session'),
      path.join(ROOT, 'test/fixtures/traces'),
      path.join(ROOT, 'test/fixtures/traces-schema1'),
      path.join(ROOT, 'test/fixtures/traces-schema3'),
    ],
    port: 0,
    distDir: E2E_DIST,
    log: () => {},
  });
  project.provide('baseUrl', handle.url);
}

export async function teardown() {
  await handle?.close();
}
