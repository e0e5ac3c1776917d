/**
 * The request-window parser gives what parsing each text whole gives (value,
 * or the same error), however the next request differs from the previous one;
 * carried window items keep their keys.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { WindowParser } from '../src/trace/json/window';
import { JsonNumber, parseJsonFast } from '../src/trace/json/lossless';
import { bytesText, decodedText, type FileText } from '../src/trace/bundle/source';

const encoder = new TextEncoder();
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
/** How a source hands a request over: as text (shards, fetches) or as bytes decoded on demand (files). */
let shift = 0;
const MODES: Record<string, (t: string) => FileText> = {
  text: decodedText,
  bytes: (t) => bytesText(encoder.encode(t), (b) => lenient.decode(b)),
  // As a browser reads dropped files a group at a time: each one a view at any offset of its group's buffer.
  'bytes at odd offsets': (t) => {
    const own = encoder.encode(t);
    const at = 1 + (shift++ % 3);
    const group = new Uint8Array(own.length + 8);
    group.set(own, at);
    return bytesText(group.subarray(at, at + own.length), (b) => lenient.decode(b));
  },
};

const request = (items: string[], tail = '"tools": [{"type": "function"}], "store": false', head = '"model": "m", "stream": true') =>
  `{\n  ${head},\n  "input": [\n    ${items.join(',\n    ')}\n  ],\n  ${tail}\n}`;

function outcome(f: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

let as: (t: string) => FileText = decodedText;

/** Parses the texts in order on one thread and checks each against a whole parse. */
function agrees(texts: string[]) {
  const w = new WindowParser();
  for (const t of texts) {
    const got = outcome(() => w.parse(as(t), 'thread').value);
    expect(got).toEqual(outcome(() => parseJsonFast(t)));
  }
  return w;
}

const a = '{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "a"}]}';
const b = '{"type": "function_call", "call_id": "c1", "arguments": "{\\"x\\": 1}"}';
const c = '{"type": "function_call_output", "call_id": "c1", "output": "ok \\"quoted\\" \\\\"}';

describe.each(Object.keys(MODES))('WindowParser, requests as %s', (mode) => {
  beforeEach(() => {
    as = MODES[mode];
  });

  it('text outside ASCII before, inside and after the window', () => {
    const u = '{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "café … 😀 \\u00e9"}]}';
    agrees([
      request([a], undefined, '"model": "m", "instructions": "naïve — ✓"'),
      request([a, u], undefined, '"model": "m", "instructions": "naïve — ✓"'),
      request([a, u, b], '"tools": [{"name": "ü"}], "store": false', '"model": "m", "instructions": "naïve — ✓"'),
      request([a, u, b, u], '"tools": [{"name": "ü"}], "store": false', '"model": "m", "instructions": "naïve — ✓"'),
    ]);
  });

  it('a growing window', () => {
    agrees([request([a]), request([a, b]), request([a, b, c]), request([a, b, c, a])]);
  });

  it('carried items keep their keys, new ones get new keys', () => {
    const w = new WindowParser();
    const k1 = w.parse(as(request([a, b])), 't').keys!;
    const k2 = w.parse(as(request([a, b, c])), 't').keys!;
    expect(k2.slice(0, 2)).toEqual(k1);
    expect(k1).not.toContain(k2[2]);
    const k3 = w.parse(as(request([a, c])), 't').keys!;
    expect(k3[0]).toBe(k1[0]);
    expect(k3[1]).not.toBe(k2[2]);
  });

  it('a changed tail, a changed head, a compacted window', () => {
    agrees([
      request([a, b]),
      request([a, b, c], '"tools": [], "store": true, "extra": {"k": [1, 2.5]}'),
      request([b, c]),
      request([b, c], '"store": false', '"model": "n"'),
    ]);
  });

  it('an element that goes on in the next text (numbers, literals)', () => {
    agrees([request(['1', a, '2']), request(['1', a, '2.5', '3']), request(['1', a, '2.5e3']), request(['true', 'null']), request(['true', 'nullx'])]);
  });

  it('a middle that is not JSON, or ends the array early, is refused as a whole parse refuses it', () => {
    agrees([
      request([a, b]),
      request([a, b, '{"type": }']),
      request([a, b]),
      `${request([a, b]).slice(0, -2)}], "x": [`,
      request([a, b]) + ' trailing',
      request([a, b, c]),
    ]);
  });

  it('escaped surrogates and nesting past serde limit in new items', () => {
    const deep = '['.repeat(126) + ']'.repeat(126);
    const deeper = '['.repeat(127) + ']'.repeat(127);
    agrees([request([a]), request([a, '"\\ud83d\\ude00"']), request([a, '"\\ud83d"']), request([a, deep]), request([a, deeper])]);
  });

  it('keys the window cannot rebuild in order, duplicate input keys, input that is not an array', () => {
    agrees([
      request([a]),
      request([a, b], '"0": 1, "store": false'),
      request([a, b, c], '"input": [1]'),
      request([a, b], '"__proto__": {"x": 1}'),
      '{"input": {"a": 1}}',
      request([a]),
    ]);
  });

  it('threads keep their own windows', () => {
    const w = new WindowParser();
    const t1 = [request([a]), request([a, b])];
    const t2 = [request([c]), request([c, a])];
    for (let i = 0; i < 2; i++) {
      expect(w.parse(as(t1[i]), 'one').value).toEqual(JSON.parse(t1[i]));
      expect(w.parse(as(t2[i]), 'two').value).toEqual(JSON.parse(t2[i]));
    }
  });

  it('exact elements are those of the text parsed whole with exact numbers', () => {
    const w = new WindowParser();
    w.parse(as(request([a])), 't');
    const p = w.parse(as(request([a, '{"type": "x", "n": 1.0}'])), 't');
    expect(p.exactElement(0)).toBeUndefined();
    const n = (p.exactElement(1) as { n: unknown }).n;
    expect(n).toBeInstanceOf(JsonNumber);
    expect((n as JsonNumber).lexeme).toBe('1.0');
  });
});

describe('WindowParser over bytes', () => {
  it('decodes only what is new in a request, not the window it repeats', () => {
    const decoded: number[] = [];
    const bytes = (t: string) =>
      bytesText(encoder.encode(t), (b) => {
        decoded.push(b.length);
        return lenient.decode(b);
      });
    const big = `"${'é'.repeat(20_000)}"`;
    const w = new WindowParser();
    w.parse(bytes(request([big, a])), 't');
    const next = request([big, a, b]);
    expect(w.parse(bytes(next), 't').value).toEqual(parseJsonFast(next));
    expect(decoded[1]).toBeLessThan(1000);
  });

  it('bytes a lenient decoder replaced (not UTF-8) still parse as the whole text does', () => {
    const w = new WindowParser();
    const raw = (t: string, junk: number[]) => {
      const e = encoder.encode(t);
      const at = t.indexOf('"a"') + 2;
      const out = new Uint8Array(e.length + junk.length);
      out.set(e.subarray(0, at));
      out.set(junk, at);
      out.set(e.subarray(at), at + junk.length);
      return bytesText(out, (b) => lenient.decode(b));
    };
    const first = raw(request([a]), [0xff, 0xfe]);
    const second = raw(request([a, b]), [0xff, 0xfe]);
    expect(w.parse(first, 't').value).toEqual(parseJsonFast(first.text()));
    expect(w.parse(second, 't').value).toEqual(parseJsonFast(second.text()));
  });

  it('keeps its own copy of a request: the memory it was read from may hold the next request by then', () => {
    // A shard's buffer is decoded into again once the replay has let it go: the next request can land
    // where the previous one was, so a view of it would compare the next request with itself.
    const memory = new Uint8Array(4096);
    const at = (t: string) => {
      const e = encoder.encode(t);
      memory.fill(0x20);
      memory.set(e);
      return bytesText(memory.subarray(0, e.length), (b) => lenient.decode(b));
    };
    const w = new WindowParser();
    w.parse(at(request([a, b])), 't');
    // The first item changed (to one as long) and an item was added: nothing but the head can be carried over.
    const next = request([a.replace('"a"', '"z"'), b, c]);
    expect(w.parse(at(next), 't').value).toEqual(parseJsonFast(next));
  });
});
