/**
 * Before/after alignment of two model-visible histories (request windows).
 * Pure TS: no DOM, no React.
 *
 * Two items correspond when they are the same conversation item (same id), or,
 * failing that, when they have the same model-visible content (`contentKey`):
 * after a compaction the kept user messages and re-injected context are new
 * items with the old text. Each item corresponds to at most one on the other
 * side. Corresponding pairs are then kept in order (longest increasing
 * subsequence), and the rows interleave them with the removed and new items.
 */

/** How an aligned row relates the two sides. */
export type RowRelation =
  /** The same item is in both histories. */
  | 'same'
  /** Different items with identical content (e.g. a user message kept by the compaction, or context re-sent). */
  | 'resent'
  /** Only before: dropped from the history. */
  | 'removed'
  /** Only after: not in the history before (e.g. the summary, or a new message). */
  | 'new';

export interface AlignedRow {
  relation: RowRelation;
  /** Index into the `before` list, or -1. */
  before: number;
  /** Index into the `after` list, or -1. */
  after: number;
}

export interface Alignment {
  rows: AlignedRow[];
  /** For every before index: 'same' | 'resent' | 'removed'. */
  beforeRelation: RowRelation[];
  /** For every after index: 'same' | 'resent' | 'new'. */
  afterRelation: RowRelation[];
  /** before index → after index it corresponds to (also for pairs that could not be kept in order). */
  beforeMatch: Int32Array;
  afterMatch: Int32Array;
}

/** Indices of a longest strictly increasing subsequence of `xs` (O(n log n)). */
function lisIndices(xs: readonly number[]): number[] {
  const tails: number[] = [];
  const prev = new Int32Array(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]] < xs[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out: number[] = [];
  let k = tails.length ? tails[tails.length - 1] : -1;
  while (k >= 0) {
    out.push(k);
    k = prev[k];
  }
  return out.reverse();
}

export function alignHistories(before: readonly string[], after: readonly string[], keyOf: (id: string) => string): Alignment {
  const beforeMatch = new Int32Array(before.length).fill(-1);
  const afterMatch = new Int32Array(after.length).fill(-1);
  const byId = new Map<string, number[]>();
  before.forEach((id, i) => {
    const l = byId.get(id);
    if (l) l.push(i);
    else byId.set(id, [i]);
  });
  // Pass 1: the same item.
  for (let j = 0; j < after.length; j++) {
    const l = byId.get(after[j]);
    const i = l?.find((k) => beforeMatch[k] < 0);
    if (i !== undefined) {
      beforeMatch[i] = j;
      afterMatch[j] = i;
    }
  }
  // Pass 2: same content, first unused candidate in order.
  const byKey = new Map<string, number[]>();
  before.forEach((id, i) => {
    if (beforeMatch[i] >= 0) return;
    const k = keyOf(id);
    const l = byKey.get(k);
    if (l) l.push(i);
    else byKey.set(k, [i]);
  });
  for (let j = 0; j < after.length; j++) {
    if (afterMatch[j] >= 0) continue;
    const l = byKey.get(keyOf(after[j]));
    if (!l) continue;
    const pos = l.findIndex((k) => beforeMatch[k] < 0);
    if (pos < 0) continue;
    const i = l[pos];
    l.splice(pos, 1);
    beforeMatch[i] = j;
    afterMatch[j] = i;
  }

  const beforeRelation: RowRelation[] = before.map((id, i) => (beforeMatch[i] < 0 ? 'removed' : after[beforeMatch[i]] === id ? 'same' : 'resent'));
  const afterRelation: RowRelation[] = after.map((id, j) => (afterMatch[j] < 0 ? 'new' : before[afterMatch[j]] === id ? 'same' : 'resent'));

  // Keep the largest order-preserving set of pairs on shared rows.
  const matchedAfter: number[] = [];
  for (let j = 0; j < after.length; j++) if (afterMatch[j] >= 0) matchedAfter.push(j);
  const keep = lisIndices(matchedAfter.map((j) => afterMatch[j])).map((k) => matchedAfter[k]);

  const rows: AlignedRow[] = [];
  let i = 0;
  let j = 0;
  const flushBefore = (until: number) => {
    for (; i < until; i++) {
      // A before item matched out of order shows on its own row, still labelled by its relation.
      rows.push({ relation: beforeRelation[i], before: i, after: -1 });
    }
  };
  const flushAfter = (until: number) => {
    for (; j < until; j++) rows.push({ relation: afterRelation[j], before: -1, after: j });
  };
  for (const aj of keep) {
    const bi = afterMatch[aj];
    flushBefore(bi);
    flushAfter(aj);
    rows.push({ relation: afterRelation[aj], before: bi, after: aj });
    i = bi + 1;
    j = aj + 1;
  }
  flushBefore(before.length);
  flushAfter(after.length);
  // Pairs that could not be kept in order show as two one-sided rows, still labelled 'same'/'resent' (they moved).
  return { rows, beforeRelation, afterRelation, beforeMatch, afterMatch };
}
