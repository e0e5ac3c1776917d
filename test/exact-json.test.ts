/**
 * parseJson reads JSON as the official reducer's serde_json does: numbers
 * JavaScript would change keep their text, number-like text inside strings is
 * left alone, and what serde refuses (lone escaped surrogates, nesting past
 * 128, a number run that is not a number) is refused with serde's message.
 */
import { describe, expect, it } from 'vitest';
import { JsonNumber, parseJson } from '../src/trace/json/lossless';

const lexemeOf = (v: unknown) => (v instanceof JsonNumber ? v.lexeme : v);

describe('parseJson', () => {
  it('keeps the text of numbers JavaScript would change, and plain numbers as numbers', () => {
    const v = parseJson('{"a": 1.0, "b": 9007199254740993, "c": [1E5, 12, 2.5, 18446744073709551616]}') as Record<string, unknown>;
    expect(lexemeOf(v.a)).toBe('1.0');
    expect(lexemeOf(v.b)).toBe('9007199254740993');
    const c = v.c as unknown[];
    expect(lexemeOf(c[0])).toBe('1e+5'); // as serde prints it
    expect(c.slice(1, 3)).toEqual([12, 2.5]);
    expect(lexemeOf(c[3])).toBe('18446744073709551616');
  });

  it('leaves number-like text inside strings alone, escaped quotes and all', () => {
    expect(parseJson('{"s": "1.0 \\" 9007199254740993 [[[", "n": 3}')).toEqual({ s: '1.0 " 9007199254740993 [[[', n: 3 });
  });

  it('refuses what serde refuses, with its message', () => {
    expect(() => parseJson('"\\ud800"')).toThrow('lone leading surrogate in hex escape at line 1 column 8');
    expect(parseJson('['.repeat(128) + ']'.repeat(128))).toBeInstanceOf(Array);
    expect(() => parseJson('['.repeat(129) + ']'.repeat(129))).toThrow('recursion limit exceeded at line 1 column 129');
    // A run of number characters that is no number: a JSON error, not JavaScript's BigInt complaint.
    expect(() => parseJson('[12345678901234567+1]')).toThrow('expected `,` or `]` at line 1 column 19');
  });
});
