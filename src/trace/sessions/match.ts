/**
 * Search across sessions without an index: the documents of each bundle
 * (./documents.ts) scanned for a query, with the meaning `serve`'s SQLite FTS5
 * index gives the same words (src/cli/search/index.ts), so that a dropped
 * root and a served one answer a reader alike. Each whitespace-separated term
 * is a phrase of its word pieces, the last piece a prefix, matched whole-word
 * and case-insensitively in a document's title or body, a Latin letter's
 * accent aside (accentless); every term must match.
 * The answer has the served search's shape (`SearchResult['groups']`). Pure.
 *
 * Scanning is a generator that yields now and then, so that the worker can
 * pause between slices and notice a newer query.
 */
import type { SearchDocument } from './documents';
import type { SearchResult } from './list';

/** Hits listed per bundle (the rest are counted as `more`), in both searches. */
export const SEARCH_PER_BUNDLE = 20;

/**
 * What FTS5's unicode61 tokenizer, with `_` added as a token character, keeps
 * in a token: letters, digits and `_`. So `call_0009` is one word, and
 * `conversation_item:8` two.
 */
const WORD = '\\p{L}\\p{N}_';

/**
 * The reader's text as terms, each the list of its word pieces: `missing-file.txt`
 * is one term of three pieces. At most 16 terms of the first 500 characters.
 */
export function queryTerms(text: string): string[][] {
  return text
    .slice(0, 500)
    .split(/\s+/)
    .map((t) => t.split(/[^\p{L}\p{N}_]+/u).filter(Boolean))
    .filter((pieces) => pieces.length > 0)
    .slice(0, 16);
}

/**
 * FTS5's unicode61 tokenizer (remove_diacritics 1, its default) indexes a
 * Latin letter with one diacritic as the bare letter: é is e, while ế (two)
 * stays ế, and ø (none to take off) stays ø. These are those letters, by
 * their bare letter; made at the first query, not when the worker or the
 * command line starts.
 */
let accented: Map<string, string> | null = null;

function accentedForms(): Map<string, string> {
  if (accented) return accented;
  accented = new Map();
  const blocks: [number, number][] = [
    [0x00c0, 0x024f], // Latin-1 Supplement to Latin Extended-B
    [0x1e00, 0x1eff], // Latin Extended Additional
  ];
  for (const [from, to] of blocks)
    for (let cp = from; cp <= to; cp++) {
      const c = String.fromCharCode(cp);
      const parts = c.normalize('NFD');
      if (parts.length !== 2 || !/\p{M}/u.test(parts[1])) continue;
      const bare = parts[0].toLowerCase();
      accented.set(bare, (accented.get(bare) ?? '') + c);
    }
  return accented;
}

/** The letter as FTS5 indexes it: its accent taken off where unicode61 takes it off. */
function accentless(c: string): string {
  if (c.length !== 1 || c < '\u00c0') return c;
  const bare = c.normalize('NFD')[0];
  return accentedForms().get(bare.toLowerCase())?.includes(c) ? bare : c;
}

/**
 * A query piece as a pattern that finds it with or without accents, the way
 * the index finds it: each letter, as FTS5 indexes it, or any of its accented
 * forms (the text is searched as written, so a snippet's marks stay where the
 * reader sees them).
 */
function pieceSource(piece: string): string {
  let out = '';
  for (const c of piece) {
    const bare = accentless(c);
    const forms = accentedForms().get(bare.toLowerCase());
    out += forms ? `[${bare}${forms}]` : bare;
  }
  return out;
}

export interface CompiledQuery {
  /** One per term: its pieces in order, separated by non-word characters, the first at a word's start, the match running to the end of the word the last piece begins. */
  readonly terms: readonly RegExp[];
}

/** The query as patterns, or null when it has no word to look for. */
export function compileQuery(text: string): CompiledQuery | null {
  const terms = queryTerms(text);
  if (!terms.length) return null;
  return {
    // A piece holds letters, digits and `_` only (queryTerms splits on everything else): no pattern syntax can reach the RegExp.
    terms: terms.map((pieces) => new RegExp(`(?<![${WORD}])${pieces.map(pieceSource).join(`[^${WORD}]+`)}[${WORD}]*`, 'giu')),
  };
}

/** Occurrences counted per term and field: enough to tell a passing mention from a document about it. */
const MAX_COUNTED = 10;

function occurrences(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < MAX_COUNTED && re.exec(text)) n++;
  return n;
}

/**
 * How well a document answers the query, 0 when some term is in neither its
 * title nor its body. A stand-in for the index's BM25 with the same weights
 * (a title occurrence counts twice a body one).
 */
export function documentScore(q: CompiledQuery, doc: SearchDocument): number {
  let score = 0;
  for (const re of q.terms) {
    const inTitle = occurrences(re, doc.title);
    const inText = occurrences(re, doc.ids) + occurrences(re, doc.body);
    if (inTitle + inText === 0) return 0;
    score += 2 * inTitle + inText;
  }
  return score;
}

/** A snippet's words of context (as `serve` asks FTS5 for), how many come before the match, and bounds in characters for words that run long. */
const SNIPPET = { words: 16, maxChars: 240, wordsBefore: 3, maxCharsBefore: 60 } as const;

/** Matches of each term looked at for where a snippet goes, and the span of text in which they count together. */
const SPOTS_PER_TERM = 16;
const SPOT_SPAN = 160;

/**
 * Where the snippet's first match is, [start, end], or [-1, 0] when the body
 * has none: the match that begins the span holding the most of the query's
 * terms (the earliest such), so that a query of several words shows them
 * together where the body has them together, as FTS5 chooses.
 */
function bestSpot(q: CompiledQuery, body: string): [number, number] {
  const spots: { at: number; end: number; term: number }[] = [];
  q.terms.forEach((re, term) => {
    re.lastIndex = 0;
    for (let m = re.exec(body), n = 0; m && n < SPOTS_PER_TERM; m = re.exec(body), n++) spots.push({ at: m.index, end: m.index + m[0].length, term });
  });
  if (!spots.length) return [-1, 0];
  spots.sort((a, b) => a.at - b.at);
  // A window sliding over the spots in order, counting the terms inside it.
  const inside = new Array<number>(q.terms.length).fill(0);
  let distinct = 0;
  let best = 0;
  let bestDistinct = 0;
  let r = 0;
  for (let l = 0; l < spots.length; l++) {
    for (; r < spots.length && spots[r].end <= spots[l].at + SPOT_SPAN; r++) if (inside[spots[r].term]++ === 0) distinct++;
    if (distinct > bestDistinct) [best, bestDistinct] = [l, distinct];
    if (r > l && --inside[spots[l].term] === 0) distinct--;
    else if (r <= l) r = l + 1;
  }
  return [spots[best].at, spots[best].end];
}

/** Trace text is shown as text: a marker character in it would be taken for one of ours (every snippet maker strips them). */
export const withoutMarks = (t: string) => t.replace(/[\u0001\u0002]/g, '');

/**
 * The body around its best match (bestSpot), about 16 words, each match
 * wrapped in U+0001 … U+0002 and `…` where the body was cut (as FTS5's
 * snippet() writes it). A document that matched by its title alone gives the
 * body's start.
 */
export function snippet(q: CompiledQuery, body: string): string {
  const [first, firstEnd] = bestSpot(q, body);
  const word = new RegExp(`(?<![${WORD}])[${WORD}]+`, 'gu');
  let start = 0;
  if (first > 0) {
    // A few whole words before the match (the look-behind sees the text before the window, so no word is taken from its middle).
    const starts: number[] = [];
    word.lastIndex = Math.max(0, first - SNIPPET.maxCharsBefore);
    for (let m = word.exec(body); m && m.index < first; m = word.exec(body)) starts.push(m.index);
    start = starts.length ? starts[Math.max(0, starts.length - SNIPPET.wordsBefore)] : first;
  }
  word.lastIndex = start;
  let end = start;
  for (let n = 0; n < SNIPPET.words; n++) {
    const m = word.exec(body);
    if (!m || m.index + m[0].length - start > SNIPPET.maxChars) break;
    end = m.index + m[0].length;
  }
  word.lastIndex = end;
  const last = word.exec(body) === null;
  // No word after the window: its end is the body's (a closing stop, not a cut). A word longer than a
  // snippet (a hash, base64), or no word at all: cut by characters, the match in.
  if (last || end === start) end = Math.min(body.length, start + SNIPPET.maxChars);
  end = Math.max(end, Math.min(firstEnd, start + SNIPPET.maxChars));
  const marks: [number, number][] = [];
  for (const re of q.terms) {
    re.lastIndex = start;
    for (let m = re.exec(body); m && m.index < end; m = re.exec(body)) marks.push([m.index, Math.min(end, m.index + m[0].length)]);
  }
  marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [a, b] of marks) {
    if (b <= at) continue;
    const from = Math.max(a, at);
    out += `${withoutMarks(body.slice(at, from))}\u0001${withoutMarks(body.slice(from, b))}\u0002`;
    at = b;
  }
  return `${out}${withoutMarks(body.slice(at, end))}${end < body.length ? '…' : ''}`;
}

/**
 * A hit's snippet: its text's when the text matched, else its ids' when they
 * did (a search for an id), else the text's start (a match in the title). The
 * ids lead no snippet of a text search, where they only took its room. `serve`
 * chooses between FTS5's two snippets by the same rule.
 */
export function chooseSnippet(text: string, ids: string): string {
  if (text.includes('\u0001') || !ids.includes('\u0001')) return text;
  return ids;
}

export interface BundleDocuments {
  /** The bundle's name in the session list. */
  name: string;
  docs: readonly SearchDocument[];
}

/** Characters scanned between two pauses: a fraction of a millisecond of work. */
const PAUSE_EVERY_CHARS = 256 * 1024;

/**
 * The hits of `q` in `bundles`: per bundle its best `perBundle` hits with
 * snippets and how many more there are, the bundles with the most hits first
 * (then the best single hit, then the order given). Yields between pieces
 * of work; the groups are its return value.
 */
export function* searchBundles(q: CompiledQuery, bundles: readonly BundleDocuments[], perBundle = SEARCH_PER_BUNDLE): Generator<void, SearchResult['groups']> {
  const found: { group: SearchResult['groups'][number]; best: number; order: number }[] = [];
  let scanned = 0;
  for (const [order, bundle] of bundles.entries()) {
    const hits: { doc: SearchDocument; score: number; order: number }[] = [];
    for (const [i, doc] of bundle.docs.entries()) {
      const score = documentScore(q, doc);
      if (score > 0) hits.push({ doc, score, order: i });
      scanned += doc.title.length + doc.ids.length + doc.body.length;
      if (scanned >= PAUSE_EVERY_CHARS) {
        scanned = 0;
        yield;
      }
    }
    if (!hits.length) continue;
    // Shorter documents first among equals, as BM25 has it: the hit is more of what they say.
    hits.sort((a, b) => b.score - a.score || a.doc.body.length - b.doc.body.length || a.order - b.order);
    const listed = hits.slice(0, perBundle).map(({ doc }) => ({
      kind: doc.kind,
      ref: doc.ref,
      threadId: doc.threadId,
      title: doc.title,
      snippet: chooseSnippet(snippet(q, doc.body), snippet(q, doc.ids)),
    }));
    found.push({ group: { name: bundle.name, hits: listed, more: hits.length - listed.length }, best: hits[0].score, order });
  }
  found.sort((a, b) => b.group.hits.length + b.group.more - (a.group.hits.length + a.group.more) || b.best - a.best || a.order - b.order);
  return found.map((f) => f.group);
}
