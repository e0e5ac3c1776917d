/**
 * Schema-3 shards decoded by our stream loop over zstd's WebAssembly decoder:
 * every record as zstd wrote it, however far the decoded stream outgrows the
 * first guess at its size, and the records before the cut of a stream cut short.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { decodeShard, ShardError } from '../src/trace/bundle/shards';
import { parseRecords } from '../scripts/lib/shard-codec';

const FIXTURES = path.resolve(__dirname, 'fixtures');

/**
 * The records test/fixtures/shards/compressible.zst holds (zstd -19 of 4.7 MiB: 2.4 KB; its frame states its size),
 * or with `n` = 3000 those of unsized.zst (48 MB in 20 KB, size not stated: past the decoder's first guess, so its buffer must grow).
 */
function expectedRecords(n = 300): { id: string; body: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `raw_payload:${i + 1}`, body: JSON.stringify({ i, text: `line ${i} `.padEnd(16_000, 'x') }) }));
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('decodeShard', () => {
  it('reads every record of a stream that decodes to two thousand times its size', async () => {
    const compressed = readFileSync(path.join(FIXTURES, 'shards/compressible.zst'));
    const shard = await decodeShard(compressed);
    const want = expectedRecords();
    expect(shard.refusal).toBeNull();
    expect(shard.records.size).toBe(want.length);
    for (const r of want) {
      const span = shard.records.get(r.id);
      expect(span, r.id).toBeDefined();
      expect(text(shard.bytes.subarray(span![0], span![1]))).toBe(r.body);
    }
  });

  it('reads every record of a stream that does not say how long it is and outgrows the first guess', async () => {
    // The guess follows the last shard's ratio: a recorded shard (about 4 to 1) first, so that it starts from an ordinary one.
    await decodeShard(readFileSync(path.join(FIXTURES, 'traces-schema3/single-turn-answer/payloads/000001.zst')));
    const shard = await decodeShard(readFileSync(path.join(FIXTURES, 'shards/unsized.zst')));
    const want = expectedRecords(3000);
    expect(shard.refusal).toBeNull();
    expect(shard.records.size).toBe(want.length);
    for (const r of want) expect(text(shard.bytes.subarray(...shard.records.get(r.id)!))).toBe(r.body);
  });

  it('keeps the records before the cut of a stream cut short, each whole', async () => {
    const compressed = readFileSync(path.join(FIXTURES, 'shards/compressible.zst'));
    const shard = await decodeShard(compressed.subarray(0, Math.floor(compressed.length * 0.6)));
    const want = new Map(expectedRecords().map((r) => [r.id, r.body]));
    // Cut short, not sealed: the partial last record is simply missing, not a refusal.
    expect(shard.refusal).toBeNull();
    expect(shard.records.size).toBeGreaterThan(0);
    expect(shard.records.size).toBeLessThan(want.size);
    for (const [id, [start, end]] of shard.records) expect(text(shard.bytes.subarray(start, end))).toBe(want.get(id));
  });

  it('decodes every recorded schema-3 shard of the fixtures to the bytes another decoder reads', async () => {
    const shards: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.zst') && !p.includes(`${path.sep}broken${path.sep}`)) shards.push(p);
      }
    };
    walk(path.join(FIXTURES, 'traces-schema3'));
    expect(shards.length).toBeGreaterThan(10);
    for (const file of shards) {
      const compressed = readFileSync(file);
      const shard = await decodeShard(compressed);
      const other = parseRecords(Buffer.from(decompress(compressed)));
      expect(shard.records.size, file).toBe(other.records.length);
      for (const r of other.records) {
        const [start, end] = shard.records.get(r.id)!;
        expect(Buffer.from(shard.bytes.subarray(start, end)).equals(r.body), `${file} ${r.id}`).toBe(true);
      }
    }
  });

  it('refuses a stream whose bytes were damaged, naming it as libzstd does', async () => {
    const compressed = Buffer.from(readFileSync(path.join(FIXTURES, 'shards/compressible.zst')));
    for (let i = 100; i < 116; i++) compressed[i] ^= 0x5a;
    const failure = await decodeShard(compressed).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ShardError);
    expect(['Data corruption detected', "Restored data doesn't match checksum"]).toContain((failure as ShardError).message);
  });
});
