import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, bundlesMiddleware, serve, startUrl, type ServeHandle } from '../src/cli/serve';
import { FetchSource, openHttpBundle } from '../src/trace/bundle/fetch';
import { withReadAhead } from '../src/trace/bundle/readahead';
import { MemorySource } from '../src/trace/bundle/source';
import { readTar, readTarStream } from '../src/trace/bundle/tar';
import { createWorkerHandler } from '../src/worker/handler';
import { reduceToFile } from '../src/cli/served-states';
import { splitStateBytes } from '../src/trace/bundle/served-state';
import { unzipSync } from 'fflate';
import type { WorkerResponse } from '../src/worker/protocol';
import { TRACES, listFiles, stateOf } from './loader-helpers';

/** A raw request: the path is sent exactly as given (fetch would resolve `..` first). */
function get(port: number, rawPath: string, opts: { method?: string; host?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: { host: opts.host ?? `127.0.0.1:${port}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let tmp: string;
let h: ServeHandle;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-serve-'));
  const dist = path.join(tmp, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  // A root of bundles: two copies of fixtures plus escape attempts by symlink.
  const root = path.join(tmp, 'traces');
  cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'single-turn-answer'), { recursive: true });
  cpSync(path.join(TRACES, 'multi-turn-resume'), path.join(root, 'multi-turn-resume'), { recursive: true });
  symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'single-turn-answer', 'leak.txt'));
  symlinkSync(tmp, path.join(root, 'single-turn-answer', 'up'));
  h = await serve({ roots: [root, path.join(TRACES, 'image-input')], port: 0, distDir: dist, log: () => {} });
});

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('serve', () => {
  it('serves the app with a strict CSP and other security headers', async () => {
    const r = await get(h.port, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("worker-src 'self' blob:");
    // WebAssembly (the zstd decoder) only: no JavaScript eval, no inline script, no host.
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-inline'|'unsafe-eval'|https?:|\*/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(h.port, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('lists every bundle under the roots in /bundles/index.json with its manifest', async () => {
    const r = await get(h.port, '/bundles/index.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const list = JSON.parse(r.body) as { name: string; manifest: { trace_id: string } }[];
    expect(list.map((b) => b.name)).toEqual([
      'traces/multi-turn-resume',
      'traces/multi-turn-resume/bundle-2',
      'traces/multi-turn-resume/bundle-3',
      'traces/single-turn-answer',
      'image-input',
    ]);
    expect(list[1].manifest).toEqual(JSON.parse(readFileSync(path.join(TRACES, 'multi-turn-resume/bundle-2/manifest.json'), 'utf8')));
    expect(h.bundles).toEqual(list);
  });

  it('--open opens one bundle by name, and several on the root URL, which lists them', () => {
    const b = (name: string) => ({ name, manifest: null });
    expect(startUrl('http://127.0.0.1:4180/', [b('long-session')])).toBe('http://127.0.0.1:4180/?trace=long-session');
    expect(startUrl('http://127.0.0.1:4180/', [b('traces/a'), b('traces/b')])).toBe('http://127.0.0.1:4180/');
    expect(startUrl('http://127.0.0.1:4180/', [])).toBe('http://127.0.0.1:4180/');
  });

  it('serves bundle files read-only', async () => {
    const r = await get(h.port, '/bundles/image-input/trace.jsonl');
    expect(r.status).toBe(200);
    expect(r.body).toBe(readFileSync(path.join(TRACES, 'image-input/trace.jsonl'), 'utf8'));
    expect(r.headers['cache-control']).toBe('no-store');
    const p = await get(h.port, '/bundles/traces/multi-turn-resume/bundle-3/payloads/1.json');
    expect(p.status).toBe(200);
    expect(p.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await get(h.port, '/bundles/image-input/manifest.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(readFileSync(path.join(TRACES, 'image-input/manifest.json')).byteLength);
    expect(head.body).toBe('');
    for (const method of ['PUT', 'POST', 'DELETE']) expect((await get(h.port, '/bundles/image-input/manifest.json', { method })).status).toBe(405);
  });

  it('refuses paths outside the served roots', async () => {
    const refused = [
      '/bundles/image-input/../../../package.json',
      '/bundles/image-input/..%2f..%2fpackage.json',
      '/bundles/image-input/%2e%2e/%2e%2e/package.json',
      '/bundles/image-input/..%5c..%5cpackage.json',
      '/bundles/traces/single-turn-answer/leak.txt', // symlink to a file outside the root
      '/bundles/traces/single-turn-answer/up/secret.txt', // symlinked directory outside the root
      '/bundles/image-input/%00',
      '/assets/..%2f..%2fsecret.txt',
    ];
    for (const p of refused) {
      const r = await get(h.port, p);
      expect([403, 404], p).toContain(r.status);
      expect(r.body, p).not.toContain('secret');
      expect(r.body, p).not.toContain('"name"');
    }
    expect((await get(h.port, '/bundles/traces/single-turn-answer/leak.txt')).status).toBe(403);
    expect((await get(h.port, '/bundles/image-input/..%2fx')).status).toBe(403);
    expect((await get(h.port, '/bundles/image-input/payloads')).status).toBe(404); // no directory listings
    expect((await get(h.port, '/bundles/nope/manifest.json')).status).toBe(404);
    expect((await get(h.port, '/bundles/image-input/%E0%A4%A')).status).toBe(400);
  });

  it('refuses requests for another Host (DNS rebinding)', async () => {
    expect((await get(h.port, '/bundles/index.json', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(h.port, '/', { host: `localhost:${h.port}` })).status).toBe(200);
  });

  it('packs a bundle into one tar: manifest, trace and payloads, without nested bundles or state.json', async () => {
    const res = await fetch(`${h.url}bundles/traces/multi-turn-resume/?pack=tar`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const entries = readTar(new Uint8Array(await res.arrayBuffer()));
    const expected = listFiles(path.join(TRACES, 'multi-turn-resume'), path.join(TRACES, 'multi-turn-resume')).filter(
      (p) => p === 'manifest.json' || p === 'trace.jsonl' || p.startsWith('payloads/'),
    );
    expect([...entries.keys()]).toEqual(['manifest.json', 'trace.jsonl', ...expected.filter((p) => p.startsWith('payloads/'))]);
    for (const p of expected) expect(Buffer.from(entries.get(p)!).equals(readFileSync(path.join(TRACES, 'multi-turn-resume', p))), p).toBe(true);

    expect((await get(h.port, '/bundles/traces/?pack=tar')).status).toBe(404); // not a bundle
    expect((await get(h.port, '/bundles/traces/single-turn-answer/up/?pack=tar')).status).toBe(403); // symlink out of the root
    expect((await get(h.port, '/bundles/traces/..%2f/?pack=tar')).status).toBe(403);
  });

  it("reads a served bundle's tar however its response is cut into pieces, each file byte for byte", async () => {
    const tar = new Uint8Array(await (await fetch(`${h.url}bundles/traces/multi-turn-resume/?pack=tar`)).arrayBuffer());
    const whole = readTar(tar);
    for (const piece of [1, 100, 511, 512, 513, 4096, 65536, tar.length]) {
      // Pieces as a response body gives them: files that lie whole in one are kept as views of it, the rest copied.
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (at >= tar.length) return c.close();
          c.enqueue(tar.slice(at, (at += piece)));
        },
      });
      const files = await readTarStream(body, {}, true);
      expect([...files.keys()], `pieces of ${piece}`).toEqual([...whole.keys()]);
      for (const [p, bytes] of whole) expect(Buffer.from(files.get(p)!).equals(Buffer.from(bytes)), `${p} in pieces of ${piece}`).toBe(true);
    }
  });

  it('opens a served bundle as one tar, or file by file from a server without packing', async () => {
    const base = `${h.url}bundles/image-input/`;
    const packed = await openHttpBundle('image-input', base);
    if (!(packed instanceof MemorySource)) throw new Error('not opened as one tar');
    expect(await packed.readText('trace.jsonl')).toBe(readFileSync(path.join(TRACES, 'image-input/trace.jsonl'), 'utf8'));

    const requested: string[] = [];
    const noPack: typeof fetch = (input, init) => {
      const url = String(input);
      requested.push(url.slice(base.length));
      return url.includes('?pack=') ? Promise.resolve(new Response('no', { status: 404 })) : fetch(input, init);
    };
    const plain = await openHttpBundle('image-input', base, noPack);
    if (!(plain instanceof FetchSource)) throw new Error('not opened file by file');
    const ahead = withReadAhead(plain);
    const trace = await ahead.readText('trace.jsonl');
    expect(trace).toBe(readFileSync(path.join(TRACES, 'image-input/trace.jsonl'), 'utf8'));
    // Payloads the trace mentions are fetched ahead of the reader, in order of first mention.
    const mentioned = [...new Set([...trace!.matchAll(/"path":"([^"]+)"/g)].map((m) => m[1]))];
    expect(requested.slice(2, 2 + Math.min(12, mentioned.length))).toEqual(mentioned.slice(0, 12));
    for (const p of mentioned) expect(await ahead.readText(p)).toBe(readFileSync(path.join(TRACES, 'image-input', p), 'utf8'));
    expect(requested.filter((r) => r === mentioned[0])).toHaveLength(1); // read ahead once, not again
    expect(await ahead.readText('payloads/9999.json')).toBeNull();
  });

  it('the worker loads a served bundle by URL, matching state.json', async () => {
    const out: WorkerResponse[] = [];
    const handler = createWorkerHandler((m) => out.push(m));
    await handler({ type: 'load', id: 1, label: 'image-input', input: { kind: 'url', baseUrl: `${h.url}bundles/image-input/` } });
    const r = out.find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(out));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'image-input/state.json'), 'utf8'));
    await handler({ type: 'readPayload', id: 2, path: 'payloads/2.json' });
    expect(out.find((m) => m.id === 2)).toMatchObject({
      type: 'payload',
      data: JSON.parse(readFileSync(path.join(TRACES, 'image-input/payloads/2.json'), 'utf8')),
    });
  });

  it('a bundle too large for the tab is reduced by the server, its payloads fetched as they are shown', async () => {
    const s3 = path.join(TRACES, '../traces-schema3/multi-turn-manual-compact');
    const served = await serve({ roots: [path.join(TRACES, 'image-input'), s3], port: 0, distDir: path.join(tmp, 'dist'), log: () => {} });
    try {
      for (const [name, dir, payload, limits] of [
        // A limit below the bundle's size: the browser would refuse it.
        ['image-input', path.join(TRACES, 'image-input'), 'raw_payload:2', { maxBundleBytes: 1000 }],
        // A small bundle whose event log is over the tab's limit: its state would be the large part.
        ['multi-turn-manual-compact', s3, 'raw_payload:3', { maxLogBytes: 1000 }],
      ] as const) {
        const out: WorkerResponse[] = [];
        const handler = createWorkerHandler((m) => out.push(m), { ...limits, recent: null });
        await handler({ type: 'load', id: 1, label: name, input: { kind: 'url', baseUrl: `${served.url}bundles/${name}/` } });
        const r = out.find((m) => m.type === 'result');
        if (r?.type !== 'result') throw new Error(JSON.stringify(out.filter((m) => m.type !== 'progress')));
        expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(dir, 'state.json'), 'utf8'));
        // The page heard how its state arrived, after how the server's reduction went when it was still under way
        // (a bundle given as a root is reduced from the start, and may be done before the page asks).
        const phases = out.flatMap((m) => (m.type === 'progress' && m.phase ? [m.phase] : []));
        expect(phases).toContain('receiving');
        expect(phases.slice(phases.indexOf('receiving')).every((p) => p === 'receiving')).toBe(true);
        expect(phases).not.toContain('reducing');
        await handler({ type: 'readPayload', id: 2, path: payload });
        const p = out.find((m) => m.id === 2);
        expect(p?.type).toBe('payload');
        // Packing the whole bundle into one file would fetch all of what the tab could not hold: refused, saying why.
        await handler({ type: 'exportBundle', id: 3 });
        const x = out.find((m) => m.id === 3);
        expect(x?.type === 'error' && x.error.message).toMatch(/too large for a browser tab/);
      }
      // A second open of the unchanged bundle reads the state kept by the first.
      const again = await get(served.port, '/bundles/image-input/?reduced');
      expect(again.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      const [line] = again.body.split('\n');
      expect(line).toMatch(/^\{"type":"result"/);
      // With its fields' byte ranges, as a scan of the state that follows finds them: the page's worker need not scan it.
      const parts = (JSON.parse(line) as { parts?: unknown }).parts;
      expect(parts).toEqual(splitStateBytes(new TextEncoder().encode(again.body.slice(line.length + 1))));
      expect(parts).toContainEqual(expect.arrayContaining(['raw_payloads']));
    } finally {
      await served.close();
    }
  });

  /** `serve` leaving bundles of over 1,000 bytes of payloads to its own reduction, and the bundles it reduced (folder names). */
  async function serveReducingAbove1000(roots: string[]) {
    const reductions: string[] = [];
    const served = await serve({
      roots,
      port: 0,
      distDir: path.join(tmp, 'dist'),
      log: () => {},
      states: {
        reducesAbove: 1000,
        reduce: (dir, out, onProgress) => {
          reductions.push(path.basename(dir));
          return reduceToFile(dir, out, onProgress);
        },
      },
    });
    return { served, reductions };
  }

  it('a large finished bundle is left to the server, which starts on it as soon as the page names it; a recording one is not', async () => {
    const root = path.join(tmp, 'finished-or-not');
    cpSync(path.join(TRACES, 'image-input'), path.join(root, 'finished'), { recursive: true });
    // The same session while Codex still writes it: its log stops before the event that ends a recording.
    cpSync(path.join(TRACES, 'image-input'), path.join(root, 'recording'), { recursive: true });
    const log = readFileSync(path.join(root, 'recording/trace.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(path.join(root, 'recording/trace.jsonl'), `${log.slice(0, -1).join('\n')}\n`);
    const { served, reductions } = await serveReducingAbove1000([root]);
    try {
      // The app page for a shared link: the reduction starts before the page's worker asks for it.
      expect((await get(served.port, `/?trace=${encodeURIComponent('finished-or-not/finished')}`)).status).toBe(200);
      await expect.poll(() => reductions, { timeout: 5000 }).toEqual(['finished']);
      await get(served.port, `/?trace=${encodeURIComponent('finished-or-not/recording')}`);

      const open = async (name: string) => {
        const out: WorkerResponse[] = [];
        const handler = createWorkerHandler((m) => out.push(m), { serverReducesAbove: 1000, recent: null });
        await handler({ type: 'load', id: 1, label: name, input: { kind: 'url', baseUrl: `${served.url}bundles/finished-or-not/${name}/` } });
        const r = out.find((m) => m.type === 'result');
        if (r?.type !== 'result') throw new Error(JSON.stringify(out.filter((m) => m.type !== 'progress')));
        const phases = out.flatMap((m) => (m.type === 'progress' && m.phase ? [m.phase] : []));
        return { out, handler, state: JSON.stringify(stateOf(r), null, 2), phases };
      };
      const finished = await open('finished');
      // Its state arrived from the server (already reduced: no server progress left to hear); the tab reduced nothing.
      expect(finished.phases).toContain('receiving');
      expect(finished.phases).not.toContain('reducing');
      expect(finished.state).toBe(readFileSync(path.join(TRACES, 'image-input/state.json'), 'utf8'));
      // The page's request joined the reduction begun ahead of it: the bundle was reduced once.
      expect(reductions).toEqual(['finished']);
      // The tab holds none of its files, yet exports the whole bundle: it fetches them when asked.
      await finished.handler({ type: 'exportBundle', id: 3 });
      const x = finished.out.find((m) => m.id === 3);
      if (x?.type !== 'exported') throw new Error(JSON.stringify(x));
      const zipped = Object.keys(unzipSync(x.zip)).sort();
      expect(zipped).toEqual(
        listFiles(path.join(TRACES, 'image-input'), path.join(TRACES, 'image-input'))
          .filter((f) => f !== 'state.json' && f !== 'scenario.md')
          .sort(),
      );
      // Its state's text went to the page as it came, not copied: a search waits until the page gives it back
      // (with `landed`, once parsed), then searches the whole state.
      const result = finished.out.find((m) => m.type === 'result');
      if (result?.type !== 'result' || !result.stateText) throw new Error('the state did not come as text');
      const searched = finished.handler({ type: 'search', id: 4, query: 'Skills', limit: 10 });
      await new Promise((r) => setTimeout(r, 200));
      expect(finished.out.some((m) => m.id === 4)).toBe(false);
      await finished.handler({ type: 'landed', id: 5, target: 1, bytes: result.stateText.bytes });
      await searched;
      const hits = finished.out.find((m) => m.id === 4);
      expect(hits?.type === 'searchResult' && hits.hits.length).toBeGreaterThan(0);

      // Still recording: read in the tab, which follows what Codex adds, and not reduced by the server.
      const recording = await open('recording');
      expect(recording.phases).not.toContain('receiving');
      expect(recording.out.some((m) => m.type === 'live')).toBe(true);
      expect(reductions).toEqual(['finished']);
    } finally {
      await served.close();
    }
  });

  it('a small finished bundle a link names is reduced ahead, and the tar request of its next open is answered with the state', async () => {
    const root = path.join(tmp, 'small-named');
    cpSync(path.join(TRACES, 'image-input'), path.join(root, 'finished'), { recursive: true });
    const reductions: string[] = [];
    const served = await serve({
      roots: [root],
      port: 0,
      distDir: path.join(tmp, 'dist'),
      log: () => {},
      states: {
        reduce: (dir, out, onProgress) => {
          reductions.push(path.basename(dir));
          return reduceToFile(dir, out, onProgress);
        },
      },
    });
    try {
      const open = async () => {
        const out: WorkerResponse[] = [];
        const handler = createWorkerHandler((m) => out.push(m), { recent: null, landedWaitMs: 0 });
        await handler({ type: 'load', id: 1, label: 'finished', input: { kind: 'url', baseUrl: `${served.url}bundles/small-named/finished/` } });
        const r = out.find((m) => m.type === 'result');
        if (r?.type !== 'result') throw new Error(JSON.stringify(out.filter((m) => m.type !== 'progress')));
        const phases = out.flatMap((m) => (m.type === 'progress' && m.phase ? [m.phase] : []));
        const hash = out.find((m) => m.type === 'hash');
        return {
          phases,
          hash: r.hashFollows && hash?.type === 'hash' ? hash.contentHash : null,
          state: JSON.stringify(stateOf(r), null, 2),
        };
      };
      const reference = readFileSync(path.join(TRACES, 'image-input/state.json'), 'utf8');
      // Opened from the session list: the server holds no state of it, so the tab reduces its tar.
      const fromList = await open();
      expect(fromList.phases).not.toContain('receiving');
      expect(fromList.state).toBe(reference);
      expect(reductions).toEqual([]);
      // A link to it (the app page with `?trace=`): reduced while the page starts, and taken by its tar request.
      await get(served.port, `/?trace=${encodeURIComponent('small-named/finished')}`);
      await expect.poll(() => reductions, { timeout: 5000 }).toEqual(['finished']);
      const linked = await open();
      expect(linked.phases).toContain('receiving');
      expect(linked.phases).not.toContain('reducing');
      expect(linked.state).toBe(reference);
      expect(reductions).toEqual(['finished']);
      // Links and exports name the bundle by its content hash: the server's is the one the tab computed.
      expect(fromList.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(linked.hash).toBe(fromList.hash);
      // A tar request that does not allow the state (an export fetching the files) still gets the tar.
      expect((await get(served.port, '/bundles/small-named/finished/?pack=tar')).headers['content-type']).toBe('application/x-tar');
      expect((await get(served.port, '/bundles/small-named/finished/?pack=tar&or=reduced')).headers['content-type']).toBe(
        'application/x-ndjson; charset=utf-8',
      );
    } finally {
      await served.close();
    }
  });

  it('a large finished bundle given as a root is reduced from the start, before any page asks', async () => {
    const bundle = path.join(tmp, 'given', 'image-input');
    cpSync(path.join(TRACES, 'image-input'), bundle, { recursive: true });
    const { served, reductions } = await serveReducingAbove1000([bundle, path.join(TRACES)]);
    try {
      // Nothing asked yet: the bundle root is on its way; the trace root's bundles wait to be named.
      await expect.poll(() => reductions, { timeout: 5000 }).toEqual(['image-input']);
      const out: WorkerResponse[] = [];
      const handler = createWorkerHandler((m) => out.push(m), { serverReducesAbove: 1000, recent: null });
      await handler({ type: 'load', id: 1, label: 'image-input', input: { kind: 'url', baseUrl: `${served.url}bundles/image-input/` } });
      const r = out.find((m) => m.type === 'result');
      if (r?.type !== 'result') throw new Error(JSON.stringify(out.filter((m) => m.type !== 'progress')));
      expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'image-input/state.json'), 'utf8'));
      expect(reductions).toEqual(['image-input']);
    } finally {
      await served.close();
    }
  });

  it('offers the /bundles/ routes as a dev-server middleware', async () => {
    const mw = bundlesMiddleware([path.join(TRACES, 'image-input')]);
    const server = http.createServer((req, res) => mw(req, res, () => res.writeHead(299).end('next')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      expect(JSON.parse((await get(port, '/bundles/index.json')).body)[0].name).toBe('image-input');
      expect((await get(port, '/bundles/image-input/manifest.json')).status).toBe(200);
      expect((await get(port, '/bundles/image-input/../../package.json')).status).not.toBe(200);
      expect((await get(port, '/src/main.tsx')).status).toBe(299);
    } finally {
      server.close();
    }
  });

  it('explains a missing build and a missing root', async () => {
    await expect(serve({ roots: [TRACES], port: 0, distDir: path.join(tmp, 'nope'), log: () => {} })).rejects.toThrow(/npm run build/);
    await expect(serve({ roots: [path.join(tmp, 'missing')], port: 0, distDir: path.join(tmp, 'dist'), log: () => {} })).rejects.toThrow(/does not exist/);
  });
});
