/**
 * The request-window parser gives what parsing each text whole gives (value,
 * or the same error), however the next request differs from the previous one;
 * carried window items keep their keys.
 */
import { describe, expect, it } from 'vitest';
import { WindowParser } from '../src/trace/json/window';
import { JsonNumber, parseJsonFast } from '../src/trace/json/lossless';

const request = (items: string[], tail = '"tools": [{"type": "function"}], "store": false', head = '"model": "m", "stream": true') =>
  `{\n  ${head},\n  "input": [\n    ${items.join(',\n    ')}\n  ],\n  ${tail}\n}`;

function outcome(f: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Parses the texts in order on one thread and checks each against a whole parse. */
function agrees(texts: string[]) {
  const w = new WindowParser();
  for (const t of texts) {
    const got = outcome(() => w.parse(t, 'thread').value);
    expect(got).toEqual(outcome(() => parseJsonFast(t)));
  }
  return w;
}

const a = '{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "a"}]}';
const b = '{"type": "function_call", "call_id": "c1", "arguments": "{\\"x\\": 1}"}';
const c = '{"type": "function_call_output", "call_id": "c1", "output": "ok \\"quoted\\" \\\\"}';

describe('WindowParser', () => {
  it('a growing window', () => {
    agrees([request([a]), request([a, b]), request([a, b, c]), request([a, b, c, a])]);
  });

  it('carried items keep their keys, new ones get new keys', () => {
    const w = new WindowParser();
    const k1 = w.parse(request([a, b]), 't').keys!;
    const k2 = w.parse(request([a, b, c]), 't').keys!;
    expect(k2.slice(0, 2)).toEqual(k1);
    expect(k1).not.toContain(k2[2]);
    const k3 = w.parse(request([a, c]), 't').keys!;
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
      expect(w.parse(t1[i], 'one').value).toEqual(JSON.parse(t1[i]));
      expect(w.parse(t2[i], 'two').value).toEqual(JSON.parse(t2[i]));
    }
  });

  it('exact elements are those of the text parsed whole with exact numbers', () => {
    const w = new WindowParser();
    w.parse(request([a]), 't');
    const p = w.parse(request([a, '{"type": "x", "n": 1.0}']), 't');
    expect(p.exactElement(0)).toBeUndefined();
    const n = (p.exactElement(1) as { n: unknown }).n;
    expect(n).toBeInstanceOf(JsonNumber);
    expect((n as JsonNumber).lexeme).toBe('1.0');
  });
});
