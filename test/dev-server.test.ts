/**
 * `npm run dev` serves the /bundles/ routes of `serve` (README: "Working on
 * it"), so that the dev server opens a bundle the way the built app does.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';

const ROOT = path.resolve(__dirname, '..');
let server: ViteDevServer;
let base: string;

beforeAll(async () => {
  process.env.CTV_DEV_BUNDLES = path.join(ROOT, 'test/fixtures/traces/image-input');
  server = await createServer({
    configFile: path.join(ROOT, 'vite.config.ts'),
    root: ROOT,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 5460, strictPort: false, hmr: false, ws: false },
  });
  await server.listen();
  base = server.resolvedUrls!.local[0];
});

afterAll(async () => {
  delete process.env.CTV_DEV_BUNDLES;
  await server?.close();
});

describe('the dev server', () => {
  it('answers /bundles/index.json with the bundles it was given', async () => {
    const res = await fetch(new URL('bundles/index.json', base));
    expect(res.headers.get('content-type')).toContain('json');
    expect((await res.json()).map((b: { name: string }) => b.name)).toEqual(['image-input']);
  });

  it('serves a bundle file, and the app everywhere else', async () => {
    const manifest = await fetch(new URL('bundles/image-input/manifest.json', base));
    expect(manifest.status).toBe(200);
    expect(await manifest.json()).toHaveProperty('schema_version');
    expect((await fetch(new URL('bundles/no-such-bundle/manifest.json', base))).status).toBe(404);
    expect(await (await fetch(base)).text()).toContain('<div id="root">');
  });
});
