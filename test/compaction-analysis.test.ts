/** Pure compaction analysis (src/trace/compaction) on the real corpus and on edited copies of it. */
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../src/trace/indexes/build';
import {
  alignHistories,
  analyzeCompactions,
  contentKey,
  eventForRef,
  eventForSelection,
  firstCallWithout,
  getCompactionAnalysis,
  itemBytes,
  lastCallWith,
  modelViewAt,
  utf8Bytes,
} from '../src/trace/compaction';
import type { RolloutTrace } from '../src/trace/schema/state';
import type { ObjectRef } from '../src/trace/indexes/refs';
import { focusForSelection } from '../src/trace/windows/focus';
import { fixtureNames, loadRawState, loadState } from './panels/helpers';

const ci = (n: number) => `conversation_item:${n}`;
const cis = (...ns: number[]) => ns.map(ci);

function analyze(state: RolloutTrace) {
  return analyzeCompactions(state, buildTraceIndexes(state));
}
/** Inference call ids of the (only) thread, in started_seq order, from the raw JSON. */
function callsInOrder(raw: any): string[] {
  return Object.values<any>(raw.inference_calls)
    .sort((a, b) => a.execution.started_seq - b.execution.started_seq)
    .map((c) => c.inference_call_id);
}

describe('utf8Bytes / itemBytes', () => {
  it('counts UTF-8 bytes like TextEncoder, including astral characters', () => {
    for (const s of ['', 'abc', 'é', '€', '日本語', '😀 ok', 'a\ud800b' /* lone surrogate → U+FFFD, 3 bytes */]) {
      expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
  it('sizes an item by its body parts', () => {
    const s = loadState('compaction-remote');
    const summary = s.conversation_items[ci(14)];
    expect(summary.body.parts[0].type).toBe('encoded');
    expect(itemBytes(summary)).toBe((summary.body.parts[0] as { value: string }).value.length);
    expect(itemBytes(s.conversation_items[ci(10)])).toBe(0); // marker: no parts
  });
});

describe('alignHistories', () => {
  const key = (id: string) => id.replace(/'$/, ''); // x' has the same content as x
  it('pairs same ids and same content in order, and marks removed and new', () => {
    const a = alignHistories(['s', 'a', 'b', 'c', 'd'], ["s'", "a'", 'd', 'n'], key);
    const rel = a.rows.map((r) => r.relation);
    expect(rel).toEqual(['resent', 'resent', 'removed', 'removed', 'same', 'new']);
    expect(a.beforeRelation).toEqual(['resent', 'resent', 'removed', 'removed', 'same']);
    expect(a.afterRelation).toEqual(['resent', 'resent', 'same', 'new']);
  });
  it('prefers the same id over equal content, and uses each item once', () => {
    const a = alignHistories(["x'", 'x'], ['x', "x'"], key);
    expect(Array.from(a.afterMatch)).toEqual([1, 0]);
    expect(a.afterRelation).toEqual(['same', 'same']);
    // Out-of-order pairs cannot share rows: one of them becomes two one-sided rows.
    expect(a.rows).toHaveLength(3);
  });
  it('contentKey ignores ids but never matches two markers', () => {
    const s = loadState('compaction-remote');
    expect(contentKey(s.conversation_items[ci(4)])).toBe(contentKey(s.conversation_items[ci(13)]));
    expect(contentKey(s.conversation_items[ci(10)])).not.toBe(contentKey(s.conversation_items[ci(20)]));
  });
});

describe('installed compactions', () => {
  for (const name of ['compaction-remote', 'long-session', 'multi-turn-manual-compact', 'compaction-failed']) {
    it(`${name}: one event per compaction, with exactly its input and replacement ids`, () => {
      const raw = loadRawState(name);
      const a = analyze(loadState(name));
      const installed = a.events.filter((e) => e.kind === 'installed');
      expect(installed.map((e) => e.compactionId).sort()).toEqual(Object.keys(raw.compactions).sort());
      for (const e of installed) {
        const c = raw.compactions[e.compactionId!];
        expect(e.replacedIds).toEqual(c.input_item_ids);
        expect(e.replacementIds).toEqual(c.replacement_item_ids);
        expect(e.markerId).toBe(c.marker_item_id);
        expect(e.atMs).toBe(c.installed_at_unix_ms);
        for (const r of c.request_ids) expect(e.requestIds).toContain(r);
        // The first request after carries the replacement, the last one before does not.
        const after = raw.inference_calls[e.firstAfterCallId!];
        expect(after.request_item_ids).toEqual(expect.arrayContaining(c.replacement_item_ids));
        const before = raw.inference_calls[e.lastBeforeCallId!];
        expect(before.request_item_ids.some((id: string) => c.replacement_item_ids.includes(id))).toBe(false);
        expect(before.execution.started_seq).toBeLessThan(after.execution.started_seq);
      }
      expect(a.counts.untraced).toBe(0);
    });
  }

  it('compaction-remote: before/after windows, alignment, sizes and tokens', () => {
    const raw = loadRawState('compaction-remote');
    const calls = callsInOrder(raw);
    const a = analyze(loadState('compaction-remote'));
    const [c1, c2] = a.events;
    expect(c1.label).toBe('Compaction 1');
    expect(c2.label).toBe('Compaction 2');
    expect(c1.lastBeforeCallId).toBe(calls[1]);
    expect(c1.firstAfterCallId).toBe(calls[2]);
    // Before: the request window 1..7, its response 8, and the tool output 9 not yet sent.
    expect(c1.before!.itemIds).toEqual(cis(1, 2, 3, 4, 5, 6, 7, 8, 9));
    expect(c1.before!.origins).toEqual(['request', 'request', 'request', 'request', 'request', 'request', 'request', 'response', 'pending']);
    expect(c1.after!.itemIds).toEqual(cis(15, 11, 12, 13, 14));
    const al = c1.alignment!;
    // The re-injected instructions (15≈1) and the kept messages (11≈2, 12≈3, 13≈4) pair with their originals.
    const pairs = al.rows.filter((r) => r.before >= 0 && r.after >= 0).map((r) => [c1.before!.itemIds[r.before], c1.after!.itemIds[r.after], r.relation]);
    expect(pairs).toEqual([
      [ci(1), ci(15), 'resent'],
      [ci(2), ci(11), 'resent'],
      [ci(3), ci(12), 'resent'],
      [ci(4), ci(13), 'resent'],
    ]);
    expect(al.afterRelation[4]).toBe('new'); // the encrypted summary
    expect(c1.before!.itemIds.filter((_, i) => al.beforeRelation[i] === 'removed')).toEqual(cis(5, 6, 7, 8, 9));
    expect(c1.tokensBefore).toBe(25980 + 20);
    expect(c1.tokensAfter).toBe(7980);
    expect(c1.savedItems).toBe(4);
    expect(c1.savedBytes).toBe(c1.before!.size.bytes - c1.after!.size.bytes);
    expect(c1.status).toBe('completed');
    expect(c1.durationMs).toBe(
      raw.compactions[c1.compactionId!].installed_at_unix_ms - raw.compaction_requests['compaction_request:1'].execution.started_at_unix_ms,
    );
  });

  it('from a replaced item: the last call that carried it and the first that no longer did', () => {
    const state = loadState('compaction-remote');
    const idx = buildTraceIndexes(state);
    const calls = callsInOrder(loadRawState('compaction-remote'));
    const a = analyzeCompactions(state, idx);
    const [c1] = a.events;
    expect(lastCallWith(state, idx, c1, ci(5))).toBe(calls[1]);
    expect(firstCallWithout(state, idx, c1, ci(5))).toBe(calls[2]);
    // Item 9 was never sent before the compaction.
    expect(lastCallWith(state, idx, c1, ci(9))).toBeNull();
    expect(a.replacedIn.get(ci(5))).toEqual([c1.key]);
    expect(a.replacedIn.get(ci(11))).toEqual([a.events[1].key]);
    expect(a.installedIn.get(ci(11))).toEqual([c1.key]);
  });

  it('maps selections to events: compaction, request, marker and replacement items', () => {
    const state = loadState('compaction-remote');
    const a = analyze(state);
    const [c1, c2] = a.events;
    expect(eventForRef(a, state, { kind: 'compaction', id: c2.compactionId! })).toBe(c2.key);
    expect(eventForRef(a, state, { kind: 'compaction_request', id: 'compaction_request:1' })).toBe(c1.key);
    expect(eventForRef(a, state, { kind: 'conversation_item', id: ci(20) })).toBe(c2.key);
    expect(eventForRef(a, state, { kind: 'conversation_item', id: ci(12) })).toBe(c1.key);
    expect(eventForRef(a, state, { kind: 'conversation_item', id: ci(5) })).toBeNull();
  });

  it('eventForSelection keeps the shown event for its own items, and otherwise follows the selection', () => {
    const state = loadState('compaction-remote');
    const a = analyze(state);
    const [c1, c2] = a.events;
    const calls = callsInOrder(loadRawState('compaction-remote'));
    // #11 was installed by compaction 1 and replaced by compaction 2: shown in either, it keeps the one shown.
    expect(eventForSelection(a, state, { kind: 'conversation_item', id: ci(11) }, c2.key)).toBe(c2.key);
    expect(eventForSelection(a, state, { kind: 'conversation_item', id: ci(11) }, c1.key)).toBe(c1.key);
    // From elsewhere: the compaction it came from (its producer), a replaced item's compaction.
    expect(eventForSelection(a, state, { kind: 'conversation_item', id: ci(11) }, null)).toBe(c1.key);
    expect(eventForSelection(a, state, { kind: 'conversation_item', id: ci(5) }, c2.key)).toBe(c1.key);
    expect(eventForSelection(a, state, { kind: 'conversation_item', id: ci(26) }, c2.key)).toBeNull();
    expect(eventForSelection(a, state, { kind: 'inference_call', id: calls[4] }, c1.key)).toBe(c2.key);
    expect(eventForSelection(a, state, { kind: 'inference_call', id: calls[0] }, c1.key)).toBeNull();
    expect(eventForSelection(a, state, { kind: 'thread', id: state.root_thread_id }, c2.key)).toBe(c2.key);
    expect(eventForSelection(a, state, { kind: 'thread', id: state.root_thread_id }, null)).toBe(c1.key);
    expect(eventForSelection(a, state, { kind: 'compaction_request', id: 'compaction_request:2' }, c1.key)).toBe(c2.key);
  });
});

describe('failed compaction attempts', () => {
  it('compaction-failed: the never-installed compaction is a failed event with its request', () => {
    const raw = loadRawState('compaction-failed');
    const a = analyze(loadState('compaction-failed'));
    expect(a.counts).toEqual({ installed: 1, failed: 1, untraced: 0 });
    const failed = a.events.find((e) => e.kind === 'failed')!;
    const installed = a.events.find((e) => e.kind === 'installed')!;
    expect(failed.requestIds).toEqual(['compaction_request:1']);
    expect(failed.status).toBe('failed');
    expect(failed.compactionId).toBe(raw.compaction_requests['compaction_request:1'].compaction_id);
    expect(raw.compactions[failed.compactionId!]).toBeUndefined();
    expect(failed.after).toBeNull();
    expect(failed.replacedIds).toEqual([]);
    expect(failed.ref).toEqual({ kind: 'compaction_request', id: 'compaction_request:1' });
    // Time order: the failed attempt came first.
    expect(a.events.map((e) => e.kind)).toEqual(['failed', 'installed']);
    expect(installed.requestIds).toEqual(['compaction_request:2']);
    expect(installed.status).toBe('completed');
  });
});

describe('untraced compactions (history shrink with no compaction record)', () => {
  it('compaction-local: finds both local compactions between the right calls', () => {
    const raw = loadRawState('compaction-local');
    expect(Object.keys(raw.compactions)).toHaveLength(0);
    const calls = callsInOrder(raw);
    const a = analyze(loadState('compaction-local'));
    expect(a.counts).toEqual({ installed: 0, failed: 0, untraced: 2 });
    const [u1, u2] = a.events;
    expect([u1.label, u2.label]).toEqual(['Untraced compaction 1', 'Untraced compaction 2']);
    expect([u1.lastBeforeCallId, u1.firstAfterCallId]).toEqual([calls[1], calls[2]]);
    expect([u2.lastBeforeCallId, u2.firstAfterCallId]).toEqual([calls[3], calls[4]]);
    expect(u1.ref).toEqual({ kind: 'inference_call', id: calls[2] });
    expect(u1.before!.itemIds).toEqual(cis(1, 2, 3, 4, 5, 6, 7, 8));
    expect(u1.after!.itemIds).toEqual(raw.inference_calls[calls[2]].request_item_ids);
    // Dropped: the reasoning, the first call and its output, the second call. New: the summary message.
    expect(u1.replacedIds).toEqual(cis(5, 6, 7, 8));
    expect(u1.replacementIds).toEqual(cis(11));
    // Context re-sent under new ids (2→9, 3→10) is recognised as kept, not as dropped.
    expect(u1.alignment!.afterRelation).toEqual(['same', 'resent', 'resent', 'same', 'new']);
    expect(u1.savedItems).toBe(3);
    expect(u1.tokensBefore).toBe(25980 + 20);
    expect(u1.tokensAfter).toBe(7980);
    expect(u1.sinceMs).toBe(raw.inference_calls[calls[1]].execution.ended_at_unix_ms);
    expect(u1.atMs).toBe(raw.inference_calls[calls[2]].execution.started_at_unix_ms);
    expect(u2.replacedIds).toEqual(cis(12, 13, 14));
    const state = loadState('compaction-local');
    expect(eventForRef(a, state, { kind: 'inference_call', id: calls[2] })).toBe(u1.key);
    expect(eventForRef(a, state, { kind: 'inference_call', id: calls[3] })).toBeNull();
  });

  it('finds nothing in any corpus trace without a local compaction', () => {
    for (const name of fixtureNames()) {
      if (name === 'compaction-local') continue;
      expect({ name, untraced: analyze(loadState(name)).counts.untraced }).toEqual({ name, untraced: 0 });
    }
  });

  /** compaction-local cut down to its first two calls (A, B), with B's window rewritten. */
  function twoCalls(windowB: (s: RolloutTrace, a: { req: string[]; resp: string[] }) => string[], respA?: string[]) {
    const s = loadState('compaction-local');
    const calls = callsInOrder(s);
    for (const id of calls.slice(2)) delete s.inference_calls[id];
    const a = s.inference_calls[calls[0]];
    if (respA) a.response_item_ids = respA;
    s.inference_calls[calls[1]].request_item_ids = windowB(s, { req: a.request_item_ids, resp: a.response_item_ids });
    return analyze(s);
  }

  it("the two-call setup finds a shrink when B drops part of A's request window", () => {
    // A = [1,2,3,4] + response [5,6]; B = [1,4] + a new summary-like item 11: fewer items, request items 2 and 3 lost.
    const a = twoCalls(() => cis(1, 4, 11));
    expect(a.counts.untraced).toBe(1);
    expect(a.events[0].replacedIds).toEqual(cis(2, 3, 5, 6));
  });

  it('is not fooled by a window that keeps everything (grows)', () => {
    expect(twoCalls((_, a) => [...a.req, ...a.resp, ci(7)]).counts.untraced).toBe(0);
  });

  it('ignores dropped response items (an interrupted, unaccepted answer) when the request window is kept', () => {
    expect(twoCalls((_, a) => [...a.req], cis(5, 6, 7, 8)).counts.untraced).toBe(0);
  });

  it('ignores items re-sent under a new id with the same content (e.g. re-created images)', () => {
    const a = twoCalls((s, a) => {
      const copy = { ...structuredClone(s.conversation_items[ci(2)]), item_id: 'conversation_item:99' };
      s.conversation_items[copy.item_id] = copy;
      return [...a.req, ...a.resp].filter((id) => id !== ci(6)).map((id) => (id === ci(2) ? copy.item_id : id));
    });
    // Item 2 is "gone" by id but its content is still there; item 6 (a response) was dropped: not a compaction.
    expect(a.counts.untraced).toBe(0);
  });

  it('needs the history to shrink', () => {
    // Request item 3 (446 bytes) is gone, but two new items (one of 583 bytes) make the window bigger in items and bytes.
    expect(twoCalls((_, a) => [...a.req.filter((id) => id !== ci(3)), ...a.resp, ci(11), ci(7)]).counts.untraced).toBe(0);
    // Same drop with a single small new item: fewer bytes, so it counts.
    expect(twoCalls((_, a) => [...a.req.filter((id) => id !== ci(3)), ...a.resp, ci(7)]).counts.untraced).toBe(1);
  });

  it('a traced compaction between the calls explains the shrink', () => {
    const s = loadState('compaction-local');
    const calls = callsInOrder(s);
    const thread = s.root_thread_id;
    const turn = s.inference_calls[calls[2]].codex_turn_id;
    s.conversation_items[ci(100)] = {
      ...structuredClone(s.conversation_items[ci(8)]),
      item_id: ci(100),
      kind: 'compaction_marker',
      body: { parts: [] },
      call_id: null,
      produced_by: [{ type: 'compaction', compaction_id: 'cmp-x' }],
    };
    s.compactions['cmp-x'] = {
      compaction_id: 'cmp-x',
      thread_id: thread,
      codex_turn_id: turn,
      installed_at_unix_ms: s.inference_calls[calls[2]].execution.started_at_unix_ms - 1,
      marker_item_id: ci(100),
      request_ids: [],
      input_item_ids: cis(2, 3, 4, 5, 6, 7, 8),
      replacement_item_ids: cis(9, 10, 11),
    };
    s.threads[thread].conversation_item_ids.push(ci(100));
    const a = analyze(s);
    expect(a.events.map((e) => [e.kind, e.firstAfterCallId])).toEqual([
      ['installed', calls[2]],
      ['untraced', calls[4]],
    ]);
  });
});

describe('modelViewAt: the window the model saw at the selected moment', () => {
  const state = loadState('compaction-remote');
  const idx = buildTraceIndexes(state);
  const calls = callsInOrder(loadRawState('compaction-remote'));
  const t = state.root_thread_id;
  it('uses the selected call, else the first call that carried an item, else the latest before', () => {
    expect(modelViewAt(state, idx, t, null)).toEqual({ callId: calls[4], reason: 'latest' });
    expect(modelViewAt(state, idx, t, { kind: 'inference_call', id: calls[1] })).toEqual({ callId: calls[1], reason: 'selected' });
    expect(modelViewAt(state, idx, t, { kind: 'conversation_item', id: ci(7) })).toEqual({ callId: calls[1], reason: 'first_carrier' });
    // Item 9 (a tool output) was replaced before any request carried it: its producer is a tool, so by time.
    expect(modelViewAt(state, idx, t, { kind: 'conversation_item', id: ci(9) })?.callId).toBe(calls[1]);
    // A response item nobody carried: the call that produced it.
    expect(modelViewAt(state, idx, t, { kind: 'conversation_item', id: ci(26) })).toEqual({ callId: calls[4], reason: 'producer' });
    // An item of the window being shown keeps that window; one outside it moves to its first carrier.
    expect(modelViewAt(state, idx, t, { kind: 'conversation_item', id: ci(4) }, calls[1])).toEqual({ callId: calls[1], reason: 'current' });
    expect(modelViewAt(state, idx, t, { kind: 'conversation_item', id: ci(15) }, calls[1])).toEqual({ callId: calls[2], reason: 'first_carrier' });
    const cid = Object.keys(state.compactions).sort()[0];
    expect(modelViewAt(state, idx, t, { kind: 'compaction', id: cid })).toEqual({ callId: calls[1], reason: 'latest_before' });
  });
});

describe('the request-window panel and "Model saw" show the same window', () => {
  it.each(['compaction-remote', 'long-session', 'tools-one-turn'])('for every turn, tool call, item and call of %s', (name) => {
    const state = loadState(name);
    const idx = buildTraceIndexes(state);
    const sels: ObjectRef[] = [
      ...Object.keys(state.codex_turns).map((id) => ({ kind: 'turn' as const, id })),
      ...Object.keys(state.tool_calls).map((id) => ({ kind: 'tool_call' as const, id })),
      ...Object.keys(state.conversation_items).map((id) => ({ kind: 'conversation_item' as const, id })),
      ...Object.keys(state.inference_calls).map((id) => ({ kind: 'inference_call' as const, id })),
    ];
    const disagree: string[] = [];
    for (const sel of sels) {
      const focus = focusForSelection(state, idx, sel, null);
      if (focus?.kind !== 'inference_call') continue;
      const thread = state.inference_calls[focus.id].thread_id;
      const view = modelViewAt(state, idx, thread, sel, null);
      if (view?.callId !== focus.id) disagree.push(`${sel.kind} ${sel.id}: request window ${focus.id}, model saw ${view?.callId}`);
    }
    expect(disagree).toEqual([]);
  });

  it('a turn stands for its last call in both', () => {
    const state = loadState('compaction-remote');
    const idx = buildTraceIndexes(state);
    const calls = callsInOrder(loadRawState('compaction-remote'));
    const turn = { kind: 'turn' as const, id: Object.keys(state.codex_turns)[0] };
    expect(focusForSelection(state, idx, turn, null)).toEqual({ kind: 'inference_call', id: calls[4] });
    expect(modelViewAt(state, idx, state.root_thread_id, turn)?.callId).toBe(calls[4]);
  });
});

describe('getCompactionAnalysis', () => {
  it('computes once per state and indexes', () => {
    const s = loadState('long-session');
    const idx = buildTraceIndexes(s);
    const a = getCompactionAnalysis(s, idx);
    expect(getCompactionAnalysis(s, idx)).toBe(a);
    expect(getCompactionAnalysis(s, buildTraceIndexes(s))).not.toBe(a);
    expect(a.counts).toEqual({ installed: 3, failed: 0, untraced: 0 });
  });
});
