/**
 * JSON parsing and printing that agree with serde_json, which the official
 * reducer uses. JavaScript's JSON.parse turns `1.0` into `1` and rounds
 * integers above 2^53; serde keeps `1.0` a float (printed back as `1.0`) and
 * rejects a float where an integer is expected. Such numbers are rare in
 * traces, so we parse with JSON.parse and fall back to a slower parser that
 * keeps exact numbers only for texts that contain one.
 */

/** A number that JSON.parse would not round-trip exactly: a float lexeme or an integer beyond 2^53. */
export class JsonNumber {
  constructor(readonly lexeme: string) {}
  get isInteger(): boolean {
    return !/[.eE]/.test(this.lexeme);
  }
  toNumber(): number {
    return Number(this.lexeme);
  }
  /**
   * Inside `printExactNumbers`, a placeholder that it swaps for the lexeme.
   * Anywhere else (the worker's JSON for the page) the nearest double, so that
   * the page sees a number; a lexeme beyond the double range stays text.
   */
  toJSON(): number | string {
    if (placeholder !== null) {
      placed++;
      return placeholder + this.lexeme;
    }
    const n = Number(this.lexeme);
    return Number.isFinite(n) ? n : this.lexeme;
  }
}

let placeholder: string | null = null;
let placed = 0;

/**
 * Runs `print`, whose JSON.stringify calls then write every JsonNumber as its
 * bare lexeme. JSON.stringify cannot write a bare number from toJSON, so each
 * JsonNumber is written as a string holding a random placeholder, swapped for
 * the lexeme afterwards. Content cannot pass for one: the swap is made only
 * when the text holds exactly as many placeholders as JsonNumbers were
 * printed, otherwise `print` runs again with another placeholder. Text with no
 * JsonNumber (almost every trace) is returned as printed, never scanned.
 */
export function printExactNumbers(print: () => string): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const mark = `\u0000${Math.random().toString(36).slice(2)}#`;
    placeholder = mark;
    placed = 0;
    let text: string;
    try {
      text = print();
    } finally {
      placeholder = null;
    }
    if (placed === 0) return text;
    const parts = text.split(JSON.stringify(mark).slice(0, -1));
    if (parts.length - 1 !== placed) continue;
    let out = parts[0];
    for (let i = 1; i < parts.length; i++) {
      // A lexeme holds no quote: the first one closes the placeholder string.
      const close = parts[i].indexOf('"');
      out += parts[i].slice(0, close) + parts[i].slice(close + 1);
    }
    return out;
  }
  throw new Error('printExactNumbers: the text keeps holding the placeholder');
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line} column ${column}`);
  }
}

/**
 * True when JSON.parse would not give serde's answer for this text: a number
 * it would not keep exactly, an escaped surrogate (serde rejects lone ones),
 * or nesting deeper than serde's limit of 128. Strings are skipped with
 * indexOf, so the cost stays small for large payloads; the rest is scanned a
 * character at a time, allocating nothing (a token regex's match arrays were
 * most of a replay's garbage).
 */
export function needsExactParse(text: string): boolean {
  let depth = 0;
  // Next backslash at or after some position (-1: none left). Kept across
  // strings so that text with many strings or many escapes stays linear.
  let bs = -2;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string; look for escaped surrogates on the way.
      let j = i + 1;
      let close = -2;
      for (;;) {
        if (close < j) close = text.indexOf('"', j);
        if (close < 0) return false; // unterminated: JSON.parse will report it
        if (bs !== -1 && bs < j) bs = text.indexOf('\\', j);
        if (bs >= 0 && bs < close) {
          if (text.charCodeAt(bs + 1) === 0x75 /* u */) {
            const h = text.charCodeAt(bs + 2) | 0x20;
            const h2 = text.charCodeAt(bs + 3) | 0x20;
            if (h === 0x64 /* d */ && h2 >= 0x38 /* 8 */ && (h2 <= 0x39 || (h2 >= 0x61 && h2 <= 0x66))) return true;
          }
          j = bs + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > 128) return true;
      i++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      i++;
    } else if (isDigit(c) || (c === 0x2d /* - */ && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      // A number as far as its characters go: a sign, digits, `.`, `e`, `E`, `+`, `-`.
      const from = i;
      i++;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      if (inexactNumber(text, from, i)) return true;
    } else i++;
  }
  return false;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isNumberChar = (c: number) => isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

function inexactNumber(text: string, from: number, to: number): boolean {
  const len = to - from;
  if (len <= 15) {
    let plain = true;
    for (let k = from; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x2e || c === 0x65 || c === 0x45) {
        plain = false;
        break;
      }
    }
    if (plain && !(len === 2 && text.charCodeAt(from) === 0x2d && text.charCodeAt(from + 1) === 0x30)) return false;
  }
  const lexeme = text.slice(from, to);
  // Not a JSON number (`1+2`, `1.e5`): the exact parser reports it where serde would.
  if (!JSON_NUMBER.test(lexeme)) return true;
  return String(Number(lexeme)) !== serdeNumberText(lexeme);
}

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/**
 * How the official reducer prints a number it parsed: its serde_json keeps
 * number text (arbitrary precision). Integers that fit 64 bits are printed
 * canonically (`-0` → `0`); other integers and all floats keep their digits,
 * with the exponent written `e`, signed (`1E5` → `1e+5`).
 */
export function serdeNumberText(lexeme: string): string {
  if (!/[.eE]/.test(lexeme)) {
    const b = BigInt(lexeme);
    return b >= I64_MIN && b <= U64_MAX ? b.toString() : lexeme;
  }
  let t = lexeme.replace('E', 'e');
  const e = t.indexOf('e');
  if (e >= 0 && t[e + 1] !== '+' && t[e + 1] !== '-') t = t.slice(0, e + 1) + '+' + t.slice(e + 1);
  return t;
}

/**
 * Parse a large document fast: JSON.parse, checked against serde's limits
 * (no escaped lone surrogates, nesting at most 128). Numbers may be inexact;
 * `parseJson` on the same text gives the exact values when they matter.
 */
export function parseJsonFast(text: string): JsonValue {
  if (text.includes('\\ud') || text.includes('\\uD')) return new ExactParser(text).parseDocument();
  let v: JsonValue;
  try {
    v = JSON.parse(text) as JsonValue;
  } catch {
    return new ExactParser(text).parseDocument();
  }
  if (tooDeep(v, 0)) return new ExactParser(text).parseDocument();
  return v;
}

/** Whether a container in `v`, itself at nesting `depth`, lies deeper than serde's limit. */
export function tooDeep(v: JsonValue, depth: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth >= 128) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === 'object' && tooDeep(x, depth + 1)) return true;
  } else {
    for (const k in v) {
      const x = (v as Record<string, JsonValue>)[k];
      if (x !== null && typeof x === 'object' && tooDeep(x, depth + 1)) return true;
    }
  }
  return false;
}

/** True when a JSON.parse'd value holds an integral number, whose original lexeme may have been a float. */
export function hasIntegralNumber(v: JsonValue): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return false;
  if (Array.isArray(v)) return v.some(hasIntegralNumber);
  for (const k in v) if (hasIntegralNumber((v as Record<string, JsonValue>)[k])) return true;
  return false;
}

/** Parse like serde_json::from_str::<Value>: exact numbers, rejects lone surrogates and depth > 128. */
export function parseJson(text: string): JsonValue {
  if (!needsExactParse(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Re-parse with the exact parser for a serde-like message and position.
    }
  }
  return new ExactParser(text).parseDocument();
}

class ExactParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('trailing characters');
    return v;
  }

  private fail(msg: string): never {
    let line = 1;
    let col = 0;
    for (let k = 0; k < this.i && k < this.s.length; k++) {
      if (this.s.charCodeAt(k) === 10) {
        line++;
        col = 0;
      } else col++;
    }
    // serde reports EOF at the last character read, other errors at the offending one.
    throw new JsonSyntaxError(msg, line, this.i >= this.s.length ? col : col + 1);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  private value(): JsonValue {
    const s = this.s;
    if (this.i >= s.length) this.fail('EOF while parsing a value');
    const c = s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        this.fail('expected value');
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    this.fail('expected ident');
  }

  private enter(): void {
    if (++this.depth > 128) this.fail('recursion limit exceeded');
  }

  private object(): JsonValue {
    this.enter();
    this.i++;
    const out: { [k: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(this.i >= this.s.length ? 'EOF while parsing an object' : 'key must be a string');
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(this.i >= this.s.length ? 'EOF while parsing an object' : 'expected `:`');
      this.i++;
      this.ws();
      out[k] = this.value();
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        this.depth--;
        return out;
      }
      this.fail(this.i >= this.s.length ? 'EOF while parsing an object' : 'expected `,` or `}`');
    }
  }

  private array(): JsonValue {
    this.enter();
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        this.depth--;
        return out;
      }
      this.fail(this.i >= this.s.length ? 'EOF while parsing a list' : 'expected `,` or `]`');
    }
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('EOF while parsing a string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character (\\u0000-\\u001F) found while parsing a string');
      if (c === 0x5c) {
        out += s.slice(start, this.i);
        const e = s[this.i + 1];
        this.i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const cp = this.hex4();
            if (cp >= 0xd800 && cp <= 0xdbff) {
              if (s[this.i] !== '\\' || s[this.i + 1] !== 'u') this.fail('lone leading surrogate in hex escape');
              this.i += 2;
              const lo = this.hex4();
              if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone leading surrogate in hex escape');
              out += String.fromCharCode(cp, lo);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
              this.fail('lone trailing surrogate in hex escape');
            } else out += String.fromCharCode(cp);
            break;
          }
          default:
            this.fail('invalid escape');
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
  }

  private hex4(): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid escape');
    this.i += 4;
    return parseInt(h, 16);
  }

  private number(): JsonValue {
    const s = this.s;
    const start = this.i;
    if (s[this.i] === '-') this.i++;
    if (s[this.i] === '0') {
      this.i++;
    } else if (s[this.i] >= '1' && s[this.i] <= '9') {
      while (s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    } else this.fail('invalid number');
    if (s[this.i] === '.') {
      this.i++;
      if (!(s[this.i] >= '0' && s[this.i] <= '9')) this.fail('invalid number');
      while (s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (!(s[this.i] >= '0' && s[this.i] <= '9')) this.fail('invalid number');
      while (s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    }
    const lexeme = s.slice(start, this.i);
    const text = serdeNumberText(lexeme);
    const n = Number(lexeme);
    return String(n) === text ? n : new JsonNumber(text);
  }
}

/** Compact serialization as serde_json::to_string would print the value. */
export function serdeStringify(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // A number only reaches here when its text prints back the same (see needsExactParse).
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof JsonNumber) return v.lexeme;
  if (Array.isArray(v)) return '[' + v.map(serdeStringify).join(',') + ']';
  let out = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + serdeStringify((v as Record<string, JsonValue>)[k]);
  }
  return out + '}';
}

/** serde's `Value::as_i64`: integers in i64 range only. */
export function asI64(v: JsonValue | undefined): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (v instanceof JsonNumber && v.isInteger) {
    const b = BigInt(v.lexeme);
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return Number(b);
  }
  return null;
}

/** The exact i64 value of an integer lexeme, or null when it is not one. */
export function asI64Exact(n: JsonNumber): bigint | null {
  if (!n.isInteger) return null;
  const b = BigInt(n.lexeme);
  return b >= -(2n ** 63n) && b < 2n ** 63n ? b : null;
}

/** Order two i64 values that may be exact-text numbers. */
export function compareI64(a: number | JsonNumber, b: number | JsonNumber): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'number' ? BigInt(a) : BigInt(a.lexeme);
  const y = typeof b === 'number' ? BigInt(b) : BigInt(b.lexeme);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** serde's u64 deserialization target: non-negative integers only. */
export function asU64(v: JsonValue | undefined): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : null;
  if (v instanceof JsonNumber && v.isInteger && !v.lexeme.startsWith('-')) return Number(BigInt(v.lexeme));
  return null;
}

export function isJsonObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Compact JSON with object keys sorted at every level (serde_json's canonical Value order). */
export function canonicalStringify(v: JsonValue): string {
  if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return serdeStringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalStringify).join(',') + ']';
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalStringify(v[k])).join(',') + '}';
}
