/**
 * The page spreads a large trace's compaction analysis over tasks
 * (src/app/staging.tsx): what it shows must be exactly the analysis done at
 * once, and a panel that asks for it part way gets it whole.
 */
import { describe, expect, it } from 'vitest';
import { advanceCompactionAnalysis, analyzeCompactions, getCompactionAnalysis } from '../src/trace/compaction';
import { buildTraceIndexes } from '../src/trace/indexes/build';
import { fixtureNames, loadState } from './panels/helpers';

/** A clock past every deadline: each call takes the analysis exactly one step further. */
const late = () => Number.POSITIVE_INFINITY;

describe('the compaction analysis in slices', () => {
  it('gives, one step per slice, the same events as the analysis done at once, for every fixture', () => {
    let sliced = 0;
    for (const name of fixtureNames()) {
      const state = loadState(name);
      const idx = buildTraceIndexes(state);
      let calls = 1;
      while (!advanceCompactionAnalysis(state, idx, 0, late)) calls++;
      if (calls > 1) sliced++;
      expect(getCompactionAnalysis(state, idx), name).toEqual(analyzeCompactions(state, buildTraceIndexes(state)));
    }
    expect(sliced).toBeGreaterThan(5);
  });

  it('a panel asking part way gets the whole analysis, the one later slices then find done', () => {
    const state = loadState('long-session');
    const idx = buildTraceIndexes(state);
    expect(advanceCompactionAnalysis(state, idx, 0, late)).toBe(false);
    expect(advanceCompactionAnalysis(state, idx, 0, late)).toBe(false);
    const whole = getCompactionAnalysis(state, idx);
    expect(whole.events.filter((e) => e.kind === 'installed')).toHaveLength(3);
    expect(whole).toEqual(analyzeCompactions(state, buildTraceIndexes(state)));
    expect(advanceCompactionAnalysis(state, idx, 0, late)).toBe(true);
    expect(getCompactionAnalysis(state, idx)).toBe(whole);
  });

  it('new indexes of the same state start a new analysis', () => {
    const state = loadState('long-session');
    const first = getCompactionAnalysis(state, buildTraceIndexes(state));
    const reindexed = buildTraceIndexes(state);
    expect(advanceCompactionAnalysis(state, reindexed, 0, late)).toBe(false);
    expect(getCompactionAnalysis(state, reindexed)).not.toBe(first);
  });
});

describe('a compaction analysis that fails', () => {
  it('fails again for the next caller, whether it failed part way or whole', () => {
    const state = loadState('long-session');
    for (const c of Object.values(state.compactions)) delete (c as { request_ids?: unknown }).request_ids;
    const idx = buildTraceIndexes(state);
    expect(() => getCompactionAnalysis(state, idx)).toThrow(/request_ids/);
    expect(() => getCompactionAnalysis(state, idx)).toThrow(/request_ids/);
    // Part way: a slice at a time, up to the step that fails.
    expect(() => {
      while (!advanceCompactionAnalysis(state, idx, 0, late));
    }).toThrow(/request_ids/);
    expect(() => getCompactionAnalysis(state, idx)).toThrow(/request_ids/);
  });
});
