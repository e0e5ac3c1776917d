/**
 * Schema-3 payload shards: `payloads/NNNNNN.zst`, each one zstd stream that
 * holds a run of records (u16 LE id length, u64 LE body length, the id, the
 * body). Codex writes records as it goes, so a shard cut short by a crash
 * still holds every record before the cut; the stream decoder below gives us
 * those, and the records past the cut are simply missing, which is how
 * Codex 0.171.0 reports it too.
 *
 * The decoder is zstd's own C decoder compiled to WebAssembly (zstddec): on
 * the LONG_STEPS=1000 recording (86 MB in 11 shards) it takes about 0.2 s
 * where the pure-JS fzstd took 5.6 s, and unlike fzstd it checks the frame
 * checksum, so a corrupt shard is reported as corrupt rather than decoded
 * into wrong bytes. zstddec does not say which error it met, though, so a
 * shard it rejects is decoded once more by fzstd, only to name the damage the
 * way libzstd does (see `nameDamage`).
 */
import { ZSTDDecoder } from 'zstddec/stream';
import { Decompress } from 'fzstd';

export interface ShardRecords {
  /** Record id → [start, end) of its body in the decoded stream. */
  readonly records: Map<string, [number, number]>;
  readonly bytes: ChunkedBytes;
  /** Why the reference refuses the shard as a whole though zstd read it: a record id twice, or a sealed shard ending inside a record. */
  readonly refusal: { kind: 'duplicate'; id: string } | { kind: 'partial' } | null;
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

let decoder: Promise<ZSTDDecoder> | null = null;
function zstd(): Promise<ZSTDDecoder> {
  decoder ??= (async () => {
    const d = new ZSTDDecoder();
    await d.init();
    return d;
  })();
  return decoder;
}

/**
 * Starts compiling the decoder (a fetch of its inline WebAssembly and an
 * asynchronous compile, off this thread in browsers) without waiting for it:
 * called as soon as a bundle is known to have shards, so that the first shard
 * the reducer reaches does not wait for it. A failure shows at that shard.
 */
export function prepareShardDecoder(): void {
  zstd().catch(() => {});
}

/** Decompresses a shard and indexes its records; throws ShardError for data zstd itself rejects. */
export async function decodeShard(compressed: Uint8Array): Promise<ShardRecords> {
  const decoded = decompressTolerant(await zstd(), compressed);
  if (decoded === null) throw new ShardError(nameDamage(compressed), []);
  const bytes = new ChunkedBytes(decoded.chunks);
  const sealed = decoded.sealed;
  const { records, duplicate, partial } = indexRecords(bytes);
  // A crash cuts the stream, and its records up to the cut stay readable; a
  // stream that was closed properly yet ends inside a record was written wrong.
  const refusal = duplicate !== null ? ({ kind: 'duplicate', id: duplicate } as const) : partial && sealed ? ({ kind: 'partial' } as const) : null;
  return { records, bytes, refusal };
}

/**
 * zstddec's stream loop does not look at the decoder's error codes: on bad
 * data it keeps yielding empty chunks without consuming input. A run of
 * empty chunks is therefore how a decoding error shows; abandoning the
 * generator then leaks its few hundred KB of decoder state, once per
 * damaged shard.
 */
const STALLED_AFTER_EMPTY_CHUNKS = 64;

/**
 * Everything the stream yields before it ends or is cut short (a crash while
 * writing: the missing records are the error, not the shard), or null when
 * the decoder rejects the data.
 */
function decompressTolerant(d: ZSTDDecoder, compressed: Uint8Array): { chunks: Uint8Array[]; sealed: boolean } | null {
  const chunks: Uint8Array[] = [];
  let empty = 0;
  let sealed = true;
  try {
    for (const chunk of d.decodeStreaming([compressed])) {
      if (chunk.length === 0) {
        if (++empty >= STALLED_AFTER_EMPTY_CHUNKS) return null;
        continue;
      }
      empty = 0;
      chunks.push(chunk);
    }
  } catch {
    // "Incomplete stream": cut short; keep what came before the cut.
    sealed = false;
  }
  return { chunks, sealed };
}

/**
 * The decoded stream as the decoder's chunks (128 KB each), kept apart:
 * joining them meant allocating and copying the whole shard once more. A
 * slice inside one chunk is a view; one across chunks is copied.
 */
export class ChunkedBytes {
  readonly length: number;
  private readonly starts: number[] = [];
  constructor(private readonly chunks: Uint8Array[]) {
    let at = 0;
    for (const c of chunks) {
      this.starts.push(at);
      at += c.length;
    }
    this.length = at;
  }

  slice(start: number, end: number): Uint8Array {
    let i = this.chunkAt(start);
    const first = this.chunks[i];
    const from = start - this.starts[i];
    if (end - this.starts[i] <= first.length) return first.subarray(from, end - this.starts[i]);
    const out = new Uint8Array(end - start);
    let written = 0;
    for (let pos = start; pos < end; i++) {
      const c = this.chunks[i];
      const piece = c.subarray(pos - this.starts[i], Math.min(c.length, end - this.starts[i]));
      out.set(piece, written);
      written += piece.length;
      pos += piece.length;
    }
    return out;
  }

  /** The chunk holding byte `pos` (binary search over chunk starts). */
  private chunkAt(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/*
 * Codex reads shards with libzstd, whose two verdicts on damaged data are
 * "Data corruption detected" (the stream makes no sense) and "Restored data
 * doesn't match checksum" (it decoded, to other bytes). Which one a given
 * damage gets is read off the pure-JS fzstd, which verifies no checksum and
 * rejects some streams libzstd decodes. Measured on 81 copies of a recorded
 * shard with 16 bytes overwritten at random (0.171.0 as the judge): of the
 * 54 that fzstd decodes, libzstd called 53 corrupt; of the 27 fzstd rejects,
 * libzstd decoded 23 and failed their checksum.
 */
const CORRUPT = 'Data corruption detected';
const CHECKSUM_WRONG = "Restored data doesn't match checksum";

function nameDamage(compressed: Uint8Array): string {
  try {
    new Decompress(() => {}).push(compressed, true);
  } catch {
    return CHECKSUM_WRONG;
  }
  return CORRUPT;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The complete records, in order; a partial last record (the stream was cut inside it) is left out. */
function indexRecords(bytes: ChunkedBytes): { records: Map<string, [number, number]>; duplicate: string | null; partial: boolean } {
  const records = new Map<string, [number, number]>();
  let duplicate: string | null = null;
  let at = 0;
  while (at + 10 <= bytes.length) {
    const head = bytes.slice(at, at + 10);
    const view = new DataView(head.buffer, head.byteOffset, 10);
    const idLen = view.getUint16(0, true);
    const bodyLen = Number(view.getBigUint64(2, true));
    const idStart = at + 10;
    const bodyStart = idStart + idLen;
    const bodyEnd = bodyStart + bodyLen;
    if (bodyEnd > bytes.length || !Number.isSafeInteger(bodyEnd)) break;
    let id: string;
    try {
      id = utf8.decode(bytes.slice(idStart, bodyStart));
    } catch {
      break;
    }
    if (!records.has(id)) records.set(id, [bodyStart, bodyEnd]);
    else duplicate ??= id;
    at = bodyEnd;
  }
  return { records, duplicate, partial: at < bytes.length };
}
