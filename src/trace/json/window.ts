/**
 * Parsing of model request payloads that re-send most of the previous one.
 * A request carries the thread's whole window (`input`), so consecutive
 * requests share a long prefix (the window up to the newest items) and a long
 * suffix (tools, settings); parsing every request whole made the work grow
 * with the square of the session. Here only the middle is parsed, and each
 * window item keeps an identity key across requests, so that what is derived
 * from an item (its normalized form) is derived once.
 *
 * The shortcut is taken only where it provably gives what parsing the whole
 * text gives: the prefix ends just after a complete window item of the
 * previous text, the suffix is the previous text's tail after its last item,
 * and the middle parses as `, item, item…` in array context. Anything else
 * (a first request, a changed prefix, escaped surrogates, a middle that does
 * not parse) is parsed whole.
 *
 * When the source hands out bytes, requests are compared as bytes and only
 * the middle and tail are decoded: on a gigabyte bundle, decoding each
 * request whole cost more than all the rest of the reduction.
 */
import { JsonNumber, parseJson, parseJsonFast, tooDeep, type JsonValue } from './lossless';
import type { FileText } from '../bundle/source';

type Obj = { [k: string]: JsonValue };

/** A request payload as parsed, with what the next request of its thread can reuse. */
export interface WindowParse {
  value: JsonValue;
  /** Per `input` element: a key equal for two elements only when their texts are (null: no window). */
  keys: readonly number[] | null;
  /** Per `input` element: derived data kept while the element stays in the window. */
  derived: unknown[] | null;
  /** The element parsed with serde-exact numbers, or undefined when only a whole-text parse gives it. */
  exactElement(i: number): JsonValue | undefined;
}

/**
 * What a request is compared in: its bytes when the source had them, else its
 * text. Offsets into it (`ends`, the common prefix) are in the same unit.
 */
type Units = Uint8Array | string;

interface Shape {
  units: Units;
  value: Obj;
  input: JsonValue[];
  /** ends[i]: offset just past element i of `input`. */
  ends: number[];
  keys: number[];
  derived: unknown[];
}

/** Most threads a bundle runs at once; beyond this the least recent thread's window is parsed whole next time. */
const MAX_SHAPES = 16;

export class WindowParser {
  private readonly shapes = new Map<string, Shape>();
  private nextKey = 1;

  /** Parses like parseJsonFast (and throws as it does); `thread` names whose previous request to reuse. */
  parse(body: FileText, thread: string): WindowParse {
    const prev = this.shapes.get(thread);
    if (prev !== undefined) {
      const inc = this.incremental(prev, body);
      if (inc !== null) {
        this.keep(thread, inc.shape);
        return inc.parse;
      }
    }
    const text = body.text();
    const value = parseJsonFast(text);
    const shape = hasEscapedSurrogate(text) ? null : this.shapeOf(body.bytes, text, value);
    if (shape === null) {
      this.shapes.delete(thread);
      return { value, keys: null, derived: null, exactElement: () => undefined };
    }
    this.keep(thread, shape);
    return { value, keys: shape.keys, derived: shape.derived, exactElement: () => undefined };
  }

  private keep(thread: string, shape: Shape): void {
    const prev = this.shapes.get(thread);
    if (typeof shape.units !== 'string') shape.units = ownCopy(shape.units, prev?.units);
    this.shapes.delete(thread);
    this.shapes.set(thread, shape);
    if (this.shapes.size > MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value!);
  }

  private shapeOf(bytes: Uint8Array | null, text: string, value: JsonValue): Shape | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof JsonNumber) return null;
    const input = value.input;
    if (!Array.isArray(input)) return null;
    if (!Object.keys(value).every(safeKey)) return null;
    const at = inputElements(text);
    if (at === null || at.ends.length !== input.length) return null;
    // Compared as bytes from now on when the element ends can be placed in them; as text otherwise.
    const byteEnds = bytes === null ? null : bytes.length === text.length ? at.ends : byteOffsets(text, 0, at.ends, 0);
    const asBytes = bytes !== null && byteEnds !== null && endsAgree(bytes, byteEnds, text, at.ends, 0);
    const keys = at.ends.map(() => this.nextKey++);
    return { units: asBytes ? bytes : text, value, input, ends: asBytes ? byteEnds : at.ends, keys, derived: new Array(input.length) };
  }

  private incremental(prev: Shape, body: FileText): { shape: Shape; parse: WindowParse } | null {
    // Compared in the unit the previous request was kept in; a request that now comes as bytes is parsed whole
    // once, and kept as bytes from then on.
    if (typeof prev.units === 'string' && body.bytes !== null) return null;
    const units: Units | null = typeof prev.units === 'string' ? body.text() : body.bytes;
    if (units === null) return null;
    // Compared a word at a time only where both are aligned alike: the kept copy is moved to match.
    if (typeof prev.units !== 'string' && typeof units !== 'string') prev.units = alignedLike(prev.units, units);
    const common = commonPrefix(prev.units, units);
    let k = upperBound(prev.ends, common);
    // An element ending in a number or literal could go on in the new text; one closed by `}`, `]` or `"` cannot.
    while (k > 0 && !CLOSERS.has(codeAt(prev.units, prev.ends[k - 1] - 1))) k--;
    if (k === 0) return null;
    const from = prev.ends[k - 1];
    const rest = typeof units === 'string' ? units.slice(from) : body.textFrom(from);
    if (hasEscapedSurrogate(rest)) return null;
    // The same lexer state as just past element k of the window: inside `input` (depth 1) after a value.
    // `null` cannot be extended into another token by whatever text follows.
    const synthetic = RESUME + rest;
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(synthetic) as JsonValue;
    } catch {
      return null;
    }
    if (!isPlainObject(parsed) || tooDeep(parsed, 0)) return null;
    const at = inputElements(synthetic);
    const added = parsed.input;
    if (at === null || !Array.isArray(added) || added[0] !== null || at.ends.length !== added.length) return null;
    const value: Obj = {};
    for (const key of Object.keys(prev.value)) {
      if (key === 'input') break;
      value[key] = prev.value[key];
    }
    for (const key of Object.keys(parsed)) if (!safeKey(key)) return null;
    const input = prev.input.slice(0, k);
    for (let i = 1; i < added.length; i++) input.push(added[i]);
    value.input = input;
    for (const key of Object.keys(parsed)) if (key !== 'input') value[key] = parsed[key];
    const restEnds = at.ends.slice(1).map((e) => e - RESUME.length);
    const newEnds = typeof units === 'string' || units.length - from === rest.length ? restEnds : byteOffsets(rest, 0, restEnds, 0);
    if (typeof units !== 'string' && !endsAgree(units, newEnds, rest, restEnds, from)) return null;
    const ends = prev.ends.slice(0, k);
    for (const e of newEnds) ends.push(from + e);
    const keys = prev.keys.slice(0, k);
    for (let i = 1; i < added.length; i++) keys.push(this.nextKey++);
    const derived = prev.derived.slice(0, k);
    derived.length = input.length;
    let exact: JsonValue[] | null = null;
    return {
      shape: { units, value, input, ends, keys, derived },
      parse: {
        value,
        keys,
        derived,
        exactElement: (i) => {
          if (i < k) return undefined;
          exact ??= (parseJson(synthetic) as Obj).input as JsonValue[];
          return exact[i - k + 1];
        },
      },
    };
  }
}

const RESUME = '{"input":[null';

/**
 * The request's bytes in memory of the parser's own, reusing the previous
 * request's when it is large enough: a source may reuse the memory it handed
 * out once the event is done (see PayloadStore.release), and the request is
 * compared with the next one much later.
 */
function ownCopy(bytes: Uint8Array, prev: Units | undefined): Uint8Array {
  // Three bytes more, to move the copy to any alignment (alignedLike).
  const room = prev !== undefined && typeof prev !== 'string' && prev.buffer.byteLength >= bytes.length + 3 ? new Uint8Array(prev.buffer) : null;
  const into = room ?? new Uint8Array(Math.ceil(bytes.length * 1.25) + 3);
  into.set(bytes);
  return into.subarray(0, bytes.length);
}

/** The kept copy `own` moved within its buffer to the alignment (by 4) of `like`. */
function alignedLike(own: Uint8Array, like: Uint8Array): Uint8Array {
  const shift = like.byteOffset & 3;
  if ((own.byteOffset & 3) === shift) return own;
  const whole = new Uint8Array(own.buffer);
  whole.copyWithin(shift, own.byteOffset, own.byteOffset + own.length);
  return whole.subarray(shift, shift + own.length);
}

const isPlainObject = (v: JsonValue): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

/**
 * Keys that keep their place in text order when rebuilt by assignment: not
 * array indexes (which JavaScript lists first) and not `__proto__`.
 */
const safeKey = (k: string) => k !== '__proto__' && !/^(?:0|[1-9][0-9]*)$/.test(k);

const CLOSERS = new Set([0x7d, 0x5d, 0x22]);

/** serde rejects escaped lone surrogates, which JSON.parse takes; such texts are parsed whole, exactly. */
function hasEscapedSurrogate(text: string): boolean {
  return text.includes('\\ud') || text.includes('\\uD');
}

/** Number of entries of the sorted `ends` at most `limit`. */
function upperBound(ends: readonly number[], limit: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Length of the common prefix of a and b (texts, or bytes). */
function commonPrefix(a: Units, b: Units): number {
  if (typeof a === 'string' || typeof b === 'string') return typeof a === 'string' && typeof b === 'string' ? commonTextPrefix(a, b) : 0;
  return commonBytePrefix(a, b);
}

function codeAt(units: Units, i: number): number {
  return typeof units === 'string' ? units.charCodeAt(i) : units[i];
}

/** Common prefix of two byte arrays, a word at a time where both are aligned alike. */
export function commonBytePrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  if ((a.byteOffset & 3) === (b.byteOffset & 3)) {
    while (i < n && ((a.byteOffset + i) & 3) !== 0) {
      if (a[i] !== b[i]) return i;
      i++;
    }
    const words = (n - i) >> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset + i, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset + i, words);
    let w = 0;
    while (w < words && wa[w] === wb[w]) w++;
    i += w << 2;
  }
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * The UTF-8 byte offsets of the character offsets `chars` (ascending) of
 * `text`, counting from character `start` at byte `startByte`.
 */
function byteOffsets(text: string, start: number, chars: readonly number[], startByte: number): number[] {
  const out: number[] = [];
  let c = start;
  let b = startByte;
  for (const target of chars) {
    for (; c < target; c++) {
      const u = text.charCodeAt(c);
      // A surrogate pair is four bytes, two per half; everything else by its code point.
      b += u < 0x80 ? 1 : u < 0x800 ? 2 : u >= 0xd800 && u <= 0xdfff ? 2 : 3;
    }
    out.push(b);
  }
  return out;
}

/**
 * Whether each element's last byte is its last character: a check that the
 * byte offsets are right (a source that replaced bad bytes with U+FFFD has
 * texts whose lengths in bytes differ from the file's); where it fails, the
 * text is compared instead.
 */
function endsAgree(bytes: Uint8Array, byteEnds: readonly number[], text: string, charEnds: readonly number[], base: number): boolean {
  for (let i = 0; i < byteEnds.length; i++) if (bytes[base + byteEnds[i] - 1] !== text.charCodeAt(charEnds[i] - 1)) return false;
  return true;
}

/** Length of the common prefix of two texts. */
function commonTextPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  for (let step = 4096; step >= 1; step >>= 4) {
    while (i + step <= n && a.slice(i, i + step) === b.slice(i, i + step)) i += step;
  }
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** Offset just past the string whose opening quote is at i. */
function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    let bs = 0;
    while (text.charCodeAt(q - 1 - bs) === 0x5c) bs++;
    if (bs % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Offset just past the value starting at i (valid JSON assumed), or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c !== 0x7b && c !== 0x5b) {
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (isWs(d) || d === 0x2c || d === 0x5d || d === 0x7d) break;
      i++;
    }
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x22) {
      i = skipString(text, i);
      if (i < 0) return -1;
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Ends of the elements of the array whose content starts at `i` (just past `[`; valid JSON assumed). */
function elementEnds(text: string, i: number): number[] {
  const ends: number[] = [];
  i = skipWs(text, i);
  if (text.charCodeAt(i) === 0x5d) return ends;
  for (;;) {
    i = skipWs(text, i);
    const end = skipValue(text, i);
    if (end < 0) return ends;
    ends.push(end);
    i = skipWs(text, end);
    if (text.charCodeAt(i) !== 0x2c) return ends;
    i++;
  }
}

/** Where the elements of the top-level `input` array end, in a text that parsed; null if not one plain `input` array. */
function inputElements(text: string): { ends: number[] } | null {
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return null;
  i = skipWs(text, i + 1);
  let found: { ends: number[] } | null = null;
  if (text.charCodeAt(i) === 0x7d) return null;
  for (;;) {
    i = skipWs(text, i);
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return null;
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return null;
    i = skipWs(text, i + 1);
    const end = skipValue(text, i);
    if (end < 0) return null;
    if (key === 'input') {
      if (found !== null || text.charCodeAt(i) !== 0x5b) return null;
      found = { ends: elementEnds(text, i + 1) };
    }
    i = skipWs(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      continue;
    }
    return c === 0x7d ? found : null;
  }
}
