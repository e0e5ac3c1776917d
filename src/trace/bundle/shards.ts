/**
 * Schema-3 payload shards: `payloads/NNNNNN.zst`, each one zstd stream that
 * holds a run of records (u16 LE id length, u64 LE body length, the id, the
 * body). Codex writes records as it goes, so a shard cut short by a crash
 * still holds every record before the cut; the stream decoder below gives us
 * those, and the records past the cut are simply missing, which is how
 * Codex 0.171.0 reports it too.
 */
import { Decompress } from 'fzstd';

export interface ShardRecords {
  /** Record id → [start, end) of its body in `bytes`. */
  readonly records: Map<string, [number, number]>;
  readonly bytes: Uint8Array;
}

export class ShardError extends Error {
  constructor(
    message: string,
    readonly causes: string[],
  ) {
    super(message);
  }
}

export function shardFileName(payloadsDir: string, shard: number): string {
  return `${payloadsDir}/${String(shard).padStart(6, '0')}.zst`;
}

/** Decompresses a shard and indexes its records; throws ShardError for data zstd itself rejects. */
export function decodeShard(compressed: Uint8Array): ShardRecords {
  const bytes = decompressTolerant(compressed);
  return { records: indexRecords(bytes), bytes };
}

/**
 * Everything the stream yields before it ends or breaks off. A stream that is
 * merely cut short is not an error here (its missing records are); data the
 * decoder cannot make sense of is.
 */
function decompressTolerant(compressed: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  try {
    stream.push(compressed, false);
  } catch (e) {
    throw new ShardError('Data corruption detected', [(e as Error)?.message ?? String(e)]);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The complete records, in order; a partial last record (the stream was cut inside it) is left out. */
function indexRecords(bytes: Uint8Array): Map<string, [number, number]> {
  const records = new Map<string, [number, number]>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 10 <= bytes.length) {
    const idLen = view.getUint16(at, true);
    const bodyLen = Number(view.getBigUint64(at + 2, true));
    const idStart = at + 10;
    const bodyStart = idStart + idLen;
    const bodyEnd = bodyStart + bodyLen;
    if (bodyEnd > bytes.length || !Number.isSafeInteger(bodyEnd)) break;
    let id: string;
    try {
      id = utf8.decode(bytes.subarray(idStart, bodyStart));
    } catch {
      break;
    }
    if (!records.has(id)) records.set(id, [bodyStart, bodyEnd]);
    at = bodyEnd;
  }
  return records;
}
