/**
 * The page builds a trace's timeline model once, in a task of its own before
 * the timeline mounts (src/app/staging.tsx), and the panel finds it again by
 * state and indexes. A model kept past its state or its indexes would show
 * another trace's spans, or links the indexes no longer resolve.
 */
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../../src/trace/indexes/build';
import { buildTimelineModel, getTimelineModel } from '../../src/trace/timeline';
import { loadState } from '../panels/helpers';

describe('getTimelineModel', () => {
  it('gives the panel the model already built for the same state and indexes', () => {
    const state = loadState('long-session');
    const indexes = buildTraceIndexes(state);
    const first = getTimelineModel(state, indexes);
    expect(getTimelineModel(state, indexes)).toBe(first);
    expect(first.spans.count).toBe(buildTimelineModel(state, indexes).spans.count);
  });

  it('builds anew for new indexes of the same state, and for another state', () => {
    const state = loadState('long-session');
    const first = getTimelineModel(state, buildTraceIndexes(state));
    const reindexed = buildTraceIndexes(state);
    const again = getTimelineModel(state, reindexed);
    expect(again).not.toBe(first);
    expect(again.indexes).toBe(reindexed);
    const other = loadState('multi-agent');
    const otherModel = getTimelineModel(other, buildTraceIndexes(other));
    expect(otherModel.state).toBe(other);
    expect(otherModel.spans.count).toBe(buildTimelineModel(other, buildTraceIndexes(other)).spans.count);
    expect(otherModel.spans.count).not.toBe(again.spans.count);
  });
});
