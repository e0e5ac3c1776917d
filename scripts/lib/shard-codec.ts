/**
 * Schema-3 payload shards for scripts that rewrite bundles (the oracle fuzzer):
 * a shard is one zstd stream of records `u16 LE id length, u64 LE body length,
 * id, body`. Decoding uses fzstd (as the viewer does); encoding uses the `zstd`
 * command when it is installed and otherwise writes a valid zstd frame of raw
 * (stored) blocks, so no encoder is a project dependency.
 */
import { spawnSync } from 'node:child_process';
import { decompress } from 'fzstd';

export interface ShardRecord {
  id: string;
  body: Buffer;
}

/** The complete records of a shard's decompressed bytes, plus any bytes after the last complete one. */
export function parseRecords(bytes: Buffer): { records: ShardRecord[]; rest: Buffer } {
  const records: ShardRecord[] = [];
  let at = 0;
  while (at + 10 <= bytes.length) {
    const idLen = bytes.readUInt16LE(at);
    const bodyLen = Number(bytes.readBigUInt64LE(at + 2));
    const end = at + 10 + idLen + bodyLen;
    if (!Number.isSafeInteger(end) || end > bytes.length) break;
    records.push({ id: bytes.subarray(at + 10, at + 10 + idLen).toString('utf8'), body: Buffer.from(bytes.subarray(at + 10 + idLen, end)) });
    at = end;
  }
  return { records, rest: Buffer.from(bytes.subarray(at)) };
}

export function serializeRecords(records: readonly ShardRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const id = Buffer.from(r.id, 'utf8');
    const head = Buffer.alloc(10);
    head.writeUInt16LE(id.length, 0);
    head.writeBigUInt64LE(BigInt(r.body.length), 2);
    parts.push(head, id, r.body);
  }
  return Buffer.concat(parts);
}

export function decodeShardFile(compressed: Buffer): { records: ShardRecord[]; rest: Buffer } {
  return parseRecords(Buffer.from(decompress(new Uint8Array(compressed))));
}

let zstdCli: boolean | null = null;

export function zstdCompress(bytes: Buffer): Buffer {
  if (zstdCli !== false) {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1 << 30 });
    zstdCli = r.status === 0 && !r.error;
    if (zstdCli) return r.stdout;
  }
  return storedFrame(bytes);
}

/** A single-segment zstd frame of raw blocks (no compression, no checksum). */
export function storedFrame(bytes: Buffer): Buffer {
  const header = Buffer.alloc(4 + 1 + 8);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = (3 << 6) | (1 << 5); // 8-byte frame content size, single segment
  header.writeBigUInt64LE(BigInt(bytes.length), 5);
  const parts: Buffer[] = [header];
  const MAX = 128 * 1024;
  let at = 0;
  do {
    const n = Math.min(MAX, bytes.length - at);
    const last = at + n >= bytes.length ? 1 : 0;
    const bh = Buffer.alloc(3);
    bh.writeUIntLE((n << 3) | (0 << 1) | last, 0, 3);
    parts.push(bh, bytes.subarray(at, at + n));
    at += n;
  } while (at < bytes.length);
  return Buffer.concat(parts);
}

export function encodeShardFile(records: readonly ShardRecord[], rest: Buffer = Buffer.alloc(0)): Buffer {
  return zstdCompress(Buffer.concat([serializeRecords(records), rest]));
}
