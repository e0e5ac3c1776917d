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
import { payloadStoreFor } from '../src/trace/bundle/payloads';
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
});
