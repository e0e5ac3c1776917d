/**
 * An idle worker writes the zstd decoder's memory ahead (`prepareDecoderMemory`),
 * so that the first schema-3 bundle dropped does not pay for it. A drop can
 * interrupt that at any step: the shard it decodes, then and later, must come
 * out exactly as zstd wrote it, with the decoder's memory left in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeShard, prepareDecoderMemory } from '../src/trace/bundle/shards';

const SHARD = new Uint8Array(readFileSync(path.resolve(__dirname, 'fixtures/traces-schema3/long-session/payloads/000001.zst')));

/** What a decode gave, comparable at once: a deep comparison of 6 MB of bytes takes minutes. */
async function decoded() {
  const { records, bytes, refusal } = await decodeShard(SHARD);
  return { records: JSON.stringify([...records]), length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), refusal };
}

describe('the decoder’s memory written ahead', () => {
  it('a drop that interrupts it decodes its shard exactly, and so do the shards after', async () => {
    const want = await decoded();
    expect(want.length).toBeGreaterThan(5 << 20);
    const drop = new AbortController();
    let steps = 0;
    let duringDrop: Awaited<ReturnType<typeof decoded>> | null = null;
    await prepareDecoderMemory(drop.signal, async () => {
      steps++;
      if (steps === 2) {
        drop.abort();
        duringDrop = await decoded();
      }
    });
    expect(steps).toBe(2);
    expect(duringDrop).toEqual(want);
    for (let i = 0; i < 3; i++) expect(await decoded()).toEqual(want);
  });

  it('written whole, it leaves every later shard as zstd wrote it', async () => {
    const want = await decoded();
    let steps = 0;
    await prepareDecoderMemory(new AbortController().signal, async () => {
      steps++;
    });
    expect(steps).toBe(8);
    for (let i = 0; i < 3; i++) expect(await decoded()).toEqual(want);
  });
});
