/**
 * A bundle too large for a browser tab, or one `serve` opens sooner
 * (served-choice.ts), reduced by `serve` instead of the page's worker:
 * the worker asks for `<bundle>/?reduced` and reads the payloads it shows
 * one by one, the way Perfetto's page asks its trace processor rather than
 * holding the trace. The answer is lines of JSON
 * (progress while the server reduces, then one `result` line), then the
 * state.json text itself, exactly `stateBytes` bytes (none when the
 * reduction gave no state). The server writes the lines with these schemas
 * and the worker reads them with `readServedState`.
 */
import { z } from 'zod';
import type { ReduceProgress, ReduceResult, StateText } from '../api';
import { DiagnosticGroupsSchema } from '../diagnostics';
import { TraceErrorInfoSchema } from '../errors';
import { ManifestSchema } from '../schema/manifest';
import type { RolloutTrace } from '../schema/state';

const Count = z.number().int().nonnegative();

export const ServedProgressSchema = z.object({ type: z.literal('progress'), bytesDone: Count, bytesTotal: Count, eventsDone: Count });
export type ServedProgress = z.infer<typeof ServedProgressSchema>;

export const ServedResultSchema = z.object({
  type: z.literal('result'),
  manifest: ManifestSchema.nullable(),
  error: TraceErrorInfoSchema.nullable(),
  diagnostics: DiagnosticGroupsSchema,
  eventsApplied: Count,
  /** Bytes of state.json text that follow the line; 0 when there is no state. */
  stateBytes: Count,
  /** The bundle's content hash (src/trace/bundle/hash.ts), for links and exports; null when not computed. */
  contentHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  /**
   * Each top-level field's key and its value's byte range in the state (`splitStateBytes`), as the server
   * found them when it wrote the state: checked where they meet (`partsFit`) rather than found again by
   * scanning the whole text, which took a starting worker 50-100 ms for a 10 MB state. Absent from states
   * kept by an older `serve`.
   */
  parts: z.array(z.tuple([z.string(), Count, Count])).optional(),
});
export type ServedResult = z.infer<typeof ServedResultSchema>;

const LineSchema = z.discriminatedUnion('type', [ServedProgressSchema, ServedResultSchema]);

/** Longest line read: a result line, with its bounded diagnostics and manifest, is far shorter. */
const MAX_LINE = 4 << 20;

/** The top of a state, checked before it is used: the rest is the server's own reduction of the bundle. */
const StateTopSchema = z.looseObject({
  schema_version: z.number().int(),
  threads: z.record(z.string(), z.unknown()),
  conversation_items: z.record(z.string(), z.unknown()),
  inference_calls: z.record(z.string(), z.unknown()),
  raw_payloads: z.record(z.string(), z.unknown()),
});

/** What a state held as text checks of its fields, each when it is first read (`lazyState`). */
const FIELD_CHECKS: Record<string, (value: unknown) => unknown> = { raw_payloads: (v) => StateTopSchema.shape.raw_payloads.parse(v) };

/** Progress of a served reduction, in the reducer's own terms: the server reducing, then its state arriving. */
export type ServedStateProgress = ReduceProgress & { phase: 'server' | 'receiving' };

/**
 * Reads a `?reduced` answer: progress as it comes, then the reduction's result with its state, and the bundle's hash.
 * Throws on an answer that is not one.
 */
export async function readServedState(
  body: ReadableStream<Uint8Array>,
  onProgress: (p: ServedStateProgress) => void,
): Promise<ReduceResult & { contentHash: string | null }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending: Uint8Array = new Uint8Array(0);
  /** The result line, and the state's bytes once it is in (`filled` of them have arrived). */
  const got: { result: ServedResult | null; state: Uint8Array | null; filled: number } = { result: null, state: null, filled: 0 };
  const take = (bytes: Uint8Array) => {
    while (bytes.length > 0) {
      const state = got.state;
      if (state !== null) {
        const n = Math.min(bytes.length, state.length - got.filled);
        state.set(bytes.subarray(0, n), got.filled);
        got.filled += n;
        if (n < bytes.length) throw new Error('the server sent more than the state it announced');
        return;
      }
      const nl = bytes.indexOf(0x0a);
      if (nl < 0) {
        if (pending.length + bytes.length > MAX_LINE) throw new Error('the server sent a line too long to be a progress or result line');
        pending = concat(pending, bytes);
        return;
      }
      const line = JSON.parse(decoder.decode(concat(pending, bytes.subarray(0, nl)))) as unknown;
      pending = new Uint8Array(0);
      bytes = bytes.subarray(nl + 1);
      const msg = LineSchema.parse(line);
      if (msg.type === 'progress') onProgress({ phase: 'server', bytesDone: msg.bytesDone, bytesTotal: msg.bytesTotal, eventsDone: msg.eventsDone });
      else {
        got.result = msg;
        got.state = new Uint8Array(msg.stateBytes);
      }
    }
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    take(value);
    if (got.state !== null && got.result !== null)
      onProgress({ phase: 'receiving', bytesDone: got.filled, bytesTotal: got.state.length, eventsDone: got.result.eventsApplied });
  }
  const { result: r, state, filled } = got;
  if (r === null || state === null) throw new Error('the server ended its answer before the reduction finished');
  if (filled < state.length) throw new Error(`the server ended its answer ${state.length - filled} bytes short of the state`);
  let parsed: RolloutTrace | null = null;
  let stateText: StateText | undefined;
  if (state.length > 0) {
    const parts = r.parts && partsFit(state, r.parts) ? r.parts : splitStateBytes(state);
    if (parts) {
      stateText = { bytes: state, parts };
      // raw_payloads is checked when first read, once the page has the state: its parse is not the page's wait.
      parsed = lazyState(stateText, FIELD_CHECKS);
      StateTopSchema.pick({ schema_version: true }).parse({ schema_version: parsed.schema_version });
    } else {
      const value = JSON.parse(decoder.decode(state)) as unknown;
      // Checked, not rebuilt by the schema: the state's key order is state.json's.
      StateTopSchema.parse(value);
      parsed = value as RolloutTrace;
    }
  }
  return {
    manifest: r.manifest,
    state: parsed,
    stateText,
    error: r.error,
    diagnostics: r.diagnostics,
    eventsApplied: r.eventsApplied,
    contentHash: r.contentHash,
  };
}

/**
 * A state.json text as written by `serializeStateChunks` (two-space indent)
 * cut into its top-level fields' byte ranges without decoding or parsing it:
 * a string never holds a raw newline, so a top-level key is exactly where a
 * line starts with two spaces and a quote. Null for a text of another layout.
 */
export function splitStateBytes(bytes: Uint8Array): StateText['parts'] | null {
  const NL = 0x0a;
  const SPACE = 0x20;
  const QUOTE = 0x22;
  const n = bytes.length;
  const tail = bytes[n - 1] === NL ? n - 1 : n;
  if (bytes[0] !== 0x7b || tail < 3 || bytes[tail - 1] !== 0x7d || bytes[tail - 2] !== NL) return null;
  const end = tail - 2;
  /** The next top-level key's line start (its newline) at or after `from`, or -1. */
  const keyLine = (from: number): number => {
    for (let i = bytes.indexOf(NL, from); i >= 0 && i < end; i = bytes.indexOf(NL, i + 1))
      if (bytes[i + 1] === SPACE && bytes[i + 2] === SPACE && bytes[i + 3] === QUOTE) return i;
    return -1;
  };
  const parts: StateText['parts'] = [];
  let at = keyLine(1);
  for (let i = 1; i < (at < 0 ? end : at); i++) if (bytes[i] !== SPACE && bytes[i] !== NL && bytes[i] !== 0x0d && bytes[i] !== 0x09) return null;
  if (at < 0) return null;
  while (at >= 0) {
    // The state's own field names hold no quote or escape: the key ends at the next quote, followed by `: `.
    const keyEnd = bytes.indexOf(QUOTE, at + 4);
    if (keyEnd < 0 || keyEnd >= end || bytes[keyEnd + 1] !== 0x3a || bytes[keyEnd + 2] !== SPACE) return null;
    let key: unknown;
    try {
      key = JSON.parse(keyDecoder.decode(bytes.subarray(at + 3, keyEnd + 1)));
    } catch {
      return null;
    }
    if (typeof key !== 'string') return null;
    const next = keyLine(keyEnd);
    let stop = next < 0 ? end : next;
    if (next >= 0) {
      if (bytes[stop - 1] !== 0x2c) return null;
      stop -= 1;
    }
    parts.push([key, keyEnd + 3, stop]);
    at = next;
  }
  return parts;
}

const keyDecoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Whether `parts` are the top-level fields of `bytes` as `splitStateBytes`
 * would find them, checked only where they meet: the state opens each key's
 * line, commas and newlines join them, the state closes after the last, and
 * nothing lies between. Linear in the number of fields, not the text's bytes.
 */
export function partsFit(bytes: Uint8Array, parts: StateText['parts']): boolean {
  const n = bytes.length;
  const tail = bytes[n - 1] === 0x0a ? n - 1 : n;
  const at = (from: number, want: Uint8Array): boolean => {
    if (from < 0 || from + want.length > n) return false;
    for (let i = 0; i < want.length; i++) if (bytes[from + i] !== want[i]) return false;
    return true;
  };
  let from = 0;
  for (const [i, [key, start, stop]] of parts.entries()) {
    const head = encoder.encode(`${i === 0 ? '{' : ','}\n  ${JSON.stringify(key)}: `);
    if (start !== from + head.length || stop < start || !at(from, head)) return false;
    from = stop;
  }
  return parts.length > 0 && from === tail - 2 && at(from, encoder.encode('\n}'));
}

/**
 * A state held as its top-level fields' JSON texts, each decoded and parsed
 * the first time it is read: the worker needs only `raw_payloads` (and the
 * whole state once the user searches), and the page parses the texts itself.
 */
export function lazyState(text: StateText, checks: Record<string, (value: unknown) => unknown> = {}): RolloutTrace {
  const decoder = new TextDecoder();
  let bytes: Uint8Array | null = text.bytes;
  const ranges = new Map(text.parts.map(([k, start, stop]) => [k, [start, stop] as const]));
  /** Fields decoded ahead of their first read (`decodingSteps`), until then. */
  const texts = new Map<string, string>();
  const values = new Map<string, unknown>();
  /** While the bytes are lent (`lendStateBytes`): their length, what resolves when they are back, and the fields kept meanwhile. */
  let away: { length: number; back: Promise<void>; resolve: () => void; kept: Map<string, Uint8Array> } | null = null;
  const textOf = (k: string): string => {
    const done = texts.get(k);
    if (done !== undefined) return done;
    const [start, stop] = ranges.get(k)!;
    if (away) {
      const kept = away.kept.get(k);
      if (!kept) throw new Error(`the state's ${k} is lent; wait for its bytes to come back (stateBytesHome)`);
      return decoder.decode(kept);
    }
    return decoder.decode(bytes!.subarray(start, stop));
  };
  const value = (k: string) => {
    if (!values.has(k)) {
      const v = JSON.parse(textOf(k)) as unknown;
      if (Object.hasOwn(checks, k)) checks[k](v);
      values.set(k, v);
      texts.delete(k);
      away?.kept.delete(k);
    }
    return values.get(k);
  };
  const own = (k: string | symbol): k is string => typeof k === 'string' && ranges.has(k);
  const state = new Proxy(Object.create(null) as object, {
    get: (_t, k) => (own(k) ? value(k) : undefined),
    has: (_t, k) => own(k),
    ownKeys: () => [...ranges.keys()],
    getOwnPropertyDescriptor: (_t, k) => (own(k) ? { value: value(k), enumerable: true, configurable: true, writable: false } : undefined),
  }) as RolloutTrace;
  holders.set(state, {
    lend(keep) {
      if (away || bytes === null) return null;
      const kept = new Map<string, Uint8Array>();
      for (const k of keep) {
        const range = ranges.get(k);
        if (range && !values.has(k) && !texts.has(k)) kept.set(k, bytes.slice(range[0], range[1]));
      }
      let resolve!: () => void;
      const back = new Promise<void>((r) => (resolve = r));
      away = { length: bytes.length, back, resolve, kept };
      const lent = bytes;
      bytes = null;
      return lent;
    },
    takeBack(returned) {
      if (!away || returned.length !== away.length) return false;
      const { resolve } = away;
      bytes = returned;
      away = null;
      resolve();
      return true;
    },
    home: () => away?.back ?? Promise.resolve(),
    decoding: () => decodeAhead(),
  });
  function* decodeAhead(): Generator<void, void> {
    // Only with the bytes here: a caller waits for them first (stateBytesHome).
    if (away || bytes === null) return;
    const piecewise = new TextDecoder();
    for (const [k, [start, stop]] of ranges) {
      let acc = '';
      // A few MiB a step: a field may be tens of MB, and a request waits for the step under way.
      for (let at = start; at < stop && !values.has(k) && !texts.has(k); at += DECODE_STEP_BYTES) {
        const end = Math.min(stop, at + DECODE_STEP_BYTES);
        acc += piecewise.decode(bytes!.subarray(at, end), { stream: end < stop });
        if (end === stop) texts.set(k, acc);
        yield;
      }
      // Read meanwhile (parsed from its own decoding): what was decoded here is dropped.
      if (!texts.has(k)) piecewise.decode();
    }
    // Every field is text or parsed now: the bytes are no longer needed.
    bytes = null;
  }
  return state;
}

/** Bytes decoded in one step of `decodingSteps`: about 20–40 ms each in a worker here. */
const DECODE_STEP_BYTES = 4 << 20;

/** What a state from `lazyState` does with its bytes beyond reading fields. */
interface BytesHolder {
  lend(keep: readonly string[]): Uint8Array | null;
  takeBack(bytes: Uint8Array): boolean;
  home(): Promise<void>;
  decoding(): Generator<void, void>;
}

const holders = new WeakMap<object, BytesHolder>();

/**
 * For a state from `lazyState`: decodes its fields not yet read, at most
 * `DECODE_STEP_BYTES` a step, so that a first search (which reads them all)
 * only parses them; then lets the bytes go. Null for any other state; none
 * while its bytes are lent.
 */
export function decodingSteps(state: RolloutTrace): Generator<void, void> | null {
  return holders.get(state)?.decoding() ?? null;
}

/**
 * Hands over a state's bytes (from `lazyState`, to be transferred to the
 * page, which parses its own copy of the fields), rather than copying them:
 * the fields named in `keep` are copied and stay readable; reading any other
 * field not read yet throws until `returnStateBytes` gives the bytes back.
 * Null for any other state, or one whose bytes are lent or let go.
 */
export function lendStateBytes(state: RolloutTrace, keep: readonly string[]): Uint8Array | null {
  return holders.get(state)?.lend(keep) ?? null;
}

/** Gives back bytes lent by `lendStateBytes` (the same length, or they are refused); whether they were taken. */
export function returnStateBytes(state: RolloutTrace, bytes: Uint8Array): boolean {
  return holders.get(state)?.takeBack(bytes) ?? false;
}

/** When every field of `state` can be read again: at once unless its bytes are lent. */
export function stateBytesHome(state: RolloutTrace): Promise<void> {
  return holders.get(state)?.home() ?? Promise.resolve();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
