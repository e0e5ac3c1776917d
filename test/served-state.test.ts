/**
 * The answer `serve` gives for a bundle it reduces for the page (`?reduced`),
 * read as the worker reads it: whatever the chunking, the same result; an
 * answer cut short or not of this format is an error, never a wrong state.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodingSteps,
  lazyState,
  lendStateBytes,
  partsFit,
  readServedState,
  returnStateBytes,
  splitStateBytes,
  stateBytesHome,
  type ServedStateProgress,
} from '../src/trace/bundle/served-state';
import { readdirSync, existsSync } from 'node:fs';
import { TRACES } from './loader-helpers';

const stateText = readFileSync(path.join(TRACES, 'image-input/state.json'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(TRACES, 'image-input/manifest.json'), 'utf8')) as unknown;

/** The server's answer for `state`; `parts`: the fields' ranges it tells, as `serve` does for a state it wrote. */
function answer(state = stateText, parts?: unknown) {
  const bytes = new TextEncoder().encode(state);
  const lines = [
    { type: 'progress', bytesDone: 0, bytesTotal: 0, eventsDone: 0 },
    { type: 'progress', bytesDone: 500, bytesTotal: 1000, eventsDone: 7 },
    {
      type: 'result',
      manifest,
      error: null,
      diagnostics: [],
      eventsApplied: 42,
      stateBytes: bytes.length,
      contentHash: 'ab'.repeat(32),
      ...(parts ? { parts } : {}),
    },
  ];
  const head = new TextEncoder().encode(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const all = new Uint8Array(head.length + bytes.length);
  all.set(head);
  all.set(bytes, head.length);
  return all;
}

/** The bytes as a stream of chunks of `size` bytes. */
function stream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) c.close();
      else c.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

describe('readServedState', () => {
  it.each([1, 7, 4096, 1 << 24])('reads progress, then the result and state, in chunks of %i bytes', async (size) => {
    const progress: ServedStateProgress[] = [];
    const r = await readServedState(stream(answer(), size), (p) => progress.push(p));
    expect(JSON.stringify(r.state, null, 2)).toBe(stateText);
    expect(r.eventsApplied).toBe(42);
    expect(r.contentHash).toBe('ab'.repeat(32));
    expect(progress[1]).toEqual({ phase: 'server', bytesDone: 500, bytesTotal: 1000, eventsDone: 7 });
    expect(progress.at(-1)).toMatchObject({ phase: 'receiving', bytesDone: new TextEncoder().encode(stateText).length });
  });

  it("takes the fields' ranges the server tells when they fit the state, and finds them itself when they do not", async () => {
    const bytes = new TextEncoder().encode(stateText);
    const found = splitStateBytes(bytes)!;
    const told = await readServedState(stream(answer(stateText, found), 4096), () => {});
    expect(told.stateText!.parts).toEqual(found);
    expect(JSON.stringify(told.state, null, 2)).toBe(stateText);
    // Ranges one byte off: not used, and the state read is the same.
    const off = found.map(([k, s, e]) => [k, s + 1, e + 1]);
    const wrong = await readServedState(stream(answer(stateText, off), 4096), () => {});
    expect(wrong.stateText!.parts).toEqual(found);
    expect(JSON.stringify(wrong.state, null, 2)).toBe(stateText);
  });

  it('checks raw_payloads when it is first read: a state whose raw_payloads is not a map fails there, its other fields read', async () => {
    const bad = JSON.stringify({ ...(JSON.parse(stateText) as object), raw_payloads: [1, 2] }, null, 2);
    const r = await readServedState(stream(answer(bad), 4096), () => {});
    expect(Object.keys(r.state!.threads).length).toBeGreaterThan(0);
    expect(() => r.state!.raw_payloads).toThrow();
  });

  it('an answer cut short, or that is not this format, is an error', async () => {
    const whole = answer();
    await expect(readServedState(stream(whole.slice(0, whole.length - 10), 4096), () => {})).rejects.toThrow(/10 bytes short/);
    await expect(readServedState(stream(whole.slice(0, 60), 4096), () => {})).rejects.toThrow(/before the reduction finished/);
    await expect(readServedState(stream(new TextEncoder().encode('<html>\n'), 4096), () => {})).rejects.toThrow();
    await expect(readServedState(stream(new TextEncoder().encode('{"type":"result"}\n'), 4096), () => {})).rejects.toThrow();
    await expect(readServedState(stream(answer('{"schema_version": "x"}'), 4096), () => {})).rejects.toThrow();
  });
});

describe('splitStateBytes', () => {
  const states = ['traces', 'traces-schema1', 'traces-schema3'].flatMap((corpus) => {
    const dir = path.join(TRACES, '..', corpus);
    return readdirSync(dir)
      .map((b) => path.join(dir, b, 'state.json'))
      .filter((f) => existsSync(f));
  });
  const bytesOf = (text: string) => new TextEncoder().encode(text);

  it.each(states.map((f) => [path.relative(path.join(TRACES, '..'), f), f]))(
    'cuts %s into its top-level fields, each the field as parsed whole',
    (_name, file) => {
      const bytes = new Uint8Array(readFileSync(file));
      const parts = splitStateBytes(bytes)!;
      const whole = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      expect(parts.map(([k]) => k)).toEqual(Object.keys(whole));
      for (const [k, start, end] of parts) expect(JSON.parse(new TextDecoder().decode(bytes.subarray(start, end)))).toEqual(whole[k]);
    },
  );

  it("checks ranges told for a state where they meet: a real state's fit, any shifted, reordered, renamed or short set does not", () => {
    for (const file of states) {
      const bytes = new Uint8Array(readFileSync(file));
      const parts = splitStateBytes(bytes)!;
      expect(partsFit(bytes, parts)).toBe(true);
      const shift = (i: number, by: number) => parts.map((p, j) => (j === i ? ([p[0], p[1] + by, p[2] + by] as const) : p)) as typeof parts;
      expect(partsFit(bytes, shift(0, 1))).toBe(false);
      expect(partsFit(bytes, shift(parts.length - 1, -1))).toBe(false);
      expect(partsFit(bytes, [parts[1], parts[0], ...parts.slice(2)])).toBe(false);
      expect(partsFit(bytes, [['schema', parts[0][1], parts[0][2]], ...parts.slice(1)])).toBe(false);
      expect(partsFit(bytes, parts.slice(0, -1))).toBe(false);
      expect(partsFit(bytes, [])).toBe(false);
    }
  });

  it('refuses a text of another layout rather than cut it wrong', () => {
    expect(splitStateBytes(bytesOf('{"a": 1, "b": 2}'))).toBeNull();
    expect(splitStateBytes(bytesOf('[1, 2]'))).toBeNull();
    expect(splitStateBytes(bytesOf('{\n  "a": 1\n'))).toBeNull();
    expect(splitStateBytes(bytesOf('{ x\n  "a": 1\n}'))).toBeNull();
    expect(splitStateBytes(bytesOf('{\n  "a": 1\n  "b": 2\n}'))).toBeNull();
    expect(splitStateBytes(bytesOf('{\n  "a" 1\n}'))).toBeNull();
    expect(splitStateBytes(new Uint8Array(0))).toBeNull();
  });

  it('cuts a field whose text holds lines that look like keys one level down, and multi-byte text', () => {
    const text = '{\n  "a": {\n    "b": "é \\n  \\"c\\": 1"\n  },\n  "d": []\n}\n';
    const bytes = bytesOf(text);
    const parts = splitStateBytes(bytes)!;
    expect(parts.map(([k, s, e]) => [k, JSON.parse(new TextDecoder().decode(bytes.subarray(s, e))) as unknown])).toEqual([
      ['a', { b: 'é \n  "c": 1' }],
      ['d', []],
    ]);
  });
});

describe('a state held as bytes (lazyState)', () => {
  /** A state text of the serializer's layout with a field of several MiB, a multi-byte character straddling its first 4 MiB decoding step. */
  function bigState() {
    for (let pad = 0; pad < 3; pad++) {
      const whole = {
        schema_version: 3,
        threads: { t: { name: 'main' } },
        conversation_items: { a: { text: 'x'.repeat(pad) + '→'.repeat(1_600_000) } },
        raw_payloads: {},
      };
      const bytes = new TextEncoder().encode(`${JSON.stringify(whole, null, 2)}\n`);
      const [, start] = splitStateBytes(bytes)!.find(([k]) => k === 'conversation_items')!;
      // A continuation byte: the step's end cuts a character in two.
      if ((bytes[start + (4 << 20)] & 0xc0) === 0x80) return { whole, bytes };
    }
    throw new Error('no padding puts a character across the step');
  }

  it('reads each field as parsed whole, decoded ahead or not, and no longer needs the bytes once decoded', () => {
    const { whole, bytes } = bigState();
    expect(bytes.length).toBeGreaterThan(4 << 20);
    const state = lazyState({ bytes, parts: splitStateBytes(bytes)! }) as unknown as Record<string, unknown>;
    expect(state.threads).toEqual(whole.threads);
    let steps = 0;
    for (const _ of decodingSteps(state as never)!) steps++;
    // The big field in more than one step, the small ones in one each; `threads` was read already.
    expect(steps).toBeGreaterThan(3);
    bytes.fill(0);
    expect(state.conversation_items).toEqual(whole.conversation_items);
    expect(state.schema_version).toBe(3);
    expect(Object.keys(state)).toEqual(Object.keys(whole));
  });

  it('a field read while it is being decoded ahead is read whole', () => {
    const { whole, bytes } = bigState();
    const state = lazyState({ bytes, parts: splitStateBytes(bytes)! }) as unknown as Record<string, unknown>;
    const steps = decodingSteps(state as never)!;
    steps.next();
    steps.next();
    expect(state.conversation_items).toEqual(whole.conversation_items);
    for (const _ of steps);
    expect(state).toEqual(whole);
  });

  it('a state parsed some other way has nothing to decode', () => {
    expect(decodingSteps({} as never)).toBeNull();
  });

  it('lends its bytes to be handed over, keeping raw_payloads readable, and reads every field again once they are back', async () => {
    const bytes = new TextEncoder().encode(stateText);
    const whole = JSON.parse(stateText) as Record<string, unknown>;
    const state = lazyState({ bytes, parts: splitStateBytes(bytes)! });
    expect(state.threads).toEqual(whole.threads);
    const lent = lendStateBytes(state, ['raw_payloads'])!;
    // The very buffer, not a copy; handed over (detached here), as it is to the page.
    expect(lent).toBe(bytes);
    const handed = new Uint8Array(structuredClone(lent.buffer, { transfer: [lent.buffer] }));
    expect(lent.length).toBe(0);
    expect(lendStateBytes(state, [])).toBeNull();
    let home = false;
    void stateBytesHome(state).then(() => (home = true));
    // What was read, and what was kept, still read; any other field waits for the bytes.
    expect(state.threads).toEqual(whole.threads);
    expect(state.raw_payloads).toEqual(whole.raw_payloads);
    expect(() => state.conversation_items).toThrow(/lent/);
    expect([...decodingSteps(state)!]).toEqual([]);
    // Bytes of another length are not its own.
    expect(returnStateBytes(state, handed.subarray(1))).toBe(false);
    await Promise.resolve();
    expect(home).toBe(false);
    expect(returnStateBytes(state, handed)).toBe(true);
    await stateBytesHome(state);
    expect(home).toBe(true);
    expect(JSON.stringify(state, null, 2)).toBe(stateText);
    expect(returnStateBytes(state, handed)).toBe(false);
  });
});
