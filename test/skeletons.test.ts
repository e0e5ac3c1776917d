/**
 * The byte-level recognition of composite payload records whose skeleton is
 * JSON, which spares the reducer parsing every prepared prompt of a schema-3
 * session: it may only say "known" where the full check (the fragments parse
 * as an array of parts + 1 strings, and joined with a value in each part's
 * place they are JSON) agrees, and it does say so for the prompts Codex writes
 * (or it would save nothing).
 */
import { describe, expect, it } from 'vitest';
import { KnownSkeletons } from '../src/trace/bundle/skeletons';
import { parseJsonFast } from '../src/trace/json/lossless';
import { Rng } from '../scripts/lib/prng';

const enc = new TextEncoder();
const record = (fragments: string[]) => enc.encode(JSON.stringify(fragments));
/** A prepared prompt's fragments as Codex 0.171.0 records them: the input array's opening, a comma between items, the rest. */
const prompt = (parts: number, rest = '],"tools":[{"type":"function","name":"exec_command"}],"instructions":"Be brief.\\n"}') => [
  '{"input":[',
  ...Array.from({ length: parts - 1 }, () => ','),
  rest,
];

/** The full check, as the payload store makes it without the shortcut. */
function wellFormed(bytes: Uint8Array, parts: number): boolean {
  let fragments: unknown;
  try {
    fragments = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return false;
  }
  if (!Array.isArray(fragments) || fragments.length !== parts + 1 || !fragments.every((f) => typeof f === 'string')) return false;
  try {
    parseJsonFast(fragments.join(' null '));
    return true;
  } catch {
    return false;
  }
}

/** Adds a record as the store does: only after the full check found it well formed. */
function learn(known: KnownSkeletons, fragments: string[]): void {
  const bytes = record(fragments);
  if (wellFormed(bytes, fragments.length - 1)) known.add(bytes, fragments.length - 1);
}

describe('known prompt skeletons', () => {
  it('recognises the next prompts of a thread, with more items, once one is checked', () => {
    const known = new KnownSkeletons();
    learn(known, prompt(3));
    for (const parts of [2, 3, 4, 40, 400]) expect(known.has(record(prompt(parts)), parts)).toBe(true);
  });

  it('keeps one part apart from two or more', () => {
    const known = new KnownSkeletons();
    learn(known, prompt(3));
    expect(known.has(record(prompt(1)), 1)).toBe(false);
    learn(known, prompt(1));
    expect(known.has(record(prompt(1)), 1)).toBe(true);
  });

  it('does not vouch for a prompt whose rest, items separator or part count differs', () => {
    const known = new KnownSkeletons();
    learn(known, prompt(3));
    expect(known.has(record(prompt(3, '],"tools":[}')), 3)).toBe(false);
    expect(known.has(record(['{"input":[', ',', ' ,', prompt(3)[3]]), 3)).toBe(false);
    expect(known.has(record(prompt(4)), 3)).toBe(false);
    // A separator that nests: JSON for two parts, not for three.
    const nesting = (parts: number) => ['[', ...Array.from({ length: parts - 1 }, () => ',['), ']]'];
    learn(known, nesting(2));
    expect(wellFormed(record(nesting(3)), 3)).toBe(false);
    expect(known.has(record(nesting(3)), 3)).toBe(false);
  });

  it('never says known where the full check says otherwise (random records)', () => {
    const rng = new Rng('skeletons');
    const pieces = ['{"input":[', '[', '{"a":', ']}', ']', '"', '\\"', ',', ' , ', 'null', '"x":1}', '],"n":2}', '{"k":"v"}', '\\u00e9', 'é', '}', ''];
    const fragment = () => Array.from({ length: rng.range(0, 3) }, () => pieces[rng.int(pieces.length)]).join('');
    const known = new KnownSkeletons();
    let recognised = 0;
    for (let i = 0; i < 3000; i++) {
      const parts = rng.range(1, 5);
      const head = rng.int(3) === 0 ? '{"input":[' : fragment();
      const tail = rng.int(3) === 0 ? '],"t":1}' : fragment();
      const middle = () => (rng.int(4) === 0 ? fragment() : ',');
      const fragments = [head, ...Array.from({ length: parts - 1 }, middle), tail];
      const bytes = record(fragments);
      const truth = wellFormed(bytes, parts);
      if (known.has(bytes, parts)) {
        recognised++;
        expect(truth, JSON.stringify(fragments)).toBe(true);
      }
      // Sometimes a record for another part count, to try recognising it against the wrong count.
      if (rng.int(5) === 0) expect(known.has(bytes, parts + 1) && !wellFormed(bytes, parts + 1)).toBe(false);
      if (truth) known.add(bytes, parts);
    }
    expect(recognised).toBeGreaterThan(100);
  });
});
