/**
 * Whether UTF-8 bytes are a JSON document `parseJsonFast` accepts, without
 * decoding them. Schema 3 records every prompt as prepared for the model,
 * which the replay never reads but must find to be JSON: on the gigabyte
 * recording, decoding those half-megabyte texts only to parse them took
 * half the reduction.
 *
 * One-sided: `true` means certainly accepted; `false` means "parse it to
 * know" (it may be invalid, or hold what only the full parser decides:
 * escaped surrogates, nesting near serde's limit of 128). Bytes from 0x80
 * inside strings are taken as text, as the lenient decoder the shard reader
 * uses turns any of them into characters.
 */

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Minus = 0x2d,
  Plus = 0x2b,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
}

/** Deepest nesting taken without the full parser (serde refuses past 128). */
const MAX_DEPTH = 120;

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= C.Zero && c <= C.Nine;
const isHex = (c: number) => isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

export function isCertainlyJson(b: Uint8Array): boolean {
  const n = b.length;
  /** Open containers, innermost last: true for an object. */
  const stack: boolean[] = [];
  let i = 0;
  const ws = () => {
    while (i < n && isWs(b[i])) i++;
  };
  /** Past the string starting at i (a quote); false when it is not one the fast path is sure of. */
  const string = (): boolean => {
    i++;
    for (;;) {
      // Most of a string is plain text: find the next quote or backslash, checking for control characters on the way.
      while (i < n) {
        const c = b[i];
        if (c === C.Quote || c === C.Backslash) break;
        if (c < 0x20) return false;
        i++;
      }
      if (i >= n) return false;
      if (b[i] === C.Quote) {
        i++;
        return true;
      }
      const e = b[i + 1];
      if (e === 0x75 /* u */) {
        if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) return false;
        // An escaped surrogate: whether it is paired is for the full parser to say.
        if ((b[i + 2] | 0x20) === 0x64 /* d */ && b[i + 3] >= 0x38 /* 8 */) return false;
        i += 6;
      } else if (e === C.Quote || e === C.Backslash || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i += 2;
      else return false;
    }
  };
  const number = (): boolean => {
    if (b[i] === C.Minus) i++;
    if (b[i] === C.Zero) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else return false;
    if (b[i] === C.Dot) {
      i++;
      if (!isDigit(b[i])) return false;
      while (isDigit(b[i])) i++;
    }
    if ((b[i] | 0x20) === 0x65 /* e */) {
      i++;
      if (b[i] === C.Plus || b[i] === C.Minus) i++;
      if (!isDigit(b[i])) return false;
      while (isDigit(b[i])) i++;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
    i += word.length;
    return true;
  };
  /** A value at i (whitespace skipped); containers are opened on the stack, not recursed into. */
  const value = (): boolean => {
    const c = b[i];
    if (c === C.Quote) return string();
    if (c === C.OpenBrace || c === C.OpenBracket) {
      if (stack.length >= MAX_DEPTH) return false;
      stack.push(c === C.OpenBrace);
      i++;
      ws();
      if (b[i] === (c === C.OpenBrace ? C.CloseBrace : C.CloseBracket)) {
        stack.pop();
        i++;
        return true;
      }
      if (c === C.OpenBrace) return member();
      ws();
      return value();
    }
    if (c === C.Minus || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    return false;
  };
  /** A `"key": value` of the innermost object. */
  const member = (): boolean => {
    ws();
    if (b[i] !== C.Quote || !string()) return false;
    ws();
    if (b[i] !== C.Colon) return false;
    i++;
    ws();
    return value();
  };

  ws();
  if (!value()) return false;
  for (;;) {
    ws();
    if (stack.length === 0) return i === n;
    const inObject = stack[stack.length - 1];
    const c = b[i];
    if (c === C.Comma) {
      i++;
      ws();
      if (!(inObject ? member() : value())) return false;
    } else if (c === (inObject ? C.CloseBrace : C.CloseBracket)) {
      stack.pop();
      i++;
    } else return false;
  }
}
