/**
 * The byte-level JSON check that lets the reducer skip decoding prompts it
 * never reads: it may only say "JSON" where the parser the reducer uses
 * agrees, for texts near every edge of the grammar, and it does say so for
 * ordinary documents (or it would save nothing).
 */
import { describe, expect, it } from 'vitest';
import { isCertainlyJson } from '../src/trace/json/validate';
import { parseJsonFast } from '../src/trace/json/lossless';
import { Rng } from '../scripts/lib/prng';

const enc = new TextEncoder();
const accepted = (t: string) => {
  try {
    parseJsonFast(new TextDecoder('utf-8', { ignoreBOM: true }).decode(enc.encode(t)));
    return true;
  } catch {
    return false;
  }
};

const EDGES = [
  '{}',
  '[]',
  '{"a":1}',
  ' {"a" : [1, 2.5, -0, 1e5, 1E+5, 1e-5, true, false, null]} ',
  '"x"',
  '0',
  '-0.0',
  '12',
  '{"k":"caf\u00e9 \u2026 \ud83d\ude00"}',
  '"\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"',
  '01',
  '1.',
  '.5',
  '-',
  '1e',
  '1e+',
  '+1',
  'tru',
  'nulll',
  '{"a":1,}',
  '[1,]',
  '[,1]',
  '{"a" 1}',
  '{a:1}',
  '{"a":1',
  '[1',
  '1 2',
  '"\u0001"',
  '"\u001f"',
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"\\ud800"',
  '"\\udc00"',
  '"\\ud83d\\ude00"',
  '"\\uD83D\\uDE00"',
  '"\\ud000"',
  '\ufeff{}',
  '',
  '   ',
  '['.repeat(127) + ']'.repeat(127),
  '['.repeat(128) + ']'.repeat(128),
  '['.repeat(129) + ']'.repeat(129),
  '{"a":{"b":[{"c":null}]}}',
  '[1]x',
  '{"a":1}}',
  '[]]',
  '"unterminated',
  'NaN',
  'Infinity',
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
];

describe('isCertainlyJson', () => {
  it.each(EDGES)('never says JSON where the parser refuses: %j', (t) => {
    if (isCertainlyJson(enc.encode(t))) expect(accepted(t)).toBe(true);
  });

  it('says JSON for plain documents, prompts included', () => {
    for (const t of [
      '{}',
      '[1, 2.5, -3e2, true, false, null]',
      JSON.stringify({ input: [{ type: 'message', content: [{ text: 'café … 😀\n"q"' }] }], tools: [] }),
    ])
      expect(isCertainlyJson(enc.encode(t))).toBe(true);
  });

  it('agrees with the parser on thousands of mutated documents', () => {
    const rng = new Rng(19);
    const rand = () => rng.next();
    const base = JSON.stringify({
      model: 'm',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'é "x" \\ \u2026' }] }, 1.5, -2, [true, null]],
      n: 1e-3,
    });
    const alphabet = '{}[]",:\\/ueE+-.0123456789abcdfnrtlsx\u00e9\u0001 \n';
    let said = 0;
    for (let k = 0; k < 5000; k++) {
      const chars = [...base];
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) {
        const at = Math.floor(rand() * (chars.length + 1));
        const op = rand();
        const c = alphabet[Math.floor(rand() * alphabet.length)];
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, c);
        else chars[at] = c;
      }
      const t = chars.join('');
      if (isCertainlyJson(enc.encode(t))) {
        said++;
        expect(accepted(t), t).toBe(true);
      }
    }
    expect(said).toBeGreaterThan(100);
  });
});
