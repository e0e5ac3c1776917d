/**
 * Characters in untrusted text that change how it reads without being seen:
 * bidirectional controls (which can make `evil.sh` display as `hs.live`),
 * zero-width characters, Unicode tag characters (hidden ASCII), and C0
 * controls. They are found here and shown as visible markers by
 * src/ui/SafeText.tsx. Pure: no DOM.
 */

const NAMES: Record<number, string> = {
  0x061c: 'ALM',
  0x200b: 'ZWSP',
  0x200c: 'ZWNJ',
  0x200d: 'ZWJ',
  0x200e: 'LRM',
  0x200f: 'RLM',
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2060: 'WJ',
  0x2061: 'FA',
  0x2062: 'IT',
  0x2063: 'IS',
  0x2064: 'IP',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
  0x180e: 'MVS',
  0xfeff: 'BOM',
  0x00ad: 'SHY',
  0x007f: 'DEL',
};

/**
 * 'id': every invisible character is revealed (ids, paths, commands).
 * 'text': prose and output; ZWJ/ZWNJ are kept because emoji sequences and
 * several scripts need them.
 */
export type InvisibleMode = 'id' | 'text';

export interface TextRun {
  text: string;
  /** Set when this run is one invisible character: its short name (RLO, ZWSP, NUL...). */
  invisible?: string;
  /** U+XXXX of the invisible character. */
  code?: string;
}

// C0 controls except TAB, LF, CR (and ESC, which ANSI handling owns when on), DEL and the C1 controls.
const PATTERN_ID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g;
const PATTERN_TEXT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g;

const C0 = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'TAB',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];

export function invisibleName(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20) return C0[cp];
  if (cp >= 0xe0000 && cp <= 0xe007f) {
    // A tag character mirrors an ASCII one: show which, so hidden text becomes readable.
    const a = cp - 0xe0000;
    return a >= 0x20 && a < 0x7f ? `TAG ${String.fromCharCode(a)}` : 'TAG';
  }
  return NAMES[cp] ?? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const codeOf = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export function hasInvisible(text: string, mode: InvisibleMode = 'text'): boolean {
  const re = mode === 'id' ? PATTERN_ID : PATTERN_TEXT;
  re.lastIndex = 0;
  const found = re.test(text);
  re.lastIndex = 0;
  return found;
}

/** Splits text into plain runs and one-character invisible runs. `keepEsc` leaves ESC in plain runs (for ANSI parsing). */
export function splitInvisible(text: string, mode: InvisibleMode = 'text', keepEsc = false): TextRun[] {
  const re = new RegExp((mode === 'id' ? PATTERN_ID : PATTERN_TEXT).source, 'g');
  const out: TextRun[] = [];
  let last = 0;
  let plain = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (keepEsc && m[0] === '\u001b') continue;
    plain += text.slice(last, m.index);
    if (plain) out.push({ text: plain });
    plain = '';
    out.push({ text: m[0], invisible: invisibleName(m[0]), code: codeOf(m[0]) });
    last = m.index + m[0].length;
  }
  plain += text.slice(last);
  if (plain) out.push({ text: plain });
  return out;
}

/** The text with each invisible character written as ⟨NAME⟩ (for titles, tooltips and other plain-string places). */
export function escapeInvisible(text: string, mode: InvisibleMode = 'id'): string {
  if (!hasInvisible(text, mode)) return text;
  return splitInvisible(text, mode)
    .map((r) => (r.invisible ? `⟨${r.invisible}⟩` : r.text))
    .join('');
}
