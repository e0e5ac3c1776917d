import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../../src/trace/indexes';
import { RolloutTraceSchema, type RolloutTrace } from '../../src/trace/schema/state';
import {
  STRATA,
  STRATUM_COUNT,
  buildWindowAnalysis,
  cachedPrefix,
  computeItemLifetime,
  focusForSelection,
  getWindowAnalysis,
  itemBodySize,
  matchCompactionInput,
  stratumOf,
  utf8Bytes,
} from '../../src/trace/windows';
import { FIXTURES_DIR, fixtureNames, loadRawState, loadState } from '../panels/helpers';
import { makeManyCallsTrace } from './synthetic';

const NAMES = fixtureNames();

/** Expected values straight from the raw JSON, independent of src/. */
function rawCallsByThread(raw: any): Map<string, any[]> {
  const m = new Map<string, any[]>();
  const calls = Object.values<any>(raw.inference_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);
  for (const c of calls) {
    if (!m.has(c.thread_id)) m.set(c.thread_id, []);
    m.get(c.thread_id)!.push(c);
  }
  return m;
}
function rawBodyBytes(it: any): number {
  const enc = new TextEncoder();
  let n = 0;
  for (const p of it.body.parts) {
    const s =
      p.type === 'text' || p.type === 'summary' ? p.text : p.type === 'code' ? p.source : p.type === 'encoded' ? p.value : p.type === 'json' ? p.summary : '';
    n += enc.encode(s).length;
  }
  return n;
}

function analyse(name: string) {
  const state = loadState(name);
  const idx = buildTraceIndexes(state);
  return { state, idx, a: buildWindowAnalysis(state, idx), raw: loadRawState(name) };
}

describe('utf8Bytes', () => {
  it('matches TextEncoder on ASCII, accents, CJK, emoji and lone surrogates', () => {
    const enc = new TextEncoder();
    for (const s of ['', 'abc', 'café', '日本語', '👍🏽 ok', 'a\uD800b', '\uDC00', 'x'.repeat(1000) + '€']) {
      expect(utf8Bytes(s)).toBe(enc.encode(s).length);
    }
  });
});

describe.each(NAMES)('window analysis on %s', (name) => {
  const { state, a, raw } = analyse(name);
  const byThread = rawCallsByThread(raw);

  it('covers every inference call, per thread in started_seq order', () => {
    expect(a.calls.size).toBe(Object.keys(raw.inference_calls).length);
    for (const [threadId, calls] of byThread) {
      expect(a.threads.get(threadId)?.calls).toEqual(calls.map((c) => c.inference_call_id));
    }
  });

  it('sizes, strata and diff counts agree with the official request windows', () => {
    for (const [threadId, calls] of byThread) {
      const tw = a.threads.get(threadId)!;
      calls.forEach((c, i) => {
        const st = a.calls.get(c.inference_call_id)!;
        expect(st.items).toBe(c.request_item_ids.length);
        expect(st.responseItems).toBe(c.response_item_ids.length);
        const bytes = c.request_item_ids.reduce((n: number, id: string) => n + rawBodyBytes(raw.conversation_items[id]), 0);
        expect(st.bytes).toBe(bytes);
        expect(tw.totals[i]).toBe(bytes);
        let strataSum = 0;
        for (let s = 0; s < STRATUM_COUNT; s++) strataSum += tw.strata[i * STRATUM_COUNT + s];
        expect(strataSum).toBe(bytes);
        // diff against the previous call of the same thread, computed here from the raw ids
        const prev = i > 0 ? calls[i - 1] : null;
        const prevReq = new Set<string>(prev ? prev.request_item_ids : []);
        const prevAll = new Set<string>(prev ? [...prev.request_item_ids, ...prev.response_item_ids] : []);
        const cur = new Set<string>(c.request_item_ids);
        const d = a.diffs.get(c.inference_call_id)!;
        expect(d.prevCallId).toBe(prev?.inference_call_id ?? null);
        expect(d.added.map((x) => x.itemId)).toEqual(c.request_item_ids.filter((id: string) => !prevReq.has(id)));
        expect(d.carried).toBe(c.request_item_ids.filter((id: string) => prevReq.has(id)).length);
        expect(new Set(d.dropped.map((x) => x.itemId))).toEqual(new Set([...prevAll].filter((id) => !cur.has(id))));
        expect(st.added + st.carried).toBe(st.items);
        expect(Array.from(d.carriedMask)).toEqual(c.request_item_ids.map((id: string) => (prevReq.has(id) ? 1 : 0)));
      });
    }
  });

  it('every item gets a stratum', () => {
    for (const id of Object.keys(state.conversation_items)) expect(STRATA).toContain(a.itemStratum.get(id));
  });
});

describe('drop reasons and origins', () => {
  it('compaction-remote: the history compacted away is linked to its compaction; the prompt prefix re-sent as new items', () => {
    const { state, a, raw } = analyse('compaction-remote');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const third = a.diffs.get(calls[2].inference_call_id)!;
    const comp = raw.compactions['01a211df-b672-7542-80d5-fdadbe3c53d0'];
    expect(third.compactionIds).toEqual([comp.compaction_id]);
    expect(third.dropped.length).toBe(8);
    for (const d of third.dropped) {
      if (comp.input_item_ids.includes(d.itemId)) expect(d.reason).toEqual({ type: 'compaction', compactionId: comp.compaction_id });
    }
    // item 1 (the base instructions) is not in the compaction's input: the same text comes back as item 15
    const first = third.dropped.find((d) => d.itemId === 'conversation_item:1')!;
    expect(first.reason).toEqual({ type: 'resent', asItemId: 'conversation_item:15', compactionId: comp.compaction_id });
    expect(third.unexplained).toBe(0);
    const origins = Object.fromEntries(third.added.map((x) => [x.itemId, x.origin]));
    expect(origins['conversation_item:15']).toEqual({ type: 'resent', ofItemId: 'conversation_item:1' });
    for (const id of comp.replacement_item_ids) expect(origins[id]).toEqual({ type: 'compaction', compactionId: comp.compaction_id });
    // the summary installed by the compaction is in the compaction stratum
    expect(a.itemStratum.get('conversation_item:14')).toBe('compaction');
    expect(state.conversation_items['conversation_item:14'].channel).toBe('summary');
  });

  it('compaction-local: a rewrite with no traced compaction is reported as not explained', () => {
    const { a, raw } = analyse('compaction-local');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const d = a.diffs.get(calls[2].inference_call_id)!;
    expect(d.compactionIds).toEqual([]);
    const reasons = Object.fromEntries(d.dropped.map((x) => [x.itemId, x.reason]));
    // developer + environment context re-sent with the same text
    expect(reasons['conversation_item:2']).toEqual({ type: 'resent', asItemId: 'conversation_item:9', compactionId: null });
    expect(reasons['conversation_item:3']).toEqual({ type: 'resent', asItemId: 'conversation_item:10', compactionId: null });
    for (const id of ['conversation_item:5', 'conversation_item:6', 'conversation_item:7', 'conversation_item:8'])
      expect(reasons[id]).toEqual({ type: 'unexplained' });
    expect(d.unexplained).toBe(4);
    expect(a.calls.get(calls[2].inference_call_id)!.unexplained).toBe(4);
  });

  it('tools-one-turn: new items come from the previous response and from tool outputs', () => {
    const { a, raw } = analyse('tools-one-turn');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const d = a.diffs.get(calls[1].inference_call_id)!;
    const prevResp = calls[0].response_item_ids;
    for (const x of d.added) {
      if (prevResp.includes(x.itemId)) expect(x.origin).toEqual({ type: 'previous_response', callId: calls[0].inference_call_id });
      else {
        const tool = raw.conversation_items[x.itemId].produced_by.find((p: any) => p.type === 'tool');
        expect(x.origin).toEqual({ type: 'tool_output', toolCallId: tool.tool_call_id });
      }
    }
    expect(d.added.length).toBe(5);
    expect(d.dropped).toEqual([]);
  });

  it('multi-agent: the child thread diffs against its own calls; the task arrives as an agent message', () => {
    const { a, raw } = analyse('multi-agent');
    const child = Object.values<any>(raw.threads).find((t) => t.origin.type === 'spawned');
    const calls = rawCallsByThread(raw).get(child.thread_id)!;
    const d = a.diffs.get(calls[0].inference_call_id)!;
    expect(d.prevCallId).toBeNull();
    const msg = d.added.find((x) => raw.conversation_items[x.itemId].agent_message);
    expect(msg?.origin.type).toBe('agent_message');
    expect(a.itemStratum.get(msg!.itemId)).toBe('user');
  });
});

describe('compaction marks', () => {
  it('long-session: each compaction sits right before the call whose window it rebuilt', () => {
    const { a, raw } = analyse('long-session');
    const tw = a.threads.get(raw.root_thread_id)!;
    expect(tw.compactions.map((m) => m.afterIndex)).toEqual([21, 45, 69]);
    expect(tw.compactions.every((m) => m.placedBy === 'request_seq')).toBe(true);
    for (const m of tw.compactions) {
      const st = a.calls.get(tw.calls[m.afterIndex])!;
      expect(st.compactionsBefore).toEqual([m.compactionId]);
      expect(st.dropped).toBeGreaterThan(40);
      expect(st.unexplained).toBe(0);
    }
  });
});

describe('item sizes and strata', () => {
  it('counts text, code and encoded bodies in UTF-8 bytes, payload refs as unknown', () => {
    const it = (parts: any[], more: any = {}) =>
      ({
        item_id: 'x',
        thread_id: 't',
        codex_turn_id: null,
        first_seen_at_unix_ms: 0,
        role: 'user',
        channel: null,
        kind: 'message',
        body: { parts },
        call_id: null,
        produced_by: [],
        ...more,
      }) as any;
    expect(itemBodySize(it([{ type: 'text', text: 'héllo' }]))).toEqual({ bytes: 6, partial: false });
    expect(
      itemBodySize(
        it([
          { type: 'code', language: 'js', source: 'a()' },
          { type: 'encoded', label: 'e', value: 'QUJD' },
        ]),
      ),
    ).toEqual({ bytes: 7, partial: false });
    expect(itemBodySize(it([{ type: 'payload_ref', label: 'input_image', raw_payload_id: 'raw_payload:1' }]))).toEqual({ bytes: 0, partial: true });
    expect(itemBodySize(it([{ type: 'json', summary: 'x'.repeat(240) + '...', raw_payload_id: 'p' }])).partial).toBe(true);
    expect(stratumOf(it([], { role: 'developer' }))).toBe('instructions');
    expect(stratumOf(it([], { role: 'assistant', kind: 'reasoning' }))).toBe('reasoning');
    expect(stratumOf(it([], { role: 'tool', kind: 'custom_tool_call_output' }))).toBe('tool_output');
    expect(stratumOf(it([], { role: 'assistant', kind: 'custom_tool_call' }))).toBe('tool_call');
    expect(stratumOf(it([], { role: 'assistant' }))).toBe('assistant');
    expect(stratumOf(it([], { role: 'assistant', channel: 'summary' }))).toBe('compaction');
  });
});

describe('cached prefix', () => {
  it('maps cached tokens onto the window by body size', () => {
    expect(cachedPrefix(null, [1, 2])).toBeNull();
    expect(
      cachedPrefix({ input_tokens: 100, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 1, reasoning_output_tokens: 0 }, [1]),
    ).toBeNull();
    const p = cachedPrefix(
      { input_tokens: 1000, cached_input_tokens: 600, cache_write_input_tokens: 0, output_tokens: 1, reasoning_output_tokens: 0 },
      [200, 300, 100, 400],
    )!;
    expect(p.fraction).toBeCloseTo(0.6);
    expect(p.cachedBytes).toBeCloseTo(600);
    expect(p.fullItems).toBe(3);
    expect(p.partialIndex).toBeNull();
    const q = cachedPrefix(
      { input_tokens: 1000, cached_input_tokens: 250, cache_write_input_tokens: 0, output_tokens: 1, reasoning_output_tokens: 0 },
      [200, 300, 100, 400],
    )!;
    expect(q.fullItems).toBe(1);
    expect(q.partialIndex).toBe(1);
  });
});

describe('item lifetime', () => {
  it('long-session: an early tool output lives from its first window until compaction 1', () => {
    const { state, idx, raw } = analyse('long-session');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const id = calls[1].request_item_ids[calls[1].request_item_ids.length - 1]; // the first tool output
    const lt = computeItemLifetime(state, idx, id)!;
    const carriers = calls.filter((c) => c.request_item_ids.includes(id)).map((c) => c.inference_call_id);
    expect(lt.callIds).toEqual(carriers);
    expect(lt.firstCallId).toBe(calls[1].inference_call_id);
    expect(lt.lastCallId).toBe(calls[20].inference_call_id);
    expect(lt.gapCallIds).toEqual([]);
    const comp = Object.values<any>(raw.compactions).find((c) => c.input_item_ids.includes(id));
    expect(lt.end).toEqual({ type: 'compacted', compactionId: comp.compaction_id });
    expect(lt.startMs).toBe(calls[1].execution.started_at_unix_ms);
    expect(lt.endMs).toBe(calls[20].execution.ended_at_unix_ms);
  });

  it('the final answer was never in a window; the last window is live', () => {
    const { state, idx, raw } = analyse('long-session');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const last = calls[calls.length - 1];
    const answer = computeItemLifetime(state, idx, last.response_item_ids[0])!;
    expect(answer.callIds).toEqual([]);
    expect(answer.end).toEqual({ type: 'never' });
    expect(answer.producerCallId).toBe(last.inference_call_id);
    const live = computeItemLifetime(state, idx, last.request_item_ids[last.request_item_ids.length - 1])!;
    expect(live.end).toEqual({ type: 'live' });
  });

  it('compaction-local: a dropped item ends at the call that dropped it', () => {
    const { state, idx, raw } = analyse('compaction-local');
    const calls = rawCallsByThread(raw).get(raw.root_thread_id)!;
    const lt = computeItemLifetime(state, idx, 'conversation_item:5')!;
    expect(lt.end).toEqual({ type: 'dropped', atCallId: calls[2].inference_call_id });
  });
});

describe('compaction request windows', () => {
  const readPayload = (name: string, state: RolloutTrace, id: string) =>
    JSON.parse(readFileSync(join(FIXTURES_DIR, name, state.raw_payloads[id].path!), 'utf8'));

  it('compaction-remote: the payload input matches the compaction input history, the trigger is not an item', () => {
    const state = loadState('compaction-remote');
    for (const req of Object.values(state.compaction_requests)) {
      const w = matchCompactionInput(state, req.compaction_request_id, readPayload('compaction-remote', state, req.raw_request_payload_id));
      const comp = state.compactions[req.compaction_id];
      expect(w.error).toBeNull();
      expect(w.matchedAgainst).toBe('compaction_input');
      expect(w.entries.length).toBe(comp.input_item_ids.length + 1);
      expect(w.entries.filter((e) => e.itemId).map((e) => e.itemId)).toEqual(comp.input_item_ids);
      expect(w.entries.every((e) => e.itemId === null || e.matchedBy === 'responses_id')).toBe(true);
      expect(w.entries[w.entries.length - 1]).toMatchObject({ type: 'compaction_trigger', itemId: null });
      expect(w.unmatchedItemIds).toEqual([]);
      expect(w.instructionsBytes).toBeGreaterThan(1000);
    }
  });

  it('falls back to position when the payload lacks ids, and reports a payload without input', () => {
    const state = loadState('compaction-remote');
    const req = state.compaction_requests['compaction_request:1'];
    const payload = readPayload('compaction-remote', state, req.raw_request_payload_id);
    for (const e of payload.input) delete e.id;
    const w = matchCompactionInput(state, 'compaction_request:1', payload);
    expect(w.entries.filter((e) => e.itemId).map((e) => e.itemId)).toEqual(state.compactions[req.compaction_id].input_item_ids);
    expect(w.entries.filter((e) => e.itemId).every((e) => e.matchedBy === 'position')).toBe(true);
    expect(matchCompactionInput(state, 'compaction_request:1', { nope: 1 }).error).toMatch(/no input/);
  });

  it('compaction-failed: a request whose compaction was never installed matches the previous window by Responses id', () => {
    const state = loadState('compaction-failed');
    const failed = Object.values(state.compaction_requests).find((r) => !state.compactions[r.compaction_id])!;
    expect(failed).toBeTruthy();
    const w = matchCompactionInput(state, failed.compaction_request_id, readPayload('compaction-failed', state, failed.raw_request_payload_id));
    expect(w.matchedAgainst).toBe('previous_window');
    expect(w.entries.filter((e) => e.itemId).length).toBeGreaterThan(0);
    for (const e of w.entries) if (e.itemId) expect(state.conversation_items[e.itemId].responses_item_id).toBe(e.responsesId);
  });
});

describe('focus for a selection', () => {
  it('maps selections to the request to show', () => {
    const state = loadState('compaction-remote');
    const idx = buildTraceIndexes(state);
    const calls = [...idx.inferenceCallsByThread.get(state.root_thread_id)!];
    expect(focusForSelection(state, idx, { kind: 'inference_call', id: calls[1] }, null)).toEqual({ kind: 'inference_call', id: calls[1] });
    expect(focusForSelection(state, idx, { kind: 'compaction', id: '01a211df-b672-7542-80d5-fdadbe3c53d0' }, null)).toEqual({
      kind: 'compaction_request',
      id: 'compaction_request:1',
    });
    // an item carried by the shown call keeps it; otherwise the first call that carried it
    expect(focusForSelection(state, idx, { kind: 'conversation_item', id: 'conversation_item:4' }, { kind: 'inference_call', id: calls[1] })).toEqual({
      kind: 'inference_call',
      id: calls[1],
    });
    expect(focusForSelection(state, idx, { kind: 'conversation_item', id: 'conversation_item:4' }, null)).toEqual({ kind: 'inference_call', id: calls[0] });
    const tool = state.inference_calls[calls[0]].tool_call_ids_started_by_response[0];
    expect(focusForSelection(state, idx, { kind: 'tool_call', id: tool }, null)).toEqual({ kind: 'inference_call', id: calls[0] });
    expect(focusForSelection(state, idx, { kind: 'raw_payload', id: state.inference_calls[calls[2]].raw_request_payload_id }, null)).toEqual({
      kind: 'inference_call',
      id: calls[2],
    });
    expect(focusForSelection(state, idx, null, null)).toBeNull();
  });
});

describe('1,000 calls (their time is in npm run bench:hostile)', () => {
  it('analyses every call, and memoizes per state', () => {
    const state = RolloutTraceSchema.parse(makeManyCallsTrace({ calls: 1000 }));
    const idx = buildTraceIndexes(state);
    const a = getWindowAnalysis(state, idx);
    expect(a.calls.size).toBe(1000);
    expect(a.threads.get(state.root_thread_id)!.compactions.length).toBe(16);
    expect([...a.calls.values()].every((c) => c.unexplained === 0)).toBe(true);
    expect(getWindowAnalysis(state, idx)).toBe(a);
  });
});
