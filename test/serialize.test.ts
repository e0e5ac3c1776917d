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
});
