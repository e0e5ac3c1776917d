import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GROUP_LIMITS, groupBlobs, readGrouped, type GroupRead } from '../src/trace/bundle/blob-groups';
import { singleBundleFiles, type InputFile } from '../src/trace/bundle/scan';
import { MemorySource } from '../src/trace/bundle/source';
import { streamFiles } from '../src/worker/stream';
import type { BytesEntry } from '../src/worker/protocol';
import { TRACES, folderInputs } from './loader-helpers';

/** A dropped file whose own reads are counted: each is a round trip to the browser's process. */
class CountedFile extends File {
  static reads = 0;
  override arrayBuffer(): Promise<ArrayBuffer> {
    CountedFile.reads++;
    return super.arrayBuffer();
  }
}

/** A file moved or changed since the drop: its size no longer matches, and reading it fails. */
class GoneFile extends File {
  override get size(): number {
    return super.size + 1;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.reject(new Error('NotReadableError: the file changed on disk'));
  }
}

const counted = (inputs: InputFile[]) =>
  inputs.map((f) => ({ path: f.path, file: new CountedFile([readFileSync(path.join(TRACES, f.path))], path.basename(f.path)) }));

const bytesOf = (rel: string) => new Uint8Array(readFileSync(path.join(TRACES, rel)));

describe('reading dropped files a group at a time', () => {
  it('gives each of long-session’s 440 files its exact bytes without one read per file', async () => {
    const files = counted(folderInputs('long-session'));
    expect(files.length).toBeGreaterThan(400);
    CountedFile.reads = 0;
    const got = new Map<string, Uint8Array>();
    let deliveries = 0;
    await readGrouped(files, (group) => {
      deliveries++;
      for (const { item, body } of group) {
        if (body instanceof Error) throw body;
        got.set(item.path, body);
      }
    });
    expect(CountedFile.reads).toBe(0);
    expect(deliveries).toBe(Math.ceil(files.length / GROUP_LIMITS.files));
    expect(got.size).toBe(files.length);
    for (const f of files) expect(Buffer.from(got.get(f.path)!).equals(Buffer.from(bytesOf(f.path)))).toBe(true);
  });

  it('reads a file larger than a group’s bytes alone, and keeps the order given', () => {
    const small = (n: number) => ({ path: `p/${n}`, file: new Blob([new Uint8Array(10)]) });
    const big = { path: 'big', file: new Blob([new Uint8Array(100)]) };
    const groups = groupBlobs([small(1), small(2), big, small(3)], { files: 64, bytes: 50 });
    expect(groups.map((g) => g.map((i) => i.path))).toEqual([['p/1', 'p/2'], ['big'], ['p/3']]);
  });

  it('a file that cannot be read fails alone, naming itself, and its group’s other files still arrive', async () => {
    const files = counted(folderInputs('single-turn-answer'));
    const victim = files.find((f) => f.path.endsWith('trace.jsonl'))!;
    const withGone = files.map((f) => (f === victim ? { path: f.path, file: new GoneFile([bytesOf(f.path)], 'trace.jsonl') } : f));
    const reads: GroupRead<(typeof withGone)[number]>[] = [];
    await readGrouped(withGone, (group) => reads.push(...group));
    expect(reads).toHaveLength(files.length);
    for (const { item, body } of reads) {
      if (item === withGone.find((f) => f.path === victim.path)) expect(body instanceof Error && body.message).toContain('NotReadableError');
      else expect(Buffer.from(body as Uint8Array).equals(Buffer.from(bytesOf(item.path)))).toBe(true);
    }
  });

  it('streams a bundle as one message per group, each carrying its one buffer for all its files', async () => {
    const bundle = singleBundleFiles(folderInputs('long-session'))!;
    const messages: { entries: BytesEntry[]; transfer: ArrayBuffer[] }[] = [];
    await streamFiles(bundle, { live: () => true, send: (entries, transfer) => messages.push({ entries, transfer }) });
    // The reducer's order: the manifest and the event log come first, alone, so that it starts before any payload is read.
    expect(messages).toHaveLength(1 + Math.ceil((bundle.length - 2) / GROUP_LIMITS.files));
    expect(messages[0].entries.map((e) => e.path)).toEqual(['manifest.json', 'trace.jsonl']);
    for (const { entries, transfer } of messages) {
      expect(transfer).toHaveLength(1);
      for (const e of entries) expect('data' in e && e.data.buffer).toBe(transfer[0]);
    }
    expect(messages.flatMap((m) => m.entries.map((e) => e.path)).sort()).toEqual(bundle.map((f) => f.path).sort());
  });

  it('stops reading once the load is no longer live', async () => {
    const bundle = singleBundleFiles(folderInputs('long-session'))!;
    let sent = 0;
    await streamFiles(bundle, { live: () => sent === 0, send: () => sent++ });
    expect(sent).toBe(1);
  });

  it('a materialised source holds every file’s bytes, read a group at a time', async () => {
    const files = folderInputs('single-turn-answer');
    const source = new MemorySource('s', new Map(files.map((f) => [f.path, new CountedFile([bytesOf(f.path)], 'x')] as const)));
    CountedFile.reads = 0;
    await source.materialize(source.paths());
    expect(CountedFile.reads).toBe(0);
    for (const f of files) expect(Buffer.from((await source.readBytes(f.path))!).equals(Buffer.from(bytesOf(f.path)))).toBe(true);
  });

  it('a materialised source leaves an unreadable file to fail at its own read', async () => {
    const files = folderInputs('single-turn-answer');
    const victim = files.find((f) => /payloads\//.test(f.path))!;
    const source = new MemorySource('s', new Map(files.map((f) => [f.path, new (f === victim ? GoneFile : File)([bytesOf(f.path)], 'x')] as const)));
    await source.materialize(source.paths());
    for (const f of files) {
      if (f === victim) await expect(source.readBytes(f.path)).rejects.toThrow('NotReadableError');
      else expect(Buffer.from((await source.readBytes(f.path))!).equals(Buffer.from(bytesOf(f.path)))).toBe(true);
    }
  });
});
