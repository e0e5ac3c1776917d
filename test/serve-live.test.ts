/**
 * `serve`'s side of following a recording (issue 19): `?live` tells the page
 * each time a bundle grows, and bundle files answer byte ranges so that the
 * page fetches only what was appended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServeHandle } from '../src/cli/serve';
import { TRACES } from './loader-helpers';

let tmp: string;
let h: ServeHandle;
const src = path.join(TRACES, 'single-turn-answer');
const log = readFileSync(path.join(src, 'trace.jsonl'));

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-serve-live-'));
  const dist = path.join(tmp, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  const bundle = path.join(tmp, 'root', 'rec');
  mkdirSync(path.join(bundle, 'payloads'), { recursive: true });
  copyFileSync(path.join(src, 'manifest.json'), path.join(bundle, 'manifest.json'));
  writeFileSync(path.join(bundle, 'trace.jsonl'), log.subarray(0, 100));
  h = await serve({ roots: [path.join(tmp, 'root')], port: 0, distDir: dist, log: () => {} });
}, 10_000);

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Reads server-sent events off a response body, one `data` object at a time. */
function events(body: ReadableStream<Uint8Array>): () => Promise<{ event: string; data: unknown }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return async () => {
    for (;;) {
      const end = buf.indexOf('\n\n');
      if (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += decoder.decode(value, { stream: true });
    }
  };
}

describe('serve ?live', () => {
  it('sends the sizes at once, and again when trace.jsonl and payloads grow', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.url}bundles/root/rec/?live`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const next = events(res.body!);
    expect(await next()).toMatchObject({ event: 'grew', data: { trace: 100, payloadFiles: 0, shards: {} } });
    appendFileSync(path.join(tmp, 'root', 'rec', 'trace.jsonl'), log.subarray(100, 250));
    writeFileSync(path.join(tmp, 'root', 'rec', 'payloads', '1.json'), '{}');
    writeFileSync(path.join(tmp, 'root', 'rec', 'payloads', '000001.zst'), 'abc');
    let grew = await next();
    // The writes may straddle a poll: wait for the state after all three.
    while (
      (grew.data as { trace: number; payloadFiles: number; shards: object }).payloadFiles === 0 ||
      Object.keys((grew.data as { shards: object }).shards).length === 0
    )
      grew = await next();
    expect(grew.data).toMatchObject({ trace: 250, payloadFiles: 1, shards: { '000001.zst': 3 } });
    expect((grew.data as { idleMs: number }).idleMs).toBeLessThan(5000);
    ac.abort();
  });

  it('is refused to another site and outside the root', async () => {
    expect((await fetch(`${h.url}bundles/root/rec/?live`, { headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' } })).status).toBe(403);
    expect((await fetch(`${h.url}bundles/root/a%2F..%2F..%2F/?live`)).status).toBe(403);
    expect((await fetch(`${h.url}bundles/root/nothing/?live`)).status).toBe(404);
  });
});

describe('byte ranges of bundle files', () => {
  it('answers bytes=N- with 206 and the tail, and a start at the end with 416', async () => {
    const file = path.join(tmp, 'root', 'rec', 'trace.jsonl');
    const size = readFileSync(file).length;
    const res = await fetch(`${h.url}bundles/root/rec/trace.jsonl`, { headers: { Range: 'bytes=40-' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 40-${size - 1}/${size}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(file).subarray(40))).toBe(true);
    const end = await fetch(`${h.url}bundles/root/rec/trace.jsonl`, { headers: { Range: `bytes=${size}-` } });
    expect(end.status).toBe(416);
    expect(end.headers.get('content-range')).toBe(`bytes */${size}`);
    const whole = await fetch(`${h.url}bundles/root/rec/trace.jsonl`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
  });
});
