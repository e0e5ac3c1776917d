/// <reference types="vitest/config" />
import { build, defineConfig, type Plugin, type PluginOption, type ResolvedConfig, type Rolldown } from 'vite';
import { createHash } from 'node:crypto';
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

/**
 * src/boot.ts as a script of its own, ahead of the app's: it starts the
 * trace worker while the browser still fetches and compiles the main chunk
 * (Vite would fold every module script of index.html into that chunk).
 */
function bootScript(): Plugin {
  return {
    name: 'boot-script',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const boot = Object.values(ctx.bundle ?? {}).find((o) => o.type === 'chunk' && o.isEntry && o.name === 'boot');
        if (!boot) return html;
        return html.replace(
          /(\s*)<script type="module"/,
          (m, space: string) => `${space}<script type="module" crossorigin src="./${boot.fileName}"></script>${m}`,
        );
      },
    },
  };
}

/**
 * "Export HTML" (src/share/export.ts) inlines the app as one module script
 * under a CSP that allows scripts by hash only: there, the page's lazily
 * loaded chunks (src/app/lazy.tsx) could not be imported (file:// has no
 * 'self' to load them from, and data: or blob: module URLs would open
 * script-src to any script of that scheme). So each build also bundles the
 * app once more as one self-contained module, `assets/export-app-<hash>.js`,
 * dynamic imports inlined, which only the exporter fetches; its URL is the
 * default export of `virtual:ctv-export-script` (null outside a build). The
 * trace worker is built once more as one file too, `assets/export-worker-<hash>.js`
 * (its `workerUrl`): the worker imports its reducer and decoders when first
 * needed, as chunks of their own, which a worker an exported page starts from
 * its inlined source could not load either. In that one file they stay
 * unevaluated until first needed, as rolldown inlines dynamic imports.
 */
const EXPORT_SCRIPT_ID = 'virtual:ctv-export-script';

/**
 * An exported page runs its worker as a classic script (from a Blob URL),
 * where `import.meta` does not parse. The one-file worker's source never uses
 * it, but Vite's wrapper of each dynamic import passes `import.meta.url` to
 * fetch the import's dependencies, which inlined imports do not have. So the
 * worker's own location stands in, and nothing else may be left.
 */
function classicWorkerScript(): Plugin {
  return {
    name: 'classic-worker-script',
    enforce: 'post',
    renderChunk(code) {
      const out = code.replaceAll('import.meta.url', 'self.location.href').replaceAll('import.meta.resolve', 'undefined');
      if (out.includes('import.meta')) throw new Error('export-script: the one-file worker still uses import.meta');
      return { code: out, map: null };
    },
  };
}
/** `entry` built once more as one file, dynamic imports inlined, named `assets/<prefix>-<hash>.js`: what an exported page inlines. */
async function oneFileBuild(config: ResolvedConfig, entry: string, prefix: string, plugins: PluginOption[]): Promise<{ code: string; fileName: string }> {
  const out = (await build({
    configFile: false,
    root: config.root,
    mode: config.mode,
    base: './',
    logLevel: 'warn',
    plugins,
    build: {
      write: false,
      sourcemap: false,
      cssCodeSplit: false,
      modulePreload: false,
      rolldownOptions: { input: path.join(config.root, entry), output: { format: 'es', codeSplitting: false } },
    },
  })) as Rolldown.RolldownOutput;
  const chunk = out.output.find((o): o is Rolldown.OutputChunk => o.type === 'chunk' && o.isEntry);
  if (!chunk) throw new Error(`export-script: the one-file build of ${entry} gave no entry chunk`);
  return { code: chunk.code, fileName: `assets/${prefix}-${createHash('sha256').update(chunk.code).digest('hex').slice(0, 8)}.js` };
}

function exportScript(): Plugin {
  let fileName: string | null = null;
  let code = '';
  let workerFileName: string | null = null;
  let workerCode = '';
  return {
    name: 'export-script',
    async configResolved(config) {
      if (config.command !== 'build' || config.build.ssr) return;
      const app = await oneFileBuild(config, 'src/main.tsx', 'export-app', [
        react(),
        {
          // The exported page needs neither: it has its worker's source and its own script inline.
          name: 'no-worker-url',
          enforce: 'pre',
          resolveId: (id) => (/\?worker&url$/.test(id) || id === EXPORT_SCRIPT_ID ? '\0no-url' : null),
          load: (id) => (id === '\0no-url' ? 'export default null;\nexport const workerUrl = null;' : null),
        },
      ]);
      ({ code, fileName } = app);
      const worker = await oneFileBuild(config, 'src/worker/trace.worker.ts', 'export-worker', [classicWorkerScript()]);
      ({ code: workerCode, fileName: workerFileName } = worker);
    },
    resolveId: (id) => (id === EXPORT_SCRIPT_ID ? `\0${EXPORT_SCRIPT_ID}` : null),
    load: (id) =>
      id === `\0${EXPORT_SCRIPT_ID}` ? `export default ${JSON.stringify(fileName)};\nexport const workerUrl = ${JSON.stringify(workerFileName)};` : null,
    generateBundle() {
      if (fileName) this.emitFile({ type: 'asset', fileName, source: code });
      if (workerFileName) this.emitFile({ type: 'asset', fileName: workerFileName, source: workerCode });
    },
  };
}

/** src/boot.ts and what it imports (the worker's URL too): small modules, none of the app's chunk (the page's first script must not wait for it). */
const FIRST_SCRIPT_MODULES =
  /src[\\/](boot|worker[\\/]early|trace[\\/]bundle[\\/]served-url|loader[\\/](bootProgress|progressWords)|trace[\\/]format|ui[\\/]format)\.ts$|\?worker&url$/;

export default defineConfig({
  plugins: [react(), cspMeta(), devBundles(), thirdPartyLicenses(true), exportScript(), bootScript()],
  base: './',
  worker: { format: 'es', plugins: () => [thirdPartyLicenses(false)] },
  build: {
    outDir: 'dist',
    sourcemap: true,
    // One stylesheet, in the page's head: a lazily loaded panel (src/app/lazy.tsx) never shows unstyled for a frame.
    cssCodeSplit: false,
    rolldownOptions: {
      input: { index: path.resolve(import.meta.dirname, 'index.html'), boot: path.resolve(import.meta.dirname, 'src/boot.ts') },
      // Everything the entry imports statically in one chunk: a dozen small shared chunks would each be a request before the first paint.
      // But not src/boot.ts's few lines (and the few small modules it imports), which must run before that chunk has arrived: without
      // includeDependenciesRecursively the client's import of them does not pull them in.
      output: {
        codeSplitting: {
          groups: [
            // The first script's modules in one chunk beside it: each chunk more would be one more request before it runs.
            { name: 'first', test: (id) => FIRST_SCRIPT_MODULES.test(id) && !/src[\\/]boot\.ts/.test(id), includeDependenciesRecursively: false },
            {
              name: 'index',
              tags: ['$initial'],
              test: (id) => !FIRST_SCRIPT_MODULES.test(id),
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
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
