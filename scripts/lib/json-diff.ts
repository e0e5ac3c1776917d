/**
 * A small structural diff of two JSON texts (reduced states), for reports:
 * the paths whose values differ, with short renderings of both sides.
 */

export interface JsonDifference {
  path: string;
  ours: string;
  theirs: string;
}

const MISSING = '(absent)';

function show(v: unknown, max = 160): string {
  if (v === undefined) return MISSING;
  const s = JSON.stringify(v);
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** Differences between `ours` and `theirs` (parsed JSON), in document order, at most `limit`. */
export function diffJson(ours: unknown, theirs: unknown, limit = 50): JsonDifference[] {
  const out: JsonDifference[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (out.length >= limit) return;
    if (a === b) return;
    const isObj = (x: unknown) => x !== null && typeof x === 'object';
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length || a.some((x, i) => JSON.stringify(x) !== JSON.stringify(b[i]))) {
        // Lists of ids are easier to read whole.
        if (a.every((x) => typeof x !== 'object') && b.every((x) => typeof x !== 'object')) {
          out.push({ path: p, ours: show(a, 400), theirs: show(b, 400) });
          return;
        }
        const n = Math.max(a.length, b.length);
        for (let i = 0; i < n; i++) walk(a[i], b[i], `${p}[${i}]`);
      }
      return;
    }
    if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])];
      for (const k of keys) walk(ao[k], bo[k], p ? `${p}.${k}` : k);
      const ak = Object.keys(ao).filter((k) => k in bo);
      const bk = Object.keys(bo).filter((k) => k in ao);
      if (out.length < limit && ak.join('\u0000') !== bk.join('\u0000')) out.push({ path: `${p} (key order)`, ours: ak.join(','), theirs: bk.join(',') });
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: p, ours: show(a), theirs: show(b) });
  };
  walk(ours, theirs, '');
  return out;
}

/** Like diffJson on texts; when both parse to equal values, reports the first differing byte instead. */
export function diffStateTexts(ours: string, theirs: string, limit = 50): JsonDifference[] {
  if (ours === theirs) return [];
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(ours);
    b = JSON.parse(theirs);
  } catch {
    return [{ path: '(text)', ours: ours.slice(0, 80), theirs: theirs.slice(0, 80) }];
  }
  const d = diffJson(a, b, limit);
  if (d.length) return d;
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  return [
    {
      path: `(bytes at offset ${i})`,
      ours: JSON.stringify(ours.slice(Math.max(0, i - 30), i + 30)),
      theirs: JSON.stringify(theirs.slice(Math.max(0, i - 30), i + 30)),
    },
  ];
}
