/**
 * ANSI escape sequences in terminal output, turned into styled runs of plain
 * text. Only SGR (`ESC [ … m`: colours, bold, dim, italic, underline,
 * inverse, strike) becomes style; every other complete control sequence
 * (cursor moves, erase, OSC titles and hyperlinks, charset switches) is
 * dropped, so neither raw escape garbage nor anything clickable reaches the
 * page. A sequence that never ends, though, ends at the end of its line and
 * is shown as text: output must not be able to hide its own tail. Pure: no
 * DOM here; src/ui/SafeText.tsx renders the runs as text nodes (control
 * characters as visible markers).
 */

/** A colour: one of the 16 palette entries (0–15, themed by CSS) or an exact `#rrggbb`. */
export type AnsiColor = number | string;

export interface AnsiStyle {
  fg?: AnsiColor;
  bg?: AnsiColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface AnsiRun {
  text: string;
  style: AnsiStyle;
}

const ESC = '\u001b';
const CSI_C1 = '\u009b';
const OSC_C1 = '\u009d';

/** True when the text holds an escape (or C1 control introducer) worth parsing. */
export function hasAnsi(text: string): boolean {
  return text.includes(ESC) || text.includes(CSI_C1) || text.includes(OSC_C1);
}

const hex2 = (n: number) =>
  Math.max(0, Math.min(255, n | 0))
    .toString(16)
    .padStart(2, '0');
const rgb = (r: number, g: number, b: number) => `#${hex2(r)}${hex2(g)}${hex2(b)}`;

/** xterm's 256-colour palette beyond the first 16: the 6×6×6 cube, then 24 greys. */
export function color256(n: number): AnsiColor {
  if (n < 16) return n;
  if (n < 232) {
    const c = n - 16;
    const v = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    return rgb(v(Math.floor(c / 36)), v(Math.floor(c / 6) % 6), v(c % 6));
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}

function applySgr(style: AnsiStyle, params: number[]): AnsiStyle {
  const s: AnsiStyle = { ...style };
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) {
      for (const k of Object.keys(s) as (keyof AnsiStyle)[]) delete s[k];
    } else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 9) s.strike = true;
    else if (p === 21 || p === 22) {
      delete s.bold;
      delete s.dim;
    } else if (p === 23) delete s.italic;
    else if (p === 24) delete s.underline;
    else if (p === 27) delete s.inverse;
    else if (p === 29) delete s.strike;
    else if (p >= 30 && p <= 37) s.fg = p - 30;
    else if (p === 39) delete s.fg;
    else if (p >= 40 && p <= 47) s.bg = p - 40;
    else if (p === 49) delete s.bg;
    else if (p >= 90 && p <= 97) s.fg = p - 90 + 8;
    else if (p >= 100 && p <= 107) s.bg = p - 100 + 8;
    else if (p === 38 || p === 48) {
      // 38;5;n or 38;2;r;g;b (and the same for 48).
      const mode = params[i + 1];
      let c: AnsiColor | undefined;
      if (mode === 5 && i + 2 < params.length) {
        c = color256(Math.max(0, Math.min(255, params[i + 2])));
        i += 2;
      } else if (mode === 2 && i + 4 < params.length) {
        c = rgb(params[i + 2], params[i + 3], params[i + 4]);
        i += 4;
      } else i = params.length; // malformed: ignore the rest
      if (c !== undefined) {
        if (p === 38) s.fg = c;
        else s.bg = c;
      }
    }
    // Anything else (blink, fonts, frames...) is ignored.
  }
  return s;
}

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as (keyof AnsiStyle)[];
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * Splits `text` into styled runs. Complete escape sequences never appear in
 * the runs' text; one cut short (at the end of the text or of its line, or by
 * a character that cannot continue it) is shown as text.
 */
export function parseAnsi(text: string): AnsiRun[] {
  const runs: AnsiRun[] = [];
  let style: AnsiStyle = {};
  let buf = '';
  const flush = () => {
    if (!buf) return;
    const last = runs[runs.length - 1];
    if (last && sameStyle(last.style, style)) last.text += buf;
    else runs.push({ text: buf, style });
    buf = '';
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c !== ESC && c !== CSI_C1 && c !== OSC_C1) {
      // Copy the plain stretch up to the next escape in one go.
      let j = i + 1;
      while (j < n) {
        const d = text[j];
        if (d === ESC || d === CSI_C1 || d === OSC_C1) break;
        j++;
      }
      buf += text.slice(i, j);
      i = j;
      continue;
    }
    // An escape: find its kind and its end.
    let kind: 'csi' | 'osc' | 'other';
    let p: number;
    if (c === CSI_C1) {
      kind = 'csi';
      p = i + 1;
    } else if (c === OSC_C1) {
      kind = 'osc';
      p = i + 1;
    } else if (text[i + 1] === '[') {
      kind = 'csi';
      p = i + 2;
    } else if (text[i + 1] === ']') {
      kind = 'osc';
      p = i + 2;
    } else {
      kind = 'other';
      p = i + 1;
    }
    if (kind === 'csi') {
      // Parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E.
      let q = p;
      while (q < n && text.charCodeAt(q) >= 0x20 && text.charCodeAt(q) <= 0x3f) q++;
      if (q >= n) {
        buf += text.slice(i); // cut short: shown, not hidden
        break;
      }
      const fin = text.charCodeAt(q);
      if (fin >= 0x40 && fin <= 0x7e) {
        if (fin === 0x6d /* m */) {
          const body = text.slice(p, q);
          if (/^[\d;:]*$/.test(body)) {
            flush();
            const params = body === '' ? [] : body.split(/[;:]/).map((x) => (x === '' ? 0 : Math.min(Number(x), 1_000_000)));
            style = applySgr(style, params);
          }
        }
        i = q + 1;
      } else {
        buf += text.slice(i, q); // not a valid sequence: shown as text
        i = q;
      }
    } else if (kind === 'osc') {
      // Up to BEL or ST (ESC \\) on the same line: titles and hyperlinks are dropped whole.
      let q = p;
      while (q < n && text[q] !== '\u0007' && !(text[q] === ESC && text[q + 1] === '\\') && text[q] !== '\u009c' && text[q] !== '\n') q++;
      if (q >= n || text[q] === '\n') {
        // Never terminated on its line: it ends there, and what it would have hidden is shown.
        buf += text.slice(i, q);
        i = q;
      } else i = text[q] === ESC ? q + 2 : q + 1;
    } else {
      // ESC + a final byte 0x30–0x7E (ESC 7, ESC =, ESC c...), or + intermediates 0x20–0x2F and a final
      // (charset designations: ESC ( B): dropped whole. Anything else starts no sequence: the ESC is shown
      // as text and what follows is read on its own (an ESC must not swallow a newline or a letter).
      let q = p;
      while (q < n && text.charCodeAt(q) >= 0x20 && text.charCodeAt(q) <= 0x2f) q++;
      const fin = q < n ? text.charCodeAt(q) : -1;
      if (fin >= 0x30 && fin <= 0x7e) i = q + 1;
      else {
        buf += text.slice(i, q);
        i = q;
      }
    }
  }
  flush();
  return runs;
}

/** The text without any escape sequence. */
export function stripAnsi(text: string): string {
  return hasAnsi(text)
    ? parseAnsi(text)
        .map((r) => r.text)
        .join('')
    : text;
}
