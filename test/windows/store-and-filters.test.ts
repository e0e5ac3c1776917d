import { beforeEach, describe, expect, it } from 'vitest';
import { resetStore, selectItemLifetime, useStore } from '../../src/store';
import { matchesNumeric, parseNumericFilter } from '../../src/panels/request-window/filters';
import { byteTicks, niceTicks } from '../../src/panels/request-window/chartScale';
import { loadManifest, loadRawState, loadState } from '../panels/helpers';

function finish(name: string) {
  useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
}

beforeEach(() => resetStore());

describe('selectItemLifetime (store selector for timelines)', () => {
  it('is null unless a conversation item is selected', () => {
    expect(selectItemLifetime(useStore.getState())).toBeNull();
    finish('tools-one-turn');
    expect(selectItemLifetime(useStore.getState())).toBeNull();
    const raw = loadRawState('tools-one-turn');
    const call = Object.values<any>(raw.inference_calls)[0];
    useStore.getState().select({ kind: 'inference_call', id: call.inference_call_id });
    expect(selectItemLifetime(useStore.getState())).toBeNull();
  });

  it('gives the carrying calls of the selected item and is memoized until the item or trace changes', () => {
    finish('compaction-remote');
    const raw = loadRawState('compaction-remote');
    useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:4' });
    const a = selectItemLifetime(useStore.getState());
    const carriers = Object.values<any>(raw.inference_calls)
      .sort((x, y) => x.execution.started_seq - y.execution.started_seq)
      .filter((c) => c.request_item_ids.includes('conversation_item:4'))
      .map((c) => c.inference_call_id);
    expect(a?.callIds).toEqual(carriers);
    expect(a?.end).toEqual({ type: 'compacted', compactionId: '01a211df-b672-7542-80d5-fdadbe3c53d0' });
    // unrelated store changes keep the same object (no re-render for subscribers)
    useStore.getState().setViewport({ startMs: 1, endMs: 2 });
    expect(selectItemLifetime(useStore.getState())).toBe(a);
    // re-selecting the same item keeps it too; another item gives a new one
    useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:4' });
    expect(selectItemLifetime(useStore.getState())).toBe(a);
    useStore.getState().select({ kind: 'conversation_item', id: 'conversation_item:5' });
    const b = selectItemLifetime(useStore.getState());
    expect(b).not.toBe(a);
    expect(b?.itemId).toBe('conversation_item:5');
    // a new load drops it
    finish('compaction-remote');
    expect(selectItemLifetime(useStore.getState())).toBeNull();
  });
});

describe('numeric column filters', () => {
  it('parses comparisons, ranges, units and bare numbers', () => {
    expect(parseNumericFilter('')).toBeNull();
    expect(parseNumericFilter('>1000')).toEqual({ op: '>', a: 1000 });
    expect(parseNumericFilter('>= 5k')).toEqual({ op: '>=', a: 5000 });
    expect(parseNumericFilter('<1.5M')).toEqual({ op: '<', a: 1_500_000 });
    expect(parseNumericFilter('10-20')).toEqual({ op: 'range', a: 10, b: 20 });
    expect(parseNumericFilter('20..10')).toEqual({ op: 'range', a: 10, b: 20 });
    expect(parseNumericFilter('7')).toEqual({ op: '=', a: 7 });
    expect(parseNumericFilter('1,234')).toEqual({ op: '=', a: 1234 });
    expect(parseNumericFilter('>2s', true)).toEqual({ op: '>', a: 2000 });
    expect(parseNumericFilter('<300ms', true)).toEqual({ op: '<', a: 300 });
    expect(parseNumericFilter('1m', true)).toEqual({ op: '=', a: 60_000 });
    expect(parseNumericFilter('1s-3s', true)).toEqual({ op: 'range', a: 1000, b: 3000 });
    expect(parseNumericFilter('>2s')).toBeNull();
    expect(parseNumericFilter('>>')).toBeNull();
    expect(parseNumericFilter('abc')).toBeNull();
  });

  it('matches values; missing values never match', () => {
    expect(matchesNumeric({ op: '>', a: 10 }, 11)).toBe(true);
    expect(matchesNumeric({ op: '>', a: 10 }, 10)).toBe(false);
    expect(matchesNumeric({ op: '<=', a: 10 }, 10)).toBe(true);
    expect(matchesNumeric({ op: 'range', a: 1, b: 3 }, 3)).toBe(true);
    expect(matchesNumeric({ op: 'range', a: 1, b: 3 }, 4)).toBe(false);
    expect(matchesNumeric({ op: '=', a: 0 }, 0)).toBe(true);
    expect(matchesNumeric({ op: '>', a: 0 }, null)).toBe(false);
    expect(matchesNumeric({ op: '<', a: 5 }, undefined)).toBe(false);
  });
});

describe('chart ticks', () => {
  it('nice decimal ticks reach the maximum; byte ticks sit on KiB boundaries', () => {
    expect(niceTicks(95, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0)).toEqual([0]);
    const b = byteTicks(40_000, 4);
    expect(b[b.length - 1]).toBeGreaterThanOrEqual(40_000);
    for (const t of b) expect(t % 1024).toBe(0);
  });
});

describe('formatInt', () => {
  it('formats like toLocaleString(en-US) for integers', async () => {
    const { formatInt } = await import('../../src/ui/format');
    for (const n of [0, 7, 999, 1000, 12_345, 1_000_000, 987_654_321, -4321, 12.6]) expect(formatInt(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });
});
