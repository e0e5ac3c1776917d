import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reduceBundle } from '../src/trace/reducer';
import { MemorySource } from '../src/trace/bundle/source';
import { DiagnosticCollector, DIAGNOSTIC_GROUP_LIMIT, DIAGNOSTIC_SAMPLE_LIMIT, DiagnosticGroupsSchema, formatDiagnosticGroup } from '../src/trace/diagnostics';
import { runReduce } from '../src/cli/reduce';
import { TRACES, listFiles } from './loader-helpers';
import { FLOOD_BASE, floodedTrace, writeFloodedBundle } from './unknown-flood';

const N = 200_000;

function floodedSource(trace: string): MemorySource {
  const dir = path.join(TRACES, FLOOD_BASE);
  const files = new Map<string, string | Uint8Array>();
  for (const rel of listFiles(dir, dir)) files.set(rel, new Uint8Array(readFileSync(path.join(dir, rel))));
  files.set('trace.jsonl', trace);
  return new MemorySource(FLOOD_BASE, files);
}

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe('skipped unknown events are grouped, with bounded samples', () => {
  it(`200,000 events of one unknown type: one group with the count, first and last line/seq, ${DIAGNOSTIC_SAMPLE_LIMIT} kept`, async () => {
    const r = await reduceBundle(floodedSource(floodedTrace(N)), { unknownEvents: 'skip' });
    expect(r.error).toBeNull();
    // The events around the flood are all applied.
    expect(r.eventsApplied).toBe(
      readFileSync(path.join(TRACES, FLOOD_BASE, 'trace.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
    );
    expect(r.diagnostics).toHaveLength(1);
    const [g] = r.diagnostics;
    expect(g).toMatchObject({
      kind: 'unknown_event_type',
      file: 'trace.jsonl',
      eventType: 'foo_bar',
      count: N,
      first: { line: 7, seq: 7 },
      last: { line: N + 6, seq: N + 6 },
    });
    expect(g.sample).toHaveLength(DIAGNOSTIC_SAMPLE_LIMIT);
    expect(g.sample[0]).toEqual({ line: 7, seq: 7 });
    expect(g.sample.at(-1)).toEqual({ line: 6 + DIAGNOSTIC_SAMPLE_LIMIT, seq: 6 + DIAGNOSTIC_SAMPLE_LIMIT });
    expect(g.omitted).toBe(N - DIAGNOSTIC_SAMPLE_LIMIT);
    expect(g.message).toBe('unknown event type `foo_bar`');
    // What crosses the worker protocol is valid as is.
    expect(DiagnosticGroupsSchema.safeParse(r.diagnostics).success).toBe(true);
    expect(formatDiagnosticGroup(g, (n) => n.toLocaleString('en-US'))).toBe(
      'trace.jsonl: skipped 200,000 events of type `foo_bar`, lines 7–200,006 (seq 7–200,006)',
    );
  });

  it('several types: a group each, in order of first occurrence, counts adding up', async () => {
    const types = ['alpha_event', 'beta_event', 'gamma_event'];
    const r = await reduceBundle(floodedSource(floodedTrace(3000, { typeOf: (i) => types[i % 3] })), { unknownEvents: 'skip' });
    expect(r.error).toBeNull();
    expect(r.diagnostics.map((g) => [g.eventType, g.count, g.first.line, g.last.line, g.sample.length, g.omitted])).toEqual([
      ['alpha_event', 1000, 7, 7 + 2997, 1000, 0],
      ['beta_event', 1000, 8, 8 + 2997, 1000, 0],
      ['gamma_event', 1000, 9, 9 + 2997, 1000, 0],
    ]);
  });

  it('every event of another type: the groups stop at the limit and one group counts the rest', async () => {
    const n = 5000;
    const r = await reduceBundle(floodedSource(floodedTrace(n, { typeOf: (i) => `type_${i}_${'x'.repeat(300)}` })), { unknownEvents: 'skip' });
    expect(r.error).toBeNull();
    expect(r.diagnostics).toHaveLength(DIAGNOSTIC_GROUP_LIMIT + 1);
    const other = r.diagnostics.at(-1)!;
    expect(other.eventType).toBeNull();
    expect(other.count).toBe(n - DIAGNOSTIC_GROUP_LIMIT);
    expect(other.first.line).toBe(7 + DIAGNOSTIC_GROUP_LIMIT);
    expect(other.sample).toHaveLength(DIAGNOSTIC_SAMPLE_LIMIT);
    expect(r.diagnostics.reduce((s, g) => s + g.count, 0)).toBe(n);
    // Type names are cut: a log chooses them.
    expect(r.diagnostics[0].eventType!.length).toBeLessThanOrEqual(201);
    expect(DiagnosticGroupsSchema.safeParse(r.diagnostics).success).toBe(true);
  });

  it('the collector keeps at most the sample limit however many are added', () => {
    const c = new DiagnosticCollector(10, 2);
    for (let i = 1; i <= 1_000_000; i++) c.add('unknown_event_type', 'trace.jsonl', i % 2 ? 'a' : 'b', i, i - 1);
    const groups = c.result();
    expect(groups.map((g) => [g.eventType, g.count, g.sample.length, g.omitted, g.last])).toEqual([
      ['a', 500_000, 10, 499_990, { line: 999_999, seq: 999_998 }],
      ['b', 500_000, 10, 499_990, { line: 1_000_000, seq: 999_999 }],
    ]);
    expect(c.total).toBe(1_000_000);
  });

  it('an unknown type is still an error without skip', async () => {
    const r = await reduceBundle(floodedSource(floodedTrace(5)));
    expect(r.error?.line).toBe(7);
    expect(r.error?.causes[0]).toMatch(/unknown event type `foo_bar`/);
    expect(r.diagnostics).toEqual([]);
  });
});

describe('reduce --skip-unknown', () => {
  it('prints one warning per group with the count and first/last line and seq, not a line per event', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctv-flood-'));
    tmp.push(dir);
    writeFloodedBundle(path.join(dir, 'b'), N, { typeOf: (i) => (i < N - 10 ? 'foo_bar' : 'baz_qux') });
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    });
    let code: number;
    try {
      code = await runReduce({ bundle: path.join(dir, 'b'), output: path.join(dir, 'state.json'), partial: false, skipUnknown: true });
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    expect(err.join('').split('\n').filter(Boolean)).toEqual([
      'warning: trace.jsonl: skipped 199990 events of type `foo_bar`, lines 7–199996 (seq 7–199996)',
      'warning: trace.jsonl: skipped 10 events of type `baz_qux`, lines 199997–200006 (seq 199997–200006)',
    ]);
    expect(readdirSync(dir)).toContain('state.json');
  });
});
