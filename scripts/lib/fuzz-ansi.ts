/**
 * The `ansi` phase of the robustness fuzzer: terminal output with hostile
 * control sequences (src/ui/ansi.ts). Case I draws a string mixing text
 * (bidi and zero-width characters, emoji, newlines) with CSI (`ESC [`,
 * U+009B), OSC (`ESC ]`, U+009D; ended by BEL, `ESC \`, U+009C or not at all),
 * C1 controls, lone ESCs and ESCs before odd characters, sometimes repeated to
 * a megabyte. An independent model of the grammar says which characters a
 * recognised, terminated sequence may hide; every other printable character
 * (and every newline) must be in the output text, in order, and nothing else
 * printable: output cannot hide its own tail, and an unterminated sequence
 * ends at the end of its line. parseAnsi and stripAnsi must stay within a CPU
 * budget (linear, not backtracking).
 */
import { parseAnsi, stripAnsi } from '../../src/ui/ansi';
import type { PhaseResult } from './phases';
import type { Rng } from './prng';

const ESC = '\u001b';
/** CPU budget for parsing one input, per megabyte (linear parsing takes a few tens of ms). */
const MS_PER_MB = 2_000;

const WORDS = ['ok', 'FAIL', 'hidden tail', 'résumé', '日本語', '😀', 'a\tb', '\r', '<b>x</b>', ' ', 'rm -rf /', '\u0000', '\u007f'];
const INVISIBLE = ['\u202e', '\u202d', '\u2066', '\u2069', '\u200b', '\u200d', '\u200e', '\ufeff', '\u00ad', '\u{e0041}'];

function c1(rng: Rng): string {
  return String.fromCharCode(rng.pick([0x9d, 0x9b, 0x9c, 0x90, 0x98, 0x9e, 0x9f, 0x85, 0x80 + rng.int(32)]));
}

function params(rng: Rng): string {
  const n = rng.int(6);
  const ps = Array.from({ length: n }, () => String(rng.pick([0, 1, 4, 7, 31, 38, 48, 5, 2, 255, 1e20, 1e6])));
  return ps.join(rng.pick([';', ':']));
}

function segment(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
    case 1:
      return rng.pick(WORDS);
    case 2:
      return rng.pick(INVISIBLE);
    case 3:
      return '\n';
    case 4:
      return `${rng.pick([`${ESC}[`, '\u009b'])}${params(rng)}m`;
    case 5:
      return `${ESC}[${rng.pick(['2K', '1A', '?25h', '1;2H', ' q', '>c', '!p'])}`;
    case 6: {
      // OSC: a title or a hyperlink, ended by BEL, ST (ESC \ or U+009C), a newline, or nothing.
      const body = rng.pick(['0;title', '8;;https://example.com/', '8;;javascript:alert(1)', '52;c;aGk=', '', 'x'.repeat(rng.int(50))]);
      return `${rng.pick([`${ESC}]`, '\u009d'])}${body}${rng.pick(['\u0007', `${ESC}\\`, '\u009c', '', '\n', ESC])}`;
    }
    case 7:
      return c1(rng);
    case 8:
      return ESC;
    case 9:
      // ESC before anything: a two-character sequence, a charset designation, or something that starts none.
      return ESC + rng.pick(['(', ')', '#', '%', ' ', '(B', '(é', '(\n', 'é', '😀', '\n', 'c', '=', '7', 'P', '\u009d', ESC, '\u007f']);
    case 10:
      // A CSI cut short by something that is not a final byte.
      return `${ESC}[${params(rng)}${rng.pick(['\n', 'é', ESC, '\u0007', '\u009b', ''])}`;
    case 11:
      return rng.pick(['[', ']', '\\', ';', 'm']);
    case 12:
      return String.fromCharCode(rng.int(0x20));
    default:
      return rng.pick(WORDS) + rng.pick(WORDS);
  }
}

/** A hostile string: a few dozen segments, sometimes repeated up to a megabyte. */
export function ansiInput(rng: Rng): { text: string; description: string } {
  const parts = Array.from({ length: rng.range(1, 60) }, () => segment(rng));
  let text = parts.join('');
  let description = `${parts.length} segments`;
  if (rng.chance(0.05) && text.length) {
    const target = rng.pick([100_000, 1_000_000]);
    text = text.repeat(Math.ceil(target / text.length)).slice(0, target);
    description += `, repeated to ${text.length} chars`;
  }
  if (rng.chance(0.03)) {
    // The classic tail hiders, huge: one introducer, then a megabyte of text.
    text = rng.pick(['\u009d', `${ESC}]`, '\u009b', `${ESC}[`, ESC + '(']) + 'tail '.repeat(200_000) + text;
    description += ', led by an introducer before 1 MB';
  }
  return { text, description };
}

const isFinal = (c: number) => c >= 0x40 && c <= 0x7e;
const isCsiByte = (c: number) => c >= 0x20 && c <= 0x3f;
const isIntermediate = (c: number) => c >= 0x20 && c <= 0x2f;

/** Drops what the viewer need not show: C0 controls but the newline, DEL, C1 controls. */
const NOT_SHOWN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const onlyShown = (text: string) => text.replace(NOT_SHOWN, '');

/**
 * What the output must show, by the model: every printable character and
 * newline that is not inside a recognised, terminated sequence — CSI (ESC [
 * or U+009B, bytes 0x20–0x3F, a final 0x40–0x7E), OSC (ESC ] or U+009D, up to
 * BEL, ESC \ or U+009C on the same line), ESC + a final 0x30–0x7E, or ESC +
 * intermediates 0x20–0x2F + a final (charset designations). What follows the
 * introducer of a sequence that is not complete is text.
 */
export function mustShowText(text: string): string {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  /** After a sequence starting at `start` whose body starts at `p`: its end, or just past the introducer when it does not end. */
  const csi = (start: number, p: number) => {
    let q = p;
    while (q < n && isCsiByte(text.charCodeAt(q))) q++;
    return q < n && isFinal(text.charCodeAt(q)) ? q + 1 : start + 1;
  };
  /** An OSC found no terminator before this index (its line's end): one starting before it has none either. */
  let unterminatedUntil = -1;
  const osc = (start: number, p: number) => {
    if (p <= unterminatedUntil) return start + 1;
    for (let q = p; q < n; q++) {
      const ch = text[q];
      if (ch === '\n') {
        unterminatedUntil = q;
        return start + 1;
      }
      if (ch === '\u0007' || ch === '\u009c') return q + 1;
      if (ch === ESC && text[q + 1] === '\\') return q + 2;
    }
    unterminatedUntil = n;
    return start + 1;
  };
  while (i < n) {
    let j = i;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (ch === 0x1b || ch === 0x9b || ch === 0x9d) break;
      j++;
    }
    if (j > i) out.push(text.slice(i, j));
    if (j >= n) break;
    const ch = text.charCodeAt(j);
    if (ch === 0x9b) i = csi(j, j + 1);
    else if (ch === 0x9d) i = osc(j, j + 1);
    else {
      const next = text.charCodeAt(j + 1);
      if (next === 0x5b) i = csi(j, j + 2);
      else if (next === 0x5d) i = osc(j, j + 2);
      else if (next >= 0x30 && next <= 0x7e) i = j + 2;
      else if (isIntermediate(next)) {
        let q = j + 1;
        while (q < n && isIntermediate(text.charCodeAt(q))) q++;
        i = q < n && text.charCodeAt(q) >= 0x30 && text.charCodeAt(q) <= 0x7e ? q + 1 : j + 1;
      } else i = j + 1;
    }
  }
  return onlyShown(out.join(''));
}

/** Where `want` stops being a subsequence of `got`: -1 when all of it is there, in order. */
function missingAt(want: string, got: string): number {
  let g = 0;
  for (let w = 0; w < want.length; w++) {
    const c = want.charCodeAt(w);
    while (g < got.length && got.charCodeAt(g) !== c) g++;
    if (g >= got.length) return w;
    g++;
  }
  return -1;
}

export function ansiCase(rng: Rng): PhaseResult {
  const { text, description } = ansiInput(rng);
  const violations: string[] = [];
  const cpu0 = process.cpuUsage();
  let shown: string;
  let stripped: string;
  try {
    shown = parseAnsi(text)
      .map((r) => r.text)
      .join('');
    stripped = stripAnsi(text);
  } catch (e) {
    return { kind: 'ansi', description, violations: [`uncaught exception: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600)], outcome: 'exception' };
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const budget = MS_PER_MB * Math.max(1, text.length / 1e6);
  if (cpuMs > budget) violations.push(`parsing ${text.length} chars took ${cpuMs.toFixed(0)} ms of CPU (> ${budget.toFixed(0)} ms)`);
  if (stripped !== shown) violations.push("stripAnsi differs from parseAnsi's text");
  const expected = mustShowText(text);
  const lost = missingAt(expected, onlyShown(shown));
  if (lost >= 0)
    violations.push(
      `printable text hidden: ${JSON.stringify(expected.slice(lost, lost + 30))} (char ${lost} of what must show) is not in the output; input ${JSON.stringify(text.slice(0, 160))}`,
    );
  return { kind: text.length >= 100_000 ? 'ansi-huge' : 'ansi', description, violations, outcome: text.length === 0 ? 'empty' : 'ok', cpuMs };
}
