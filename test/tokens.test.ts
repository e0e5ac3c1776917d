/** Token aggregation, compaction savings and price tables (src/trace/tokens) on the real corpus. */
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../src/trace/indexes/build';
import { analyzeCompactions } from '../src/trace/compaction';
import {
  cacheHitRatio,
  compactionSavings,
  costOf,
  costOfModels,
  isPartial,
  parsePriceTable,
  priceOf,
  tokenTree,
  tokensByModel,
  type PriceTable,
  type TokenNode,
} from '../src/trace/tokens';
import { fixtureNames, loadRawState, loadState } from './panels/helpers';

/** Sums over the raw JSON's inference calls, computed without any of the code under test. */
function rawSums(calls: any[]) {
  const s = { calls: 0, noUsage: 0, input: 0, cachedInput: 0, cacheWriteInput: 0, output: 0, reasoning: 0 };
  for (const c of calls) {
    s.calls++;
    if (!c.usage) {
      s.noUsage++;
      continue;
    }
    s.input += c.usage.input_tokens;
    s.cachedInput += c.usage.cached_input_tokens;
    s.cacheWriteInput += c.usage.cache_write_input_tokens;
    s.output += c.usage.output_tokens;
    s.reasoning += c.usage.reasoning_output_tokens;
  }
  return s;
}

function table(models: Record<string, unknown>, extra: Record<string, unknown> = {}): PriceTable {
  const r = parsePriceTable(JSON.stringify({ currency: 'USD', per: 1_000_000, models, ...extra }));
  if (!r.ok) throw new Error(r.error);
  return r.table;
}

const walk = (n: TokenNode, f: (n: TokenNode) => void) => {
  f(n);
  for (const c of n.children) walk(c, f);
};

describe('tokenTree', () => {
  for (const name of fixtureNames()) {
    it(`${name}: every level sums what its inference calls recorded`, () => {
      const raw = loadRawState(name);
      const calls = Object.values<any>(raw.inference_calls);
      const tree = tokenTree(loadState(name));
      expect(tree.totals).toEqual(rawSums(calls));
      for (const thread of tree.children) {
        expect(thread.totals).toEqual(rawSums(calls.filter((c) => c.thread_id === thread.id)));
        for (const turn of thread.children) expect(turn.totals).toEqual(rawSums(calls.filter((c) => c.codex_turn_id === turn.id)));
      }
      const leaves: string[] = [];
      walk(tree, (n) => n.kind === 'call' && leaves.push(n.id));
      expect(leaves.sort()).toEqual(calls.map((c) => c.inference_call_id).sort());
    });
  }

  it('gives every turn a row, a turn with no call too (multi-turn-manual-compact)', () => {
    const raw = loadRawState('multi-turn-manual-compact');
    const tree = tokenTree(loadState('multi-turn-manual-compact'));
    const turns = tree.children.flatMap((t) => t.children);
    expect(turns.map((t) => t.id).sort()).toEqual(Object.keys(raw.codex_turns).sort());
    expect(turns.filter((t) => t.totals.calls === 0).length).toBeGreaterThan(0);
    expect(turns.map((t) => t.ordinal)).toEqual(turns.map((_, i) => i + 1));
  });

  it('puts the root thread first and calls in the order they started', () => {
    const raw = loadRawState('multi-agent');
    const tree = tokenTree(loadState('multi-agent'));
    expect(tree.children[0].id).toBe(raw.root_thread_id);
    expect(tree.children).toHaveLength(2);
    for (const thread of tree.children) {
      const seqs = thread.children.flatMap((t) => t.children.map((c) => raw.inference_calls[c.id].execution.started_seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(thread.children.flatMap((t) => t.children.map((c) => c.ordinal))).toEqual(seqs.map((_, i) => i + 1));
    }
  });

  it('counts calls without usage apart (inference-error-retry)', () => {
    const tree = tokenTree(loadState('inference-error-retry'));
    expect(tree.totals.calls).toBe(3);
    expect(tree.totals.noUsage).toBe(1);
    const noUsage: TokenNode[] = [];
    walk(tree, (n) => n.kind === 'call' && !n.hasUsage && noUsage.push(n));
    expect(noUsage).toHaveLength(1);
    expect(noUsage[0].totals).toMatchObject({ calls: 1, noUsage: 1, input: 0 });
  });

  it('prices every call and marks totals partial when a model has no price', () => {
    const state = loadState('long-session');
    const raw = loadRawState('long-session');
    const t = table({ 'gpt-5.5': { input: 1.25, cached_input: 0.125, output: 10 } });
    const tree = tokenTree(state, t);
    const s = rawSums(Object.values<any>(raw.inference_calls));
    const expected = ((s.input - s.cachedInput) * 1.25 + s.cachedInput * 0.125 + s.output * 10) / 1e6;
    expect(tree.cost!.amount).toBeCloseTo(expected, 10);
    expect(isPartial(tree.cost!)).toBe(false);

    const other = tokenTree(state, table({ 'gpt-4o': { input: 1, output: 1 } }));
    expect(other.cost).toMatchObject({ amount: 0, unpricedCalls: s.calls, unpricedModels: ['gpt-5.5'] });
    expect(isPartial(other.cost!)).toBe(true);

    const retry = tokenTree(loadState('inference-error-retry'), t);
    expect(retry.cost!.noUsageCalls).toBe(1);
    expect(isPartial(retry.cost!)).toBe(true);
  });

  it('session-list totals per model price to the same figure as the tree', () => {
    for (const name of ['long-session', 'mcp-tools', 'subagent-close-resume']) {
      const state = loadState(name);
      const t = table({ 'gpt-5.5': { input: 2, cached_input: 0.5, output: 8 }, 'mock-model': { input: 3, output: 3 } });
      const byModel = tokensByModel(state);
      expect(byModel.reduce((n, m) => n + m.calls, 0)).toBe(Object.keys(state.inference_calls).length);
      expect(costOfModels(t, byModel).amount).toBeCloseTo(tokenTree(state, t).cost!.amount, 10);
    }
  });
});

describe('cacheHitRatio', () => {
  it('is cached ÷ input, and null with no input', () => {
    expect(cacheHitRatio({ input: 200, cachedInput: 50 })).toBe(0.25);
    expect(cacheHitRatio({ input: 0, cachedInput: 0 })).toBeNull();
    // The recorded corpus never hits the cache (a mock model): 0, not null.
    expect(cacheHitRatio(tokenTree(loadState('long-session')).totals)).toBe(0);
  });
});

describe('compactionSavings', () => {
  /** The placement rule, independently: the first call of the thread whose window carries a replacement item, and the call before it. */
  function expectedSavings(raw: any) {
    const calls = Object.values<any>(raw.inference_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);
    return Object.values<any>(raw.compactions).map((cmp) => {
      const mine = calls.filter((c) => c.thread_id === cmp.thread_id);
      const i = mine.findIndex((c) => c.request_item_ids.some((id: string) => cmp.replacement_item_ids.includes(id)));
      const before = mine[i - 1].usage.input_tokens;
      const after = mine[i].usage.input_tokens;
      return { key: cmp.compaction_id, before, after, saved: before - after };
    });
  }

  for (const name of ['compaction-remote', 'multi-turn-manual-compact', 'long-session']) {
    it(`${name}: input of the last call before against the first call after`, () => {
      const state = loadState(name);
      const got = compactionSavings(state, analyzeCompactions(state, buildTraceIndexes(state)).events);
      const want = expectedSavings(loadRawState(name));
      expect(want.length).toBeGreaterThan(0);
      expect(got.map((g) => ({ key: g.key, before: g.inputBefore, after: g.inputAfter, saved: g.saved }))).toEqual(want);
      for (const g of got) expect(g.saved).toBeGreaterThan(0);
    });
  }

  it('long-session: the three compactions save 58,000, 57,500 and 57,500 input tokens', () => {
    const state = loadState('long-session');
    const got = compactionSavings(state, analyzeCompactions(state, buildTraceIndexes(state)).events);
    expect(got.map((g) => g.saved)).toEqual([58000, 57500, 57500]);
  });

  it('says "not measurable" when a side is missing or has no usage', () => {
    const state = loadState('compaction-remote');
    const events = analyzeCompactions(state, buildTraceIndexes(state)).events;
    const first = events.find((e) => e.kind === 'installed')!;
    state.inference_calls[first.firstAfterCallId!].usage = null;
    const [s] = compactionSavings(state, [first]);
    expect(s.saved).toBeNull();
    expect(s.unmeasurable).toBe('the call after it recorded no usage');
    const [t] = compactionSavings(state, [{ ...first, firstAfterCallId: null }]);
    expect(t.unmeasurable).toBe('no call after it');
  });

  it('leaves out failed compactions, which rewrote nothing', () => {
    const state = loadState('compaction-failed');
    const events = analyzeCompactions(state, buildTraceIndexes(state)).events;
    expect(events.some((e) => e.kind === 'failed')).toBe(true);
    expect(compactionSavings(state, events).every((s) => s.kind !== ('failed' as string))).toBe(true);
  });
});

describe('parsePriceTable', () => {
  const bad = (text: string) => {
    const r = parsePriceTable(text);
    expect(r.ok).toBe(false);
    return r.ok ? '' : r.error;
  };

  it('reads the documented format, with `per` defaulting to a million', () => {
    const r = parsePriceTable('{"currency":"USD","models":{"gpt-5.5":{"input":1.25,"cached_input":0.125,"output":10}}}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.table.per).toBe(1_000_000);
    expect(priceOf(r.table, 'gpt-5.5')).toEqual({ input: 1.25, cached_input: 0.125, output: 10 });
    expect(costOf(r.table, 'gpt-5.5', { input: 1_000_000, cachedInput: 400_000, cacheWriteInput: 0, output: 1000 })).toBeCloseTo(
      0.6 * 1.25 + 0.4 * 0.125 + 0.01,
      12,
    );
  });

  it('names what is wrong', () => {
    expect(bad('{"currency": "USD", models: {}}')).toMatch(/^The price table is not valid JSON: /);
    expect(bad('[1,2]')).toMatch(/must be a JSON object/);
    expect(bad('{"currency":"USD","models":{"gpt-5.5":{"input":-1,"output":10}}}')).toBe('Price table: models["gpt-5.5"].input must not be negative.');
    expect(bad('{"currency":"USD","models":{"gpt-5.5":{"input":"1","output":10}}}')).toBe('Price table: models["gpt-5.5"].input must be a number.');
    expect(bad('{"currency":"USD","models":{"gpt-5.5":{"input":1,"output":10,"cached":0.1}}}')).toMatch(
      /^Price table: models\["gpt-5.5"\] unknown field "cached"/,
    );
    expect(bad('{"currency":"USD","models":{"gpt-5.5":{"input":1}}}')).toBe('Price table: models["gpt-5.5"].output must be a number.');
    expect(bad('{"models":{}}')).toMatch(/^Price table: currency /);
    expect(bad('{"currency":"USD","per":0,"models":{}}')).toBe('Price table: per must be a positive number.');
    expect(bad('{"currency":"USD","models":[]}')).toMatch(/^Price table: models must be an object of model name → prices/);
    expect(bad(`{"currency":"USD","models":{},"pad":"${'x'.repeat(300 * 1024)}"}`)).toMatch(/too large/);
  });

  it('treats "__proto__" and "constructor" as model names, never as Object.prototype', () => {
    const r = parsePriceTable('{"currency":"USD","models":{"__proto__":{"input":1,"output":2},"gpt-5.5":{"input":1,"output":1}}}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(priceOf(r.table, '__proto__')).toEqual({ input: 1, output: 2 });
    expect(priceOf(r.table, 'constructor')).toBeNull();
    expect(priceOf(r.table, 'toString')).toBeNull();
    expect(costOf(r.table, 'constructor', { input: 10, cachedInput: 0, cacheWriteInput: 0, output: 10 })).toBeNull();
    expect(({} as any).input).toBeUndefined();
    expect(bad('{"currency":"USD","models":{"__proto__":{"input":-5,"output":2}}}')).toBe('Price table: models["__proto__"].input must not be negative.');
  });

  it('charges cached and cache-write tokens at input price when the table names none', () => {
    const t = table({ m: { input: 2, output: 0 } });
    expect(costOf(t, 'm', { input: 100, cachedInput: 60, cacheWriteInput: 30, output: 0 })).toBeCloseTo(200 / 1e6, 12);
    const u = table({ m: { input: 2, cached_input: 1, cache_write_input: 4, output: 0 } });
    expect(costOf(u, 'm', { input: 100, cachedInput: 60, cacheWriteInput: 30, output: 0 })).toBeCloseTo((10 * 2 + 60 * 1 + 30 * 4) / 1e6, 12);
  });
});
