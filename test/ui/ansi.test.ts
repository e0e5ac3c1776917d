import { describe, expect, it } from 'vitest';
import { color256, hasAnsi, parseAnsi, stripAnsi } from '../../src/ui/ansi';
import { escapeInvisible, hasInvisible, splitInvisible } from '../../src/ui/invisible';

describe('parseAnsi', () => {
  it('turns SGR colours into styled runs and keeps the text', () => {
    const runs = parseAnsi('ok \u001b[31mFAIL\u001b[0m done');
    expect(runs).toEqual([
      { text: 'ok ', style: {} },
      { text: 'FAIL', style: { fg: 1 } },
      { text: ' done', style: {} },
    ]);
  });

  it('combines attributes, bright colours, 256 and true colours, and resets them one by one', () => {
    const runs = parseAnsi('\u001b[1;4;92;44mA\u001b[22;24mB\u001b[38;5;196mC\u001b[48;2;1;2;3mD\u001b[39;49mE\u001b[7;9;3;2mF\u001b[mG');
    expect(runs.map((r) => [r.text, r.style])).toEqual([
      ['A', { bold: true, underline: true, fg: 10, bg: 4 }],
      ['B', { fg: 10, bg: 4 }],
      ['C', { fg: '#ff0000', bg: 4 }],
      ['D', { fg: '#ff0000', bg: '#010203' }],
      ['E', {}],
      ['F', { inverse: true, strike: true, italic: true, dim: true }],
      ['G', {}],
    ]);
  });

  it('drops cursor moves, erases, OSC titles and hyperlinks and charset switches; a sequence cut off at the end is shown', () => {
    const text = '\u001b[2K\u001b[1Aprogress\r\u001b]0;title\u0007\u001b]8;;javascript:alert(1)\u001b\\link\u001b]8;;\u001b\\\u001b(Bend\u001b[3';
    expect(stripAnsi(text)).toBe('progress\rlinkend\u001b[3');
  });

  it('a sequence that never ends cannot hide the rest of the output: it ends at its line, shown as text', () => {
    // One C1 OSC introducer (U+009D) or an unterminated ESC ] used to swallow everything after it.
    expect(stripAnsi('ok\u009dhidden tail\nnext line')).toBe('ok\u009dhidden tail\nnext line');
    expect(stripAnsi('ok\u001b]0;no terminator\nnext line\u001b[31mred')).toBe('ok\u001b]0;no terminator\nnext linered');
    // A terminated one on its line is still dropped whole.
    expect(stripAnsi('a\u001b]0;title\u0007b')).toBe('ab');
  });

  it('an ESC that starts no sequence swallows nothing after it: no newline, no letter, no half of an emoji', () => {
    // ESC ( é, ESC é, ESC + newline used to drop the character after the ESC (and after "(" the one after that).
    expect(stripAnsi('a\u001b(é b')).toBe('a\u001b(é b');
    expect(stripAnsi('a\u001b\nnext')).toBe('a\u001b\nnext');
    expect(stripAnsi('x\u001b😀y')).toBe('x\u001b😀y');
    expect(stripAnsi('x\u001b \u0004m')).toBe('x\u001b \u0004m');
    expect(stripAnsi('end\u001b')).toBe('end\u001b');
    // Complete ones are still dropped: ESC + a final byte, and charset designations.
    expect(stripAnsi('a\u001b7b\u001b(Bc\u001b)0d\u001b#8e')).toBe('abcde');
  });

  it('handles the 8-bit CSI introducer and malformed colour parameters without throwing', () => {
    expect(parseAnsi('\u009b32mgreen')).toEqual([{ text: 'green', style: { fg: 2 } }]);
    expect(parseAnsi('\u001b[38;5mX\u001b[38;2;1mY')).toEqual([{ text: 'XY', style: {} }]);
    expect(parseAnsi('\u001b[99999999999999999999mZ')).toEqual([{ text: 'Z', style: {} }]);
  });

  it('text without escapes is one run; hasAnsi tells', () => {
    expect(hasAnsi('plain <b>html</b>')).toBe(false);
    expect(parseAnsi('plain <b>html</b>')).toEqual([{ text: 'plain <b>html</b>', style: {} }]);
    expect(parseAnsi('')).toEqual([]);
  });

  it('reads long hostile input whole (its time is in npm run bench:hostile)', () => {
    const runs = parseAnsi('\u001b[31mx\u001b[0my'.repeat(100_000) + '\u001b['.repeat(100_000));
    expect(runs.length).toBe(200_000);
    expect(runs[0]).toEqual({ text: 'x', style: { fg: 1 } });
  });

  it('maps the 256-colour cube and grey ramp', () => {
    expect(color256(3)).toBe(3);
    expect(color256(16)).toBe('#000000');
    expect(color256(231)).toBe('#ffffff');
    expect(color256(244)).toBe('#808080');
  });
});

describe('invisible characters', () => {
  it('reveals bidi overrides that would reverse a file name', () => {
    const name = 'invoice\u202Egpj.exe';
    expect(hasInvisible(name)).toBe(true);
    expect(escapeInvisible(name)).toBe('invoice⟨RLO⟩gpj.exe');
    expect(splitInvisible(name)).toEqual([{ text: 'invoice' }, { text: '\u202E', invisible: 'RLO', code: 'U+202E' }, { text: 'gpj.exe' }]);
  });

  it('reveals zero-width characters, BOM, controls and tag characters; keeps ZWJ in prose but not in ids', () => {
    expect(escapeInvisible('call\u200B_1\uFEFF\u0000')).toBe('call⟨ZWSP⟩_1⟨BOM⟩⟨NUL⟩');
    expect(escapeInvisible('a\u{E0041}\u{E0042}')).toBe('a⟨TAG A⟩⟨TAG B⟩');
    const family = '👨\u200D👩\u200D👧';
    expect(escapeInvisible(family, 'text')).toBe(family);
    expect(escapeInvisible(family, 'id')).toBe('👨⟨ZWJ⟩👩⟨ZWJ⟩👧');
    expect(escapeInvisible('line\nnext\ttab\r')).toBe('line\nnext\ttab\r');
  });

  it('can leave ESC in place for ANSI parsing', () => {
    expect(splitInvisible('\u001b[31mx', 'text', true)).toEqual([{ text: '\u001b[31mx' }]);
    expect(splitInvisible('\u001b', 'text')[0].invisible).toBe('ESC');
  });
});
