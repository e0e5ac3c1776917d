/**
 * Numeric column filters for the calls table: `>1000`, `<=5k`, `10-20`,
 * `2.5s`, `=0`, `300ms`. A bare number means "equal". Units: k / M for
 * counts, ms / s / m for durations and times (the column's base unit is
 * given by the caller). Pure functions.
 */

export interface NumericFilter {
  op: '>' | '>=' | '<' | '<=' | '=' | 'range';
  a: number;
  b?: number;
}

const UNIT: Record<string, number> = { k: 1e3, m: 1e6, ms: 1, s: 1000, min: 60_000 };

/** A number with an optional unit suffix, in the column's base unit. `timeBase`: the base is ms and `m` means minutes. */
function parseQuantity(text: string, timeBase: boolean): number | null {
  const m = /^(-?\d+(?:\.\d+)?|-?\.\d+)\s*([a-z]*)$/i.exec(text.trim().replace(/,/g, ''));
  if (!m) return null;
  const n = Number(m[1]);
  let unit = m[2].toLowerCase();
  if (!unit) return n;
  if (timeBase) {
    if (unit === 'm') unit = 'min';
    if (unit === 'ms' || unit === 's' || unit === 'min') return n * UNIT[unit];
    return null;
  }
  if (unit === 'k') return n * UNIT.k;
  if (unit === 'm') return n * UNIT.m;
  return null;
}

/** null when the text is empty or not a filter expression. */
export function parseNumericFilter(text: string, timeBase = false): NumericFilter | null {
  const t = text.trim();
  if (!t) return null;
  const cmp = /^(>=|<=|>|<|=)\s*(.+)$/.exec(t);
  if (cmp) {
    const a = parseQuantity(cmp[2], timeBase);
    return a === null ? null : { op: cmp[1] as NumericFilter['op'], a };
  }
  const range = /^(.+?)\s*(?:\.\.|–|—|-)\s*(.+)$/.exec(t);
  if (range && !/^-/.test(t)) {
    const a = parseQuantity(range[1], timeBase);
    const b = parseQuantity(range[2], timeBase);
    if (a !== null && b !== null) return { op: 'range', a: Math.min(a, b), b: Math.max(a, b) };
  }
  const a = parseQuantity(t, timeBase);
  return a === null ? null : { op: '=', a };
}

export function matchesNumeric(f: NumericFilter, v: number | null | undefined): boolean {
  if (v == null || !Number.isFinite(v)) return false;
  switch (f.op) {
    case '>':
      return v > f.a;
    case '>=':
      return v >= f.a;
    case '<':
      return v < f.a;
    case '<=':
      return v <= f.a;
    case '=':
      return v === f.a;
    case 'range':
      return v >= f.a && v <= (f.b ?? f.a);
  }
}
