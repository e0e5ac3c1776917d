/** The worker's share support: content hash after results, the recent-bundles cache, and the export zip. */
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { createWorkerHandler } from '../../src/worker/handler';
import type { WorkerResponse } from '../../src/worker/protocol';
import { parseResponse } from '../../src/worker/responses';
import { planEviction, type RecentMeta, type RecentStore } from '../../src/worker/recent';
import type { FileBody } from '../../src/trace/bundle/source';
import { folderInputs, zipOf } from '../loader-helpers';

class MemoryRecent implements RecentStore {
  readonly entries = new Map<string, { meta: RecentMeta; files: Map<string, FileBody> }>();
  async list() {
    return [...this.entries.values()].map((e) => e.meta);
  }
  async get(hash: string) {
    return this.entries.get(hash) ?? null;
  }
  async put(m: Omit<RecentMeta, 'sizeBytes' | 'savedAtMs'>, files: ReadonlyMap<string, FileBody>) {
    this.entries.set(m.hash, { meta: { ...m, sizeBytes: 1, savedAtMs: 1 }, files: new Map(files) });
  }
  async forget(hash: string | null) {
    if (hash === null) this.entries.clear();
    else this.entries.delete(hash);
  }
}

function harness(recent: RecentStore) {
  const out: WorkerResponse[] = [];
  const send = createWorkerHandler(
    (m) => {
      const parsed = parseResponse(structuredClone(m));
      if (!parsed.ok) throw new Error(`invalid response: ${parsed.reason}`);
      out.push(m);
    },
    { recent },
  );
  const result = (id: number) => out.find((m) => m.id === id && m.type === 'result') as Extract<WorkerResponse, { type: 'result' }> | undefined;
  /** The content hash the worker sent after load `id`'s result. */
  const hash = (id: number) => {
    const at = out.findIndex((m) => m.id === id && m.type === 'hash');
    // After the result: the page shows the state first; the hash follows.
    expect(at).toBeGreaterThan(out.findIndex((m) => m.id === id && m.type === 'result'));
    return (out[at] as Extract<WorkerResponse, { type: 'hash' }>).contentHash;
  };
  return { out, send, result, hash };
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('worker: content hash, recent bundles, export', () => {
  it('a dropped folder and the same bundle zipped get the same content hash; another bundle a different one', async () => {
    const h = harness(new MemoryRecent());
    await h.send({ type: 'load', id: 1, label: 'multi-agent', input: { kind: 'files', files: folderInputs('multi-agent') } });
    await h.send({
      type: 'load',
      id: 2,
      label: 'x.zip',
      input: { kind: 'files', files: [{ path: 'x.zip', file: new File([zipOf(['multi-agent']) as BlobPart], 'x.zip') }] },
    });
    await h.send({ type: 'load', id: 3, label: 'long-session', input: { kind: 'files', files: folderInputs('long-session') } });
    const [a, b, c] = [h.hash(1), h.hash(2), h.hash(3)];
    // The result carries no hash: it comes after.
    expect(h.result(1)).toMatchObject({ hashFollows: true });
    expect(h.result(1)).not.toHaveProperty('contentHash');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('keeps dropped bundles (not embedded ones) and reopens them by hash; forget empties the cache', async () => {
    const recent = new MemoryRecent();
    const h = harness(recent);
    await h.send({ type: 'load', id: 1, label: 'multi-agent', input: { kind: 'files', files: folderInputs('multi-agent') } });
    await flush();
    const hash = h.hash(1)!;
    expect([...recent.entries.keys()]).toEqual([hash]);
    await h.send({ type: 'load', id: 2, label: 'long-session', input: { kind: 'files', files: folderInputs('long-session'), remember: false } });
    await flush();
    expect(recent.entries.size).toBe(1);

    await h.send({ type: 'load', id: 3, label: 'ignored', input: { kind: 'cached', hash } });
    const again = h.result(3)!;
    expect(again.label).toBe('multi-agent');
    expect(h.hash(3)).toBe(hash);
    expect(again.stateParts).toEqual(h.result(1)!.stateParts);

    await h.send({ type: 'load', id: 4, label: 'x', input: { kind: 'cached', hash: '0'.repeat(64) } });
    expect(h.out.find((m) => m.id === 4)).toMatchObject({ type: 'error' });

    await h.send({ type: 'recentList', id: 5 });
    expect(h.out.find((m) => m.id === 5)).toMatchObject({ type: 'recent', bundles: [{ hash, name: 'multi-agent' }] });
    await h.send({ type: 'recentForget', id: 6, hash: null });
    expect(h.out.find((m) => m.id === 6)).toMatchObject({ type: 'recent', bundles: [] });
  });

  it('exports the loaded bundle as a zip that loads back to the same state and hash', async () => {
    const h = harness(new MemoryRecent());
    await h.send({ type: 'load', id: 1, label: 'multi-agent', input: { kind: 'files', files: folderInputs('multi-agent') } });
    await h.send({ type: 'exportBundle', id: 2 });
    const exp = h.out.find((m) => m.id === 2) as Extract<WorkerResponse, { type: 'exported' }>;
    expect(exp.type).toBe('exported');
    const names = Object.keys(unzipSync(exp.zip));
    expect(names).toContain('manifest.json');
    expect(names).toContain('trace.jsonl');
    expect(names.some((n) => n.startsWith('payloads/'))).toBe(true);
    expect(names).not.toContain('state.json'); // only what makes the bundle
    const files = Object.entries(unzipSync(exp.zip)).map(([p, bytes]) => ({ path: `multi-agent/${p}`, file: new File([bytes as BlobPart], p) }));
    await h.send({ type: 'load', id: 3, label: 'multi-agent', input: { kind: 'files', files } });
    expect(h.hash(3)).toBe(h.hash(1));
    expect(h.result(3)!.stateParts).toEqual(h.result(1)!.stateParts);
  });
});

describe('recent-bundles bounds', () => {
  const meta = (hash: string, sizeBytes: number): RecentMeta => ({ hash, name: hash, sizeBytes, savedAtMs: 0, traceId: null });
  it('keeps the newest 5 bundles', () => {
    const existing = ['e', 'd', 'c', 'b', 'a'].map((h) => meta(h, 10));
    expect(planEviction(existing, 'f', 10)).toEqual(['a']);
    // re-adding a kept bundle evicts nothing
    expect(planEviction(existing, 'c', 10)).toEqual([]);
  });
  it('keeps at most 300 MB, dropping the oldest first', () => {
    const MB = 1024 * 1024;
    const existing = [meta('new', 100 * MB), meta('mid', 100 * MB), meta('old', 100 * MB)];
    expect(planEviction(existing, 'x', 50 * MB)).toEqual(['old']);
    expect(planEviction(existing, 'x', 250 * MB)).toEqual(['new', 'mid', 'old']);
  });

  it('a load cancelled while its bundle is hashed still answers: the hash is unknown (null), not never', async () => {
    const out: WorkerResponse[] = [];
    let send: (m: unknown) => Promise<void> = async () => {};
    send = createWorkerHandler(
      (m) => {
        out.push(m);
        // Cancelled the moment its state has gone, while the hash is being computed.
        if (m.type === 'result') void send({ type: 'cancel', id: 99, target: m.id });
      },
      { recent: new MemoryRecent() },
    );
    await send({ type: 'load', id: 1, label: 'long-session', input: { kind: 'files', files: folderInputs('long-session') } });
    await flush();
    expect(out.filter((m) => m.id === 1).map((m) => m.type)).toEqual(expect.arrayContaining(['result', 'hash']));
    expect(out.find((m) => m.type === 'hash')).toMatchObject({ id: 1, contentHash: null });
  });
});
