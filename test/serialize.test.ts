/**
 * state.json printing: the one-call path (no key JavaScript would reorder)
 * and the entry-by-entry path (ids that look like array indexes) write the
 * same serde text, maps in byte order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeState } from '../src/trace/serialize';
import type { RolloutTrace } from '../src/trace/schema/state';
import { JsonNumber } from '../src/trace/json/lossless';
import { reduceBundle } from '../src/trace/reducer';
import { corpusBundles } from '../scripts/fuzz-robustness';
import { sourceFor } from '../scripts/lib/robustness';

const official = (corpus: string, name: string) => readFileSync(join(__dirname, 'fixtures', corpus, name, 'state.json'), 'utf8');

describe('serializeState', () => {
  it.each([
    ['traces-schema1', 'tools-one-turn'],
    ['traces', 'tools-one-turn'],
    ['traces-schema3', 'tools-one-turn'],
  ])('prints %s/%s exactly as the reference did, from its parsed state', (corpus, name) => {
    const text = official(corpus, name);
    expect(serializeState(JSON.parse(text) as RolloutTrace)).toBe(text);
  });

  it('an id that looks like an array index keeps its byte-order place', () => {
    const state = JSON.parse(official('traces', 'single-turn-answer')) as RolloutTrace;
    const entry = Object.values(state.raw_payloads)[0];
    // JavaScript would list "7" before every other key; serde sorts it by bytes, after "10" and before "raw_payload:…".
    state.raw_payloads = { 'raw_payload:1': entry, '7': { ...entry, raw_payload_id: '7' }, '10': { ...entry, raw_payload_id: '10' } };
    const text = serializeState(state);
    const keys = [...text.slice(text.indexOf('"raw_payloads"')).matchAll(/^ {4}"([^"]+)": \{/gm)].map((m) => m[1]);
    expect(keys).toEqual(['10', '7', 'raw_payload:1']);
  });

  it('text that looks like an exact-number placeholder stays text', async () => {
    const [b] = corpusBundles(['single-turn-answer'], 1024);
    const prompt = 'What is the capital of France? Answer in one sentence.';
    const files = new Map([...b.files.files].map(([k, v]) => [k, String(v).split(prompt).join('\\u0000#1')] as const));
    const r = await reduceBundle(sourceFor({ ...b.files, files }, false));
    expect(r.error).toBeNull();
    const text = serializeState(r.state!);
    expect(text).toContain('"text": "\\u0000#1"');
    expect(text).not.toMatch(/"text": 1\b/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(r.state)));
  });

  it('exact numbers print as their serde text, beside text that quotes them', () => {
    const state = JSON.parse(official('traces', 'single-turn-answer')) as RolloutTrace;
    const [id] = Object.keys(state.conversation_items);
    const item = state.conversation_items[id] as unknown as Record<string, unknown>;
    item.extra = [new JsonNumber('9007199254740993'), new JsonNumber('1.0'), '\u0000#2', `"\u0000#3`];
    const text = serializeState(state);
    expect(text).toContain('9007199254740993,');
    expect(text).toContain('1.0,');
    expect(text).toContain('"\\u0000#2"');
    expect(text).toContain('"\\"\\u0000#3"');
  });

  it('outside state.json an exact number is written as the nearest number', () => {
    expect(JSON.stringify([new JsonNumber('9007199254740993'), new JsonNumber('1.0'), new JsonNumber('1e400')])).toBe('[9007199254740992,1,"1e400"]');
  });
});
