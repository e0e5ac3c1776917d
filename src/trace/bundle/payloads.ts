/**
 * Where a payload's text comes from, hidden behind one interface: a file per
 * payload (schemas 1 and 2) or records in zstd shards, some of them composite
 * (schema 3). The reducer, the worker and the viewer read payloads only
 * through this, so none of them knows how a generation stores them.
 */
import type { RawPayloadRef } from '../schema/common';
import { bytesText, decodedText, readFileText, type BundleSource, type FileText } from './source';
import { isCertainlyJson } from '../json/validate';
import { parseJsonFast } from '../json/lossless';
import { decodeShard, prepareShardDecoder, ShardError, shardFileName, type ShardRecords } from './shards';
import { KnownSkeletons } from './skeletons';

/** Why a payload could not be read, located at the file that failed. */
export interface PayloadProblem {
  file: string;
  message: string;
  causes: string[];
}

/** A payload's body: a file's bytes decoded as far as the reader asks (a request is mostly the previous one), or text. */
export type PayloadRead = { body: FileText } | { problem: PayloadProblem };

export interface PayloadStore {
  /** Two refs with the same key read the same text (used to read each payload once per event). */
  key(ref: RawPayloadRef): string;
  read(ref: RawPayloadRef): Promise<PayloadRead>;
  /** The bundle files this store reads for the given refs (for hashing, exports and progress). */
  files(refs: Iterable<RawPayloadRef>): string[];
  /**
   * Whether a payload is there and JSON as `parseJsonFast` reads it, without
   * necessarily building its text (for payloads nobody reads during the
   * replay); for a composite, the first part (depth first, in order) that is
   * not JSON is the one named.
   */
  check?(ref: RawPayloadRef): Promise<PayloadCheck>;
  /**
   * Whether the payload (and each of its parts) is there yet, for a replay
   * that follows a bundle being written: a payload not there may be late.
   */
  present?(ref: RawPayloadRef): Promise<boolean>;
  /** The bundle's files may have grown: drop what was read of them that may be incomplete. */
  refresh?(): void;
  /**
   * The reader holds no body read before this call (the replay calls it
   * between events): memory of what the store no longer keeps may be reused.
   */
  release?(): void;
  /**
   * The reader is done with the store and holds none of its bodies: memory
   * it decoded into may serve the next store (a store that reads on after
   * this is correct, only slower).
   */
  close?(): void;
}

export type PayloadCheck = { ok: true } | { problem: PayloadProblem } | { notJson: { id: string; error: Error } };

/** Where a user finds the payload: its file, or its shard and record id. */
export function payloadLocation(ref: RawPayloadRef, payloadsDir = 'payloads'): string {
  if (ref.path !== undefined) return ref.path;
  return `${shardFileName(payloadsDir, ref.shard ?? 0)}#${ref.raw_payload_id}`;
}

export function payloadStoreFor(source: BundleSource, storage: 'files' | 'shards', payloadsDir = 'payloads'): PayloadStore {
  return storage === 'files' ? new FilePayloads(source) : new ShardPayloads(source, payloadsDir);
}

class FilePayloads implements PayloadStore {
  constructor(private readonly source: BundleSource) {}
  key(ref: RawPayloadRef): string {
    return ref.path ?? '';
  }
  async read(ref: RawPayloadRef): Promise<PayloadRead> {
    const file = ref.path ?? '';
    let body: FileText | null;
    try {
      body = await readFileText(this.source, file);
    } catch (e) {
      return { problem: { file, message: `read payload ${ref.raw_payload_id}`, causes: [(e as Error).message] } };
    }
    if (body === null) return { problem: { file, message: `open payload ${ref.raw_payload_id}`, causes: [`No such file: ${file || '(empty path)'}`] } };
    return { body };
  }
  files(refs: Iterable<RawPayloadRef>): string[] {
    const out = new Set<string>();
    for (const r of refs) if (r.path) out.add(r.path);
    return [...out];
  }
  async present(ref: RawPayloadRef): Promise<boolean> {
    // The source keeps what it read, so the read that follows costs nothing more. As bytes: decoding every
    // payload here, only to decode it again in `read`, took a served trace's worker 98 ms of 480.
    return (await this.source.readBytes(ref.path ?? '').catch(() => null)) !== null;
  }
}

/** A shard record's bytes, or why they could not be had. */
type RecordRead = { bytes: Uint8Array } | { problem: PayloadProblem };

/** A shard record's identity for the caches: ids are unique within a shard. */
const recordKey = (ref: RawPayloadRef) => `${ref.shard ?? 0}/${ref.raw_payload_id}`;

/** Composite payloads may nest; deeper than this is refused rather than risking the stack. */
const MAX_PART_DEPTH = 64;
/**
 * Decoded record texts kept for reuse, in characters. A model item is a part
 * of every later request that re-sends it, so a long session decodes the
 * same records hundreds of times; a bounded cache keeps that to once while
 * memory stays flat however long the session.
 */
const TEXT_CACHE_CHARS = 4 * 1024 * 1024;
/**
 * Longest text kept: model items, the records read again and again, are
 * small; a whole request is read once, and keeping it only meant the
 * garbage collector moved it to the old generation before dropping it.
 */
const TEXT_CACHE_MAX_CHARS = 16 * 1024;
/**
 * Decoded shards kept at once, in bytes (the one being read is always kept).
 * Records are read mostly in the order they were written, so a shard is
 * rarely needed again once the replay has moved past it; one that is, is
 * decoded again rather than every shard staying in memory for the whole run.
 */
const SHARD_CACHE_BYTES = 16 * 1024 * 1024;
/** Buffers of evicted shards kept to decode into. */
const SPARE_SHARDS = 2;
/** Largest buffer a closed store leaves for the next one: larger ones are a rare bundle's, let go. */
const POOLED_MAX_BYTES = 64 << 20;

/**
 * Buffers of closed stores (and `prepareShardMemory`'s), for the next
 * store's first shards: a worker's every load is a new store, and the
 * schema-3 long-session's one shard (6 MB decoded), dropped first on a page,
 * took 52–61 ms to decode into fresh memory and 31–36 ms into memory already
 * written, out of a reduction of about 150 ms. At most SPARE_SHARDS, the
 * largest kept.
 */
const pooled: Uint8Array[] = [];

function pool(buffer: Uint8Array): void {
  if (buffer.length > POOLED_MAX_BYTES || pooled.some((b) => b.buffer === buffer.buffer)) return;
  keepLargest(pooled, buffer);
}

/** Adds `buffer` to `buffers`, at most SPARE_SHARDS of them, the largest kept: a buffer too small for the next shard is no use. */
function keepLargest(buffers: Uint8Array[], buffer: Uint8Array): void {
  if (buffers.length < SPARE_SHARDS) buffers.push(buffer);
  else {
    const smallest = buffers.reduce((m, b, i) => (b.length < buffers[m].length ? i : m), 0);
    if (buffers[smallest].length < buffer.length) buffers[smallest] = buffer;
  }
}

/** What `prepareShardMemory` writes: Codex closes a shard at about 8 MiB, and a shard's buffer is guessed at 16 MiB at most where its frames allow. */
const PREPARED_BYTES = 16 << 20;
/** Written a step at a time, a task apart: a message waits at most a step (a few ms). */
const PREPARE_STEP = 1 << 20;

/**
 * Memory written ahead, in the pool, for the first shard of the next store:
 * an idle worker's time, spent before a drop rather than in it. Resolves
 * early when `signal` aborts; nothing is pooled then.
 */
export async function prepareShardMemory(signal: AbortSignal, nextTask: () => Promise<void>): Promise<void> {
  if (pooled.some((b) => b.length >= PREPARED_BYTES)) return;
  const buffer = new Uint8Array(PREPARED_BYTES);
  for (let at = 0; at < buffer.length; at += PREPARE_STEP) {
    if (signal.aborted) return;
    buffer.fill(1, at, at + PREPARE_STEP);
    await nextTask();
  }
  if (!signal.aborted) pool(buffer);
}

/** The smallest buffer of at least `size` bytes among `buffers`, taken out of them. */
function takeFitting(buffers: Uint8Array[], size: number): Uint8Array | undefined {
  let best = -1;
  for (let i = 0; i < buffers.length; i++) if (buffers[i].length >= size && (best < 0 || buffers[i].length < buffers[best].length)) best = i;
  return best < 0 ? undefined : buffers.splice(best, 1)[0];
}

class ShardPayloads implements PayloadStore {
  private readonly shards = new Map<number, Promise<ShardRecords | PayloadProblem>>();
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly texts = new Map<string, string>();
  /** Each shard in `shards` that decoded: its size counts towards the cache, and its buffer is reused once evicted. */
  private readonly decoded = new Map<number, ShardRecords>();
  private shardBytes = 0;
  /** Buffers of evicted shards a reader may still hold records of, until `release`. */
  private evicted: Uint8Array[] = [];
  /**
   * Buffers of evicted shards nobody reads, decoded into again: in a browser
   * worker, fresh memory cost 3.6–6.8 s per GiB, and a replay reads shards in
   * order, each once, so a couple of them serve a whole bundle.
   */
  private spare: Uint8Array[] = [];
  /**
   * Records (and composites with all their parts) found present: a shard only
   * grows, so they stay. Without this, each prompt's check walked its parts
   * through every older shard, decoding evicted shards again, event after event.
   */
  private readonly presentKeys = new Set<string>();
  /** Payloads already checked to be JSON (or not), by shard and id. */
  private readonly checked = new Map<string, PayloadCheck>();
  /** Composite records known to be well formed with a JSON skeleton, by their bytes. */
  private readonly skeletons = new KnownSkeletons();
  private textChars = 0;
  constructor(
    private readonly source: BundleSource,
    private readonly dir: string,
  ) {
    prepareShardDecoder();
  }

  /** A record's text, decoded once while it stays in the cache (oldest first out). */
  private text(id: string, bytes: Uint8Array): string {
    const hit = this.texts.get(id);
    if (hit !== undefined) return hit;
    const text = this.decoder.decode(bytes);
    if (text.length <= TEXT_CACHE_MAX_CHARS) {
      this.texts.set(id, text);
      this.textChars += text.length;
      for (const [k, v] of this.texts) {
        if (this.textChars <= TEXT_CACHE_CHARS) break;
        this.texts.delete(k);
        this.textChars -= v.length;
      }
    }
    return text;
  }

  key(ref: RawPayloadRef): string {
    return ref.raw_payload_id;
  }

  async read(ref: RawPayloadRef): Promise<PayloadRead> {
    if (!ref.parts) {
      const record = await this.record(ref);
      if ('problem' in record) return record;
      const key = recordKey(ref);
      const bytes = record.bytes;
      // Bytes decoded as far as the reader asks: a request recorded whole repeats the previous one but for its tail.
      return { body: bytesText(bytes, (b) => (b === bytes ? this.text(key, b) : this.decoder.decode(b))) };
    }
    const read = await this.resolve(ref, 0);
    return 'problem' in read ? read : { body: decodedText(read.text) };
  }

  async present(ref: RawPayloadRef, depth = 0): Promise<boolean> {
    if (depth > MAX_PART_DEPTH) return true; // refused by the read, not waited for
    const key = recordKey(ref);
    if (this.presentKeys.has(key)) return true;
    if ('problem' in (await this.locate(ref))) return false;
    for (const part of ref.parts ?? []) if (!(await this.present(part, depth + 1))) return false;
    this.presentKeys.add(key);
    return true;
  }

  refresh(): void {
    // Records once read never change (a shard only grows), so decoded texts and verdicts stay.
    for (const loaded of this.decoded.values()) this.evict(loaded.bytes);
    this.shards.clear();
    this.decoded.clear();
    this.shardBytes = 0;
  }

  private evict(bytes: Uint8Array): void {
    // A reader that never releases (the viewer's) only loses the reuse: the oldest are forgotten, not held.
    if (this.evicted.length >= SPARE_SHARDS * 2) this.evicted.shift();
    this.evicted.push(bytes);
  }

  /** The smallest spare buffer of at least `size` bytes, this store's own or a closed store's. */
  private takeSpare(size: number): Uint8Array | undefined {
    return takeFitting(this.spare, size) ?? takeFitting(pooled, size);
  }

  close(): void {
    this.release();
    for (const loaded of this.decoded.values()) pool(new Uint8Array(loaded.bytes.buffer));
    for (const b of this.spare) pool(b);
    // Read again after this, a shard is decoded anew, never from memory now another store's.
    this.spare = [];
    this.decoded.clear();
    this.shards.clear();
    this.shardBytes = 0;
  }

  release(): void {
    for (const bytes of this.evicted) keepLargest(this.spare, new Uint8Array(bytes.buffer));
    this.evicted = [];
  }

  files(refs: Iterable<RawPayloadRef>): string[] {
    const out = new Set<string>();
    const visit = (r: RawPayloadRef) => {
      if (r.shard !== undefined) out.add(shardFileName(this.dir, r.shard));
      for (const p of r.parts ?? []) visit(p);
    };
    for (const r of refs) visit(r);
    return [...out].sort();
  }

  /**
   * A composite payload is JSON when each part is (each record checked once:
   * a model item is a part of every later prompt) and the fragments are JSON
   * with a plain value in each part's place; only when that fails is the
   * whole text built, for the reference's verdict and message on it.
   */
  async check(ref: RawPayloadRef, depth = 0): Promise<PayloadCheck> {
    const key = recordKey(ref);
    const known = this.checked.get(key);
    if (known !== undefined) return known;
    let verdict: PayloadCheck;
    if (!ref.parts) {
      // Most records are JSON, and their bytes say so without being decoded; only a doubtful one is parsed.
      const body = await this.record(ref);
      if ('problem' in body) verdict = body;
      else if (isCertainlyJson(body.bytes)) verdict = { ok: true };
      else verdict = this.parses(ref.raw_payload_id, this.text(key, body.bytes));
    } else {
      const record = await this.record(ref);
      const recognised = depth < MAX_PART_DEPTH && !('problem' in record) && this.skeletons.has(record.bytes, ref.parts.length);
      // Null when the skeleton is known to be JSON: the fragments are then not needed.
      const frags = recognised ? null : await this.fragments(ref as RawPayloadRef & { parts: RawPayloadRef[] }, depth, record);
      if (frags !== null && 'problem' in frags) return frags;
      for (const part of ref.parts) {
        const v = await this.check(part, depth + 1);
        if (!('ok' in v)) return v;
      }
      if (frags === null) verdict = { ok: true };
      else if ('ok' in this.parses(ref.raw_payload_id, frags.fragments.join(' null '))) {
        verdict = { ok: true };
        if (!('problem' in record)) this.skeletons.add(record.bytes, ref.parts.length);
      } else {
        const whole = await this.resolve(ref, depth);
        verdict = 'problem' in whole ? whole : this.parses(ref.raw_payload_id, whole.text);
      }
    }
    this.checked.set(key, verdict);
    return verdict;
  }

  private parses(id: string, text: string): PayloadCheck {
    try {
      parseJsonFast(text);
      return { ok: true };
    } catch (e) {
      return { notJson: { id, error: e as Error } };
    }
  }

  /** A composite payload's text fragments: one more than its parts. `read`: its record, when the caller has it already. */
  private async fragments(
    ref: RawPayloadRef & { parts: RawPayloadRef[] },
    depth: number,
    read?: RecordRead,
  ): Promise<{ fragments: string[] } | { problem: PayloadProblem }> {
    const body = read ?? (await this.record(ref));
    if ('problem' in body) return body;
    const file = shardFileName(this.dir, ref.shard ?? 0);
    if (depth >= MAX_PART_DEPTH) return { problem: { file, message: `payload ${ref.raw_payload_id} nests parts deeper than ${MAX_PART_DEPTH}`, causes: [] } };
    let fragments: unknown;
    try {
      fragments = JSON.parse(this.decoder.decode(body.bytes));
    } catch (e) {
      return {
        problem: {
          file,
          message: `invalid payload fragment count`,
          causes: [`payload ${ref.raw_payload_id}: fragments are not JSON: ${(e as Error).message}`],
        },
      };
    }
    if (!Array.isArray(fragments) || fragments.length !== ref.parts.length + 1 || !fragments.every((f) => typeof f === 'string'))
      return {
        problem: {
          file,
          message: 'invalid payload fragment count',
          causes: [`payload ${ref.raw_payload_id} has ${ref.parts.length} parts and needs ${ref.parts.length + 1} text fragments`],
        },
      };
    return { fragments: fragments as string[] };
  }

  private async resolve(ref: RawPayloadRef, depth: number): Promise<{ text: string } | { problem: PayloadProblem }> {
    if (!ref.parts) {
      const body = await this.record(ref);
      if ('problem' in body) return body;
      return { text: this.text(recordKey(ref), body.bytes) };
    }
    const frags = await this.fragments(ref as RawPayloadRef & { parts: RawPayloadRef[] }, depth);
    if ('problem' in frags) return frags;
    const fragments = frags.fragments;
    const pieces: string[] = [fragments[0]];
    for (let i = 0; i < ref.parts.length; i++) {
      const part = await this.resolve(ref.parts[i], depth + 1);
      if ('problem' in part) return part;
      pieces.push(part.text, fragments[i + 1]);
    }
    return { text: pieces.join('') };
  }

  private async record(ref: RawPayloadRef): Promise<RecordRead> {
    const found = await this.locate(ref);
    return 'problem' in found ? found : { bytes: found.shard.bytes.subarray(found.span[0], found.span[1]) };
  }

  /** The record's shard and place in it, without copying its bytes out. */
  private async locate(ref: RawPayloadRef): Promise<{ shard: ShardRecords; span: [number, number] } | { problem: PayloadProblem }> {
    const shardNo = ref.shard ?? 0;
    const file = shardFileName(this.dir, shardNo);
    const shard = await this.shard(shardNo, file);
    if ('file' in shard) return { problem: shard };
    if (shard.refusal?.kind === 'duplicate') return { problem: { file, message: `duplicate payload ${shard.refusal.id} in shard ${shardNo}`, causes: [] } };
    if (shard.refusal?.kind === 'partial') return { problem: { file, message: `partial record in sealed shard ${shardNo}`, causes: [] } };
    const span = shard.records.get(ref.raw_payload_id);
    if (!span) return { problem: { file, message: `missing payload ${ref.raw_payload_id} in shard ${shardNo}`, causes: [] } };
    return { shard, span };
  }

  private shard(n: number, file: string): Promise<ShardRecords | PayloadProblem> {
    let s = this.shards.get(n);
    if (s) {
      // Most recently used last.
      this.shards.delete(n);
      this.shards.set(n, s);
      return s;
    }
    s = this.load(file).then((loaded) => {
      if (!('file' in loaded) && this.shards.get(n) === s) {
        this.decoded.set(n, loaded);
        this.shardBytes += loaded.bytes.length;
        this.evictShards(n);
      }
      return loaded;
    });
    this.shards.set(n, s);
    return s;
  }

  private evictShards(keep: number): void {
    for (const k of this.shards.keys()) {
      if (this.shardBytes <= SHARD_CACHE_BYTES) return;
      const loaded = this.decoded.get(k);
      // A shard still loading, or one that failed (its problem is kept: it is small), stays.
      if (k === keep || loaded === undefined) continue;
      this.shards.delete(k);
      this.decoded.delete(k);
      this.shardBytes -= loaded.bytes.length;
      this.evict(loaded.bytes);
    }
  }

  private async load(file: string): Promise<ShardRecords | PayloadProblem> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.source.readBytes(file);
    } catch (e) {
      return { file, message: `open shard ${file}`, causes: [(e as Error).message] };
    }
    if (bytes === null) return { file, message: `open shard ${file}`, causes: ['No such file or directory (os error 2)'] };
    try {
      return await decodeShard(bytes, (size) => this.takeSpare(size));
    } catch (e) {
      return { file, message: `decompress shard ${file}`, causes: e instanceof ShardError ? [e.message] : [String(e)] };
    }
  }
}
