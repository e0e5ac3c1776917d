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
 * into wrong bytes. The stream loop is ours (over zstddec's instance), so
 * that a shard decodes into one buffer. A shard zstd rejects is decoded once
 * more by fzstd, only to name the damage the way Codex's libzstd does (see
 * `nameDamage`, whose rule was measured against Codex 0.171.0).
 */
// Both decoders are imported when first needed: only schema 3 has shards, and zstddec's inline
// WebAssembly alone is a quarter of what a worker would otherwise evaluate before its first message.

export interface ShardRecords {
  /** Record id → [start, end) of its body in the decoded stream. */
  readonly records: Map<string, [number, number]>;
  /** The decoded stream, in one buffer: a record is a view of it. */
  readonly bytes: Uint8Array;
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

/** The zstd functions of zstddec's WebAssembly module that the loop below calls. */
interface ZstdExports {
  memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  ZSTD_decompressStream(dctx: number, output: number, input: number): number;
}

let decoder: Promise<ZstdExports> | null = null;
function zstd(): Promise<ZstdExports> {
  decoder ??= (async () => {
    const { ZSTDDecoder } = await import('zstddec/stream');
    let exports: ZstdExports | null = null;
    /**
     * zstddec's decoder, holding on to its WebAssembly instance: its own stream
     * loop hands out every 128 KB of output in a fresh buffer, and fresh memory is
     * what a browser's reduction of a large schema-3 bundle spent most of its time
     * on (a Chromium worker here: 3.6–6.8 s per GiB allocated, 36 ms per GiB copied
     * into a buffer it already has; Node 0.7–3 s). `_init` is part of its typings.
     */
    class InstanceDecoder extends ZSTDDecoder {
      override _init(result: Parameters<InstanceType<typeof ZSTDDecoder>['_init']>[0]): void {
        exports = (result as unknown as { instance: { exports: ZstdExports } }).instance.exports;
        super._init(result);
      }
    }
    await new InstanceDecoder().init();
    if (!exports) throw new Error('the zstd decoder did not start');
    return exports;
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

/**
 * The decoder's own memory that a shard's decoding writes: the window of a
 * Codex shard (closed at about 8 MiB) and the loop's output step. The module
 * starts with 16 MiB of memory, none of it written yet.
 */
const DECODER_PREPARED_BYTES = 8 << 20;
/** Written a step at a time, a task apart: a message waits at most a step. */
const DECODER_PREPARE_STEP = 1 << 20;
let decoderMemoryPrepared = false;

/**
 * Writes the decoder's memory once, ahead, for the first shard: a page's
 * first write is where the time goes, not the decoding. In Node, the
 * schema-3 long-session's shard (6 MB decoded) took 25–30 ms to decode the
 * first time and 2–3 ms after, whether its code ran baseline or optimised,
 * and 8 MiB written ahead made that first time 2–3 ms too; in a Chromium
 * worker, that bundle's first drop reduced in 97–119 ms rather than
 * 111–151. The block is freed the moment `signal` aborts, so a job that
 * starts decoding meanwhile has all of the decoder's memory.
 */
export async function prepareDecoderMemory(signal: AbortSignal, nextTask: () => Promise<void>): Promise<void> {
  if (decoderMemoryPrepared || signal.aborted) return;
  const z = await zstd();
  if (signal.aborted) return;
  const at = z.malloc(DECODER_PREPARED_BYTES);
  if (at === 0) return;
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    z.free(at);
  };
  signal.addEventListener('abort', release, { once: true });
  try {
    for (let done = 0; held && done < DECODER_PREPARED_BYTES; done += DECODER_PREPARE_STEP) {
      // A view made after each wait: the module's memory may have grown meanwhile, replacing its buffer.
      new Uint8Array(z.memory.buffer, at + done, Math.min(DECODER_PREPARE_STEP, DECODER_PREPARED_BYTES - done)).fill(0);
      await nextTask();
    }
    if (held) decoderMemoryPrepared = true;
  } finally {
    signal.removeEventListener('abort', release);
    release();
  }
}

/**
 * The buffer a shard is expected to decode into: as large as the last shard's
 * ratio says, and at least MIN_GUESS, but never more than its frames can hold.
 * Memory a buffer never writes to costs nothing but address space, while a
 * buffer grown part way is fresh memory written twice: a first shard guessed
 * at the default ratio grew four times.
 */
function shardCapacity(compressed: Uint8Array): number {
  const byRatio = Math.max(STEP_OUT, Math.ceil(compressed.length * lastRatio * 1.05));
  const bound = decodedBound(compressed);
  return bound === null ? byRatio : Math.max(STEP_OUT, Math.min(bound, Math.max(byRatio, MIN_GUESS)));
}

/** The least a shard's buffer is guessed at, where its frames allow: Codex closes a shard at about 8 MiB. */
const MIN_GUESS = 16 << 20;
/** Most bytes a zstd block decodes to (the format's Block_Maximum_Size). */
const BLOCK_MAX = 128 << 10;

/**
 * At most how many bytes the zstd frames of `c` decode to, read from their
 * headers: 128 KiB per compressed block and their own size for raw and RLE
 * blocks, or a frame's stated content size where that is less. Null where the
 * bytes are not zstd frames; a stream cut short is bounded by what it has.
 */
function decodedBound(c: Uint8Array): number | null {
  const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
  let at = 0;
  let bound = 0;
  while (at + 4 <= c.length) {
    const magic = view.getUint32(at, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: its length, then bytes that decode to nothing.
      if (at + 8 > c.length) break;
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== 0xfd2fb528 || at + 5 > c.length) return null;
    const descriptor = c[at + 4];
    const single = (descriptor >> 5) & 1;
    const sizeBytes = [single, 2, 4, 8][descriptor >> 6];
    at += 5 + (single ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
    let stated = Infinity;
    if (sizeBytes > 0 && at + sizeBytes <= c.length) {
      stated = sizeBytes === 2 ? 256 : 0; // a two-byte size counts from 256
      for (let i = sizeBytes - 1; i >= 0; i--) stated += c[at + i] * 256 ** i;
    }
    at += sizeBytes;
    let blocks = 0;
    let last = false;
    while (!last && at + 3 <= c.length) {
      const header = c[at] | (c[at + 1] << 8) | (c[at + 2] << 16);
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      blocks += type === 2 ? BLOCK_MAX : size;
      at += 3 + (type === 1 ? 1 : size);
    }
    bound += Math.min(stated, blocks);
    if (!last) break;
    if ((descriptor >> 2) & 1) at += 4;
  }
  return bound;
}

/**
 * Decompresses a shard and indexes its records; throws ShardError for data zstd
 * itself rejects. `spareOf`: a buffer of at least the given size that nobody
 * reads any more, to decode into, since fresh memory is what decoding cost most.
 */
export async function decodeShard(compressed: Uint8Array, spareOf?: (size: number) => Uint8Array | undefined): Promise<ShardRecords> {
  const decoded = decompressTolerant(await zstd(), compressed, spareOf);
  if (decoded === null) throw new ShardError(await nameDamage(compressed), []);
  const { bytes, sealed } = decoded;
  const { records, duplicate, partial } = indexRecords(bytes);
  // A crash cuts the stream, and its records up to the cut stay readable; a
  // stream that was closed properly yet ends inside a record was written wrong.
  const refusal = duplicate !== null ? ({ kind: 'duplicate', id: duplicate } as const) : partial && sealed ? ({ kind: 'partial' } as const) : null;
  return { records, bytes, refusal };
}

/** Output the decoder writes per call, in its own memory, before it is copied out. */
const STEP_OUT = 1 << 20;
/** Decoded bytes per compressed byte last seen: the next shard's buffer is sized by it, so that it is rarely grown. */
let lastRatio = 8;

/**
 * The whole decoded stream in one buffer (so that a record is always a view,
 * never copied across pieces), whether it ends or is cut short (a crash while
 * writing: the missing records are the error, not the shard), or null when
 * zstd rejects the data. libzstd's errors are the sizes from -1 to -120.
 */
function decompressTolerant(
  z: ZstdExports,
  compressed: Uint8Array,
  spareOf?: (size: number) => Uint8Array | undefined,
): { bytes: Uint8Array; sealed: boolean } | null {
  const expected = shardCapacity(compressed);
  // A fresh buffer has room to spare, so that it can take a next shard a little larger than this one.
  let out = spareOf?.(expected) ?? new Uint8Array(Math.ceil(expected * 1.2));
  let length = 0;
  const src = z.malloc(compressed.length);
  const dst = z.malloc(STEP_OUT);
  // ZSTD_inBuffer and ZSTD_outBuffer: { pointer, size, pos }, 32-bit each.
  const inBuf = z.malloc(12);
  const outBuf = z.malloc(12);
  const dctx = z.ZSTD_createDCtx();
  try {
    new Uint8Array(z.memory.buffer).set(compressed, src);
    // The buffers' fields as indexes into the module's memory, read as 32-bit words.
    const [IN, OUT] = [inBuf >> 2, outBuf >> 2];
    const words = () => new Uint32Array(z.memory.buffer);
    let w = words();
    w[IN] = src;
    w[IN + 1] = compressed.length;
    w[IN + 2] = 0;
    let ret = 0;
    let full = false;
    // More to do while input is left, or while the last call filled the output (the decoder may hold more).
    while (w[IN + 2] < compressed.length || full) {
      w[OUT] = dst;
      w[OUT + 1] = STEP_OUT;
      w[OUT + 2] = 0;
      const before = w[IN + 2];
      ret = z.ZSTD_decompressStream(dctx, outBuf, inBuf);
      if (ret < 0 && ret >= -120) return null;
      // The call may have grown the module's memory, which replaces its buffer.
      w = words();
      const produced = w[OUT + 2];
      full = produced === STEP_OUT;
      if (produced > 0) {
        if (length + produced > out.length) {
          const grown = new Uint8Array(Math.max(out.length * 2, length + produced));
          grown.set(out.subarray(0, length));
          out = grown;
        }
        out.set(new Uint8Array(z.memory.buffer, dst, produced), length);
        length += produced;
      } else if (w[IN + 2] === before && !full) break; // no progress: nothing more comes of this input
    }
    if (compressed.length > 0) lastRatio = Math.max(1, length / compressed.length);
    // A frame not finished when the input ends: the stream was cut short.
    return { bytes: out.subarray(0, length), sealed: ret === 0 };
  } finally {
    z.ZSTD_freeDCtx(dctx);
    z.free(src);
    z.free(dst);
    z.free(inBuf);
    z.free(outBuf);
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

async function nameDamage(compressed: Uint8Array): Promise<string> {
  const { Decompress } = await import('fzstd');
  try {
    new Decompress(() => {}).push(compressed, true);
  } catch {
    return CHECKSUM_WRONG;
  }
  return CORRUPT;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The complete records, in order; a partial last record (the stream was cut inside it) is left out. */
function indexRecords(bytes: Uint8Array): { records: Map<string, [number, number]>; duplicate: string | null; partial: boolean } {
  const records = new Map<string, [number, number]>();
  let duplicate: string | null = null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
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
    else duplicate ??= id;
    at = bodyEnd;
  }
  return { records, duplicate, partial: at < bytes.length };
}
