/**
 * The parser built from the event schemas, which spares a reduction zod's
 * cost on lines zod accepts: on every event line of every recorded bundle
 * (each schema, the broken ones too) and on thousands of damaged copies, it
 * either refuses (zod then gives the verdict and the message) or gives what
 * zod gives, key for key and in the same order. It does accept the recorded
 * lines, or it would save nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvelopeSchema, EventPayloadSchema } from '../src/trace/schema/events';
import { fastParser, REFUSED } from '../src/trace/schema/fast-parse';
import { JsonNumber, parseJson } from '../src/trace/json/lossless';
import { Rng } from '../scripts/lib/prng';

const FIXTURES = path.resolve(__dirname, 'fixtures');

function eventLogs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...eventLogs(p));
    else if (name === 'trace.jsonl') out.push(p);
  }
  return out;
}

/** Every line that parses as JSON, as the reducer parses it (big integers and float lexemes kept exact). */
function recordedLines(): unknown[] {
  const lines: unknown[] = [];
  for (const log of eventLogs(FIXTURES))
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      try {
        lines.push(parseJson(line));
      } catch {
        // Not JSON: the reducer refuses it before any schema.
      }
    }
  return lines;
}

/** The same value, key order and keys holding undefined included. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a instanceof JsonNumber || b instanceof JsonNumber) return a === b;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

const schemas = [
  ['envelope', EnvelopeSchema, fastParser(EnvelopeSchema)],
  ['payload', EventPayloadSchema, fastParser(EventPayloadSchema)],
] as const;

/** Checks one input against both parsers; returns whether the fast one accepted it. */
function agree(input: unknown): boolean[] {
  return schemas.map(([name, schema, fast]) => {
    const subject = name === 'payload' && input !== null && typeof input === 'object' ? (input as { payload?: unknown }).payload : input;
    const ours = fast(subject);
    if (ours === REFUSED) return false;
    const theirs = schema.safeParse(subject);
    expect(theirs.success, `${name}: accepted what zod refuses: ${JSON.stringify(subject)}`).toBe(true);
    expect(same(ours, theirs.data), `${name}: ${JSON.stringify(ours)} against zod's ${JSON.stringify(theirs.data)}`).toBe(true);
    return true;
  });
}

/** A damaged copy: one field somewhere dropped, retyped, nulled, or joined by an unknown one. */
function damage(rng: Rng, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof JsonNumber) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return copy;
  const key = keys[rng.int(keys.length)];
  const target = copy as Record<string, unknown>;
  const replacements: unknown[] = [
    undefined,
    null,
    0,
    -1,
    1.5,
    2 ** 53 + 2,
    'x',
    '',
    true,
    [],
    {},
    { type: 'model' },
    new JsonNumber('1e400'),
    new JsonNumber('9223372036854775807'),
    4294967296,
  ];
  switch (rng.int(5)) {
    case 0:
      delete target[key];
      break;
    case 1:
      target[key] = replacements[rng.int(replacements.length)];
      break;
    case 2:
      target[`${key}_extra`] = replacements[rng.int(replacements.length)];
      break;
    default:
      target[key] = damage(rng, target[key]);
  }
  return copy;
}

describe('the fast event parser', () => {
  const lines = recordedLines();

  it('gives what zod gives on every recorded event line, and accepts them', () => {
    let accepted = 0;
    for (const line of lines) if (agree(line).every(Boolean)) accepted++;
    expect(lines.length).toBeGreaterThan(5000);
    expect(accepted / lines.length).toBeGreaterThan(0.99);
  });

  it('refuses, or gives what zod gives, on damaged copies of them', () => {
    const rng = new Rng('fast-parse');
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      let v = lines[rng.int(lines.length)];
      for (let k = rng.range(1, 3); k > 0; k--) v = damage(rng, v);
      if (agree(v).some(Boolean)) accepted++;
    }
    // Some damage leaves a line valid (an unknown field, a dropped optional one): those are accepted.
    expect(accepted).toBeGreaterThan(1000);
  });
});
