/**
 * End-to-end tests in headless Chromium (playwright-core) against a build of
 * the app served by `serve()` (see test/e2e/global-setup.ts).
 * Run with `npm run test:e2e`. Needs /usr/bin/chromium (scripts/ensure-chromium.sh).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
