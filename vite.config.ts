/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { CONTENT_SECURITY_POLICY } from './src/cli/serve.ts';

/**
 * Builds carry the same Content-Security-Policy as `serve` sends, as a
 * <meta> tag, so that a build served by any static server still cannot
 * connect outside its origin or run inline script. frame-ancestors is left
 * out: browsers ignore it in a <meta> (serve still sends it as a header).
 * Not in dev: the dev server's React refresh preamble is an inline script.
 */
export const META_CSP = CONTENT_SECURITY_POLICY.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

function cspMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace(/<meta charset="UTF-8" \/>/i, (m) => `${m}\n    <meta http-equiv="Content-Security-Policy" content="${META_CSP}" />`),
    },
  };
}

export default defineConfig({
  plugins: [react(), cspMeta()],
  base: './',
  worker: { format: 'es' },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // End-to-end tests run against a production build: vitest.e2e.config.ts.
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
