import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBlobReadAhead } from '../src/trace/bundle/blob-read-ahead';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { MemorySource, type FileBody } from '../src/trace/bundle/source';
import { TRACES, listFiles } from './loader-helpers';

/** A dropped file whose own reads are counted, and which can be made to change on disk (its size no longer matches, its reads fail). */
class CountedFile extends File {
  static reads: string[] = [];
  broken = false;
  override get size(): number {
    return super.size + (this.broken ? 1 : 0);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    CountedFile.reads.push(this.name);
    return this.broken ? Promise.reject(new Error('NotReadableError: the file changed on disk')) : super.arrayBuffer();
  }
}

/** A fixture bundle as path → counted File, paths from the bundle's root (as a dropped bundle's are). */
function droppedBundle(name: string): Map<string, FileBody> {
  const dir = path.join(TRACES, name);
  const files = new Map<string, FileBody>();
  for (const rel of listFiles(dir, dir)) {
    if (rel === 'state.json' || rel === 'scenario.md') continue;
    files.set(rel, new CountedFile([readFileSync(path.join(dir, rel))], rel));
  }
  return files;
}

/** The payloads of long-session in the order trace.jsonl first mentions them. */
function mentioned(name: string): string[] {
  const log = readFileSync(path.join(TRACES, name, 'trace.jsonl'), 'utf8');
  return [...new Set([...log.matchAll(/"path":"([^"\\]+)"/g)].map((m) => m[1]))];
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('a bundle too large to hold, read from its files as the reducer goes', () => {
  it('reduces long-session to the reference state, reading its payloads a group at a time', async () => {
    const files = droppedBundle('long-session');
    CountedFile.reads = [];
    const source = withBlobReadAhead(new MemorySource('long-session', files), { budget: 256 << 10 });
    const result = await reduceBundle(source);
    expect(result.error).toBeNull();
    expect(serializeState(result.state!)).toBe(readFileSync(path.join(TRACES, 'long-session/state.json'), 'utf8'));
    // Only the manifest and the log are read on their own; the 430-odd payloads came in groups.
    expect(CountedFile.reads.filter((n) => n.startsWith('payloads/'))).toEqual([]);
  });

  it('reads no further ahead than its budget until the reader takes what it has', async () => {
    const files = droppedBundle('long-session');
    const order = mentioned('long-session');
    const size = (p: string) => (files.get(p) as Blob).size;
    // One file a group, so that each read ahead is a read of its own File, counted.
    const budget = size(order[0]) + size(order[1]) + 1;
    const source = withBlobReadAhead(new MemorySource('long-session', files), { budget, limits: { files: 1, bytes: 1 << 20, inFlight: 8 } });
    CountedFile.reads = [];
    await source.readText('trace.jsonl');
    for (let i = 0; i < 20; i++) await tick();
    expect(CountedFile.reads).toEqual(['trace.jsonl', ...order.slice(0, 2)]);
    // Taking the first lets the third in, not more.
    const first = await source.readFileText!(order[0]);
    expect(first?.text()).toBe(readFileSync(path.join(TRACES, 'long-session', order[0]), 'utf8'));
    for (let i = 0; i < 20; i++) await tick();
    expect(CountedFile.reads).toEqual(['trace.jsonl', ...order.slice(0, 3)]);
  });

  it('drops what the reader skipped past, and reads it on its own if asked for later', async () => {
    const files = droppedBundle('long-session');
    const order = mentioned('long-session');
    const source = withBlobReadAhead(new MemorySource('long-session', files), { budget: 1 << 20 });
    await source.readText('trace.jsonl');
    const later = await source.readFileText!(order[5]);
    expect(later?.text()).toBe(readFileSync(path.join(TRACES, 'long-session', order[5]), 'utf8'));
    CountedFile.reads = [];
    const skipped = await source.readFileText!(order[2]);
    expect(skipped?.text()).toBe(readFileSync(path.join(TRACES, 'long-session', order[2]), 'utf8'));
    expect(CountedFile.reads).toEqual([order[2]]);
    // And a body asked for twice is read again rather than lost.
    expect((await source.readFileText!(order[5]))?.text()).toBe(later?.text());
  });

  it('fails the read of a file that cannot be read, naming why, and only that one', async () => {
    const files = droppedBundle('long-session');
    const order = mentioned('long-session');
    (files.get(order[1]) as CountedFile).broken = true;
    const source = withBlobReadAhead(new MemorySource('long-session', files));
    await source.readText('trace.jsonl');
    expect((await source.readFileText!(order[0]))?.text()).toBe(readFileSync(path.join(TRACES, 'long-session', order[0]), 'utf8'));
    await expect(source.readFileText!(order[1])).rejects.toThrow(/the file changed on disk/);
    expect((await source.readFileText!(order[2]))?.text()).toBe(readFileSync(path.join(TRACES, 'long-session', order[2]), 'utf8'));
  });
});
