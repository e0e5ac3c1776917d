/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { packageDirOf, thirdPartyNotices } from './scripts/lib/third-party.mjs';
import { CONTENT_SECURITY_POLICY } from './src/csp.ts';

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

/**
 * The dev server answers /bundles/ with serve's own router, so that
 * `npm run dev` opens a bundle the way the built app does (`?trace=<name>`,
 * else the first in /bundles/index.json). CTV_DEV_BUNDLES lists the bundles
 * or trace roots to serve (separated by the path delimiter); by default the
 * long-session sample that `npm start` opens, then every fixture.
 * The server module is loaded only here, so builds never load it.
 */
function devBundles(): Plugin {
  return {
    name: 'dev-bundles',
    apply: 'serve',
    async configureServer(server) {
      const { bundlesMiddleware } = await import('./src/cli/serve.ts');
      const roots = process.env.CTV_DEV_BUNDLES?.split(path.delimiter).filter(Boolean) ?? ['test/fixtures/traces/long-session', 'test/fixtures'];
      server.middlewares.use(bundlesMiddleware(roots.map((r) => path.resolve(server.config.root, r))));
    },
  };
}

/**
 * THIRD_PARTY_LICENSES.txt in the build: the notices of every npm package
 * whose code the page or its worker bundles. The worker is built first (as
 * the page's build meets it), so its packages are known when the page's
 * bundle is written.
 */
const bundledPackages = new Set<string>();
function thirdPartyLicenses(emit: boolean): Plugin {
  return {
    name: 'third-party-licenses',
    apply: 'build',
    generateBundle(_, bundle) {
      for (const out of Object.values(bundle))
        if (out.type === 'chunk')
          for (const id of out.moduleIds) {
            const dir = packageDirOf(id);
            if (dir) bundledPackages.add(dir);
          }
      if (emit) this.emitFile({ type: 'asset', fileName: 'THIRD_PARTY_LICENSES.txt', source: thirdPartyNotices(bundledPackages) });
    },
  };
}

export default defineConfig({
  plugins: [react(), cspMeta(), devBundles(), thirdPartyLicenses(true)],
  base: './',
  worker: { format: 'es', plugins: () => [thirdPartyLicenses(false)] },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    // End-to-end tests run against a production build: vitest.e2e.config.ts.
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
