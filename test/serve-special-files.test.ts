/**
 * `serve` reads only regular files (issue 14, item 4): a FIFO named
 * manifest.json in a served tree kept the start-up line from printing and
 * pinned a thread per /bundles/index.json until every route stopped answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServeHandle } from '../src/cli/serve';
import { readTar } from '../src/trace/bundle/tar';
import { TRACES } from './loader-helpers';

let tmp: string;
let h: ServeHandle;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-serve-fifo-'));
  const dist = path.join(tmp, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  const root = path.join(tmp, 'traces');
  cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'fifo-manifest'), { recursive: true });
  unlinkSync(path.join(root, 'fifo-manifest', 'manifest.json'));
  execFileSync('mkfifo', [path.join(root, 'fifo-manifest', 'manifest.json')]);
  cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'fifo-payload'), { recursive: true });
  unlinkSync(path.join(root, 'fifo-payload', 'payloads', '5.json'));
  execFileSync('mkfifo', [path.join(root, 'fifo-payload', 'payloads', '5.json')]);
  h = await serve({ roots: [root], port: 0, distDir: dist, log: () => {} });
}, 10_000);

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('serve with FIFOs in the tree', () => {
  it('lists bundles (a FIFO manifest as unreadable) and keeps answering, however often it is asked', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${h.url}bundles/index.json`, { signal: AbortSignal.timeout(3000) });
      expect(res.status).toBe(200);
      const list = (await res.json()) as { name: string; manifest: unknown }[];
      expect(list.find((b) => b.name.endsWith('fifo-manifest'))?.manifest).toBeNull();
    }
    expect((await fetch(h.url, { signal: AbortSignal.timeout(3000) })).status).toBe(200);
  });

  it('a bundle tar leaves a FIFO payload out instead of hanging', async () => {
    const res = await fetch(`${h.url}bundles/traces/fifo-payload/?pack=tar`, { signal: AbortSignal.timeout(3000) });
    expect(res.status).toBe(200);
    const files = readTar(new Uint8Array(await res.arrayBuffer()));
    const names = [...files.keys()];
    expect(names).toContain('manifest.json');
    expect(names).not.toContain('payloads/5.json');
  });
});
