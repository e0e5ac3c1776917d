/**
 * The schema-3 payload store decodes later shards into the memory of shards it
 * has evicted, but only once the reader has said it holds nothing read before
 * (`release`, between two events): a body read earlier stays as it was read
 * however many shards are loaded after it, and after the release the memory is
 * reused. The bundle: long-session's records over twelve shards of 4 MiB each
 * (test/fixtures/synthetic-schema3/shards-outgrow-the-cache), more than the
 * store keeps decoded at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { payloadStoreFor, prepareShardMemory } from '../src/trace/bundle/payloads';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import type { RawPayloadRef } from '../src/trace/schema/common';

const BUNDLE = path.resolve(__dirname, 'fixtures/synthetic-schema3/shards-outgrow-the-cache');

/** One plain (not composite) payload ref per shard, in shard order. */
function refPerShard(): RawPayloadRef[] {
  const byShard = new Map<number, RawPayloadRef>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const r = v as RawPayloadRef;
      if (typeof r.raw_payload_id === 'string' && r.shard !== undefined && !r.parts && !byShard.has(r.shard)) byShard.set(r.shard, r);
      Object.values(v).forEach(visit);
    }
  };
  for (const line of readFileSync(path.join(BUNDLE, 'trace.jsonl'), 'utf8').split('\n')) if (line.trim()) visit(JSON.parse(line));
  return [...byShard.keys()].sort((a, b) => a - b).map((n) => byShard.get(n)!);
}

async function readAll(refs: RawPayloadRef[], releaseBetween: boolean) {
  const store = payloadStoreFor(new DirectorySource(BUNDLE), 'shards');
  const bodies = [];
  for (const ref of refs) {
    const read = await store.read(ref);
    if ('problem' in read) throw new Error(read.problem.message);
    bodies.push(read.body);
    if (releaseBetween) store.release?.();
  }
  return bodies;
}

describe('shard memory reuse', () => {
  const refs = refPerShard();

  // First in this file: the stores below leave buffers of their own for later stores.
  it('memory written ahead (an idle worker’s warm-up) is what the next store’s first shard decodes into, and reads as written', async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    await prepareShardMemory(cancelled.signal, async () => {});
    const want = (await readAll([refs[0]], false))[0];
    expect(want.bytes!.buffer.byteLength).not.toBe(16 << 20);
    await prepareShardMemory(new AbortController().signal, async () => {});
    const [got] = await readAll([refs[0]], false);
    expect(got.bytes!.buffer.byteLength).toBe(16 << 20);
    expect(Buffer.from(got.bytes!).equals(Buffer.from(want.bytes!))).toBe(true);
  });

  it('leaves a body as it was read while later shards load, until the reader releases', async () => {
    expect(refs.length).toBe(12);
    // What each record holds: read by a store of its own, which loads no other shard.
    const want = await Promise.all(refs.map(async (ref) => Buffer.from((await readAll([ref], false))[0].bytes!)));
    const held = await readAll(refs, false);
    for (let i = 0; i < refs.length; i++) expect(Buffer.from(held[i].bytes!).equals(want[i]), refs[i].raw_payload_id).toBe(true);
  });

  it('reuses the memory of shards let go once the reader releases', async () => {
    const bodies = await readAll(refs, true);
    const buffers = new Set(bodies.map((b) => b.bytes!.buffer));
    // Twelve shards decoded into fewer buffers than that.
    expect(buffers.size).toBeLessThan(refs.length);
  });

  it('a closed store leaves its memory to the next store, which decodes into it', async () => {
    const first = payloadStoreFor(new DirectorySource(BUNDLE), 'shards');
    const read = await first.read(refs[0]);
    if ('problem' in read) throw new Error(read.problem.message);
    const memory = read.body.bytes!.buffer;
    first.close?.();
    const next = payloadStoreFor(new DirectorySource(BUNDLE), 'shards');
    const again = await next.read(refs[1]);
    if ('problem' in again) throw new Error(again.problem.message);
    // Compared by identity: a failure printing two buffers of 20 MB would take a minute.
    expect(again.body.bytes!.buffer === memory).toBe(true);
    // That memory is the new store's alone: a next shard loaded without a release leaves the body as it was read.
    const asRead = Buffer.from(again.body.bytes!);
    const later = await next.read(refs[2]);
    if ('problem' in later) throw new Error(later.problem.message);
    expect(later.body.bytes!.buffer === memory).toBe(false);
    expect(Buffer.from(again.body.bytes!).equals(asRead)).toBe(true);
  });

  it('reductions one after another, each decoding into the last one’s memory, give the official states, and an earlier state stays as it was', async () => {
    const TRACES3 = path.resolve(__dirname, 'fixtures/traces-schema3');
    const dirOf = (name: string) => (name === 'shards-outgrow-the-cache' ? BUNDLE : path.join(TRACES3, name));
    const official = (name: string) => readFileSync(path.join(dirOf(name), 'state.json'), 'utf8');
    const reduce = async (name: string) => (await reduceBundle(new DirectorySource(dirOf(name)))).state!;
    const first = await reduce('long-session');
    expect(serializeState(first)).toBe(official('long-session'));
    // The twelve-shard bundle keeps several shards decoded at once: a buffer handed to two of them would mix their records.
    for (const name of ['multi-turn-manual-compact', 'shards-outgrow-the-cache', 'compaction-remote', 'long-session'])
      expect(serializeState(await reduce(name)), name).toBe(official(name));
    expect(serializeState(first)).toBe(official('long-session'));
  });
});
