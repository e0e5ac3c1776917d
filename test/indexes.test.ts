import { describe, expect, it } from 'vitest';
import { buildTraceIndexes, labelOf, payloadsOf, relatedLinks, requestWindowSpan, revealItemOf, threadOf } from '../src/trace/indexes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureNames, loadRawState, loadState } from './panels/helpers';

const NAMES = fixtureNames();

/** Expected values are computed here straight from the raw state.json, independently of src/trace/indexes. */
const bySeq = (m: Record<string, any>) => Object.keys(m).sort((a, b) => m[a].execution.started_seq - m[b].execution.started_seq || (a < b ? -1 : 1));

describe('fixtures are present', () => {
  it('has the real bundles', () => {
    expect(NAMES).toContain('compaction-remote');
    expect(NAMES).toContain('multi-agent');
    expect(NAMES.length).toBeGreaterThanOrEqual(15);
  });
});

describe.each(NAMES)('indexes on %s', (name) => {
  const raw = loadRawState(name);
  const idx = buildTraceIndexes(loadState(name));

  it('summary figures match the official state', () => {
    let tokens = 0;
    for (const c of Object.values<any>(raw.inference_calls)) if (c.usage) tokens += c.usage.input_tokens + c.usage.output_tokens;
    expect(idx.summary).toMatchObject({
      agents: Object.keys(raw.threads).length,
      turns: Object.keys(raw.codex_turns).length,
      items: Object.keys(raw.conversation_items).length,
      inferenceCalls: Object.keys(raw.inference_calls).length,
      toolCalls: Object.keys(raw.tool_calls).length,
      compactions: Object.keys(raw.compactions).length,
      totalTokens: tokens,
      status: raw.status,
      recordingComplete: raw.recording_complete,
    });
    expect(raw.ended_at_unix_ms).not.toBeNull();
    expect(idx.summary.wallTimeMs).toBe(raw.ended_at_unix_ms - raw.started_at_unix_ms);
    expect(idx.summary.wallTimeSource).toBe('ended');
  });

  it('thread tree: root first, every thread once, children under their origin parent', () => {
    expect(idx.threadTree.order[0]).toBe(raw.root_thread_id);
    expect([...idx.threadTree.order].sort()).toEqual(Object.keys(raw.threads).sort());
    for (const t of Object.values<any>(raw.threads)) {
      const expectedParent = t.origin.type === 'spawned' ? t.origin.parent_thread_id : null;
      expect(idx.threadTree.parent.get(t.thread_id)).toBe(expectedParent);
      if (expectedParent) {
        expect(idx.threadTree.depth.get(t.thread_id)).toBe(idx.threadTree.depth.get(expectedParent)! + 1);
        // a child comes after its parent in the depth-first order
        expect(idx.threadTree.order.indexOf(t.thread_id)).toBeGreaterThan(idx.threadTree.order.indexOf(expectedParent));
      }
    }
  });

  it('per-thread turns, inference calls and tool calls are in started_seq order', () => {
    for (const tid of Object.keys(raw.threads)) {
      const own = (m: Record<string, any>, key = 'thread_id') => bySeq(m).filter((id) => m[id][key] === tid);
      expect(idx.turnsByThread.get(tid) ?? []).toEqual(own(raw.codex_turns));
      expect(idx.inferenceCallsByThread.get(tid) ?? []).toEqual(own(raw.inference_calls));
      expect(idx.toolCallsByThread.get(tid) ?? []).toEqual(own(raw.tool_calls));
      const comps = Object.keys(raw.compactions).filter((c) => raw.compactions[c].thread_id === tid);
      expect([...(idx.compactionsByThread.get(tid) ?? [])].sort()).toEqual(comps.sort());
    }
  });

  it('item → inference calls whose request window carried it (first/last)', () => {
    const order = bySeq(raw.inference_calls);
    for (const itemId of Object.keys(raw.conversation_items)) {
      const carriers = order.filter((c) => raw.inference_calls[c].request_item_ids.includes(itemId));
      expect(idx.requestCallsOf(itemId)).toEqual(carriers);
      const span = requestWindowSpan(idx, itemId);
      if (carriers.length === 0) expect(span).toBeNull();
      else expect(span).toEqual({ first: carriers[0], last: carriers[carriers.length - 1], count: carriers.length });
    }
  });

  it('item → producing inference call, tool call (call/output) and compaction roles', () => {
    for (const itemId of Object.keys(raw.conversation_items)) {
      const producers = bySeq(raw.inference_calls).filter((c) => raw.inference_calls[c].response_item_ids.includes(itemId));
      expect(idx.itemProducerCalls.get(itemId) ?? []).toEqual(producers);
      const tools = Object.keys(raw.tool_calls).flatMap((t) => [
        ...(raw.tool_calls[t].model_visible_call_item_ids.includes(itemId) ? [{ toolCallId: t, role: 'call' }] : []),
        ...(raw.tool_calls[t].model_visible_output_item_ids.includes(itemId) ? [{ toolCallId: t, role: 'output' }] : []),
      ]);
      expect([...(idx.itemToolCalls.get(itemId) ?? [])].sort((a, b) => (a.toolCallId + a.role < b.toolCallId + b.role ? -1 : 1))).toEqual(
        tools.sort((a, b) => (a.toolCallId + a.role < b.toolCallId + b.role ? -1 : 1)),
      );
      const replacedBy = Object.keys(raw.compactions).filter((c) => raw.compactions[c].input_item_ids.includes(itemId));
      const installedBy = Object.keys(raw.compactions).filter((c) => raw.compactions[c].replacement_item_ids.includes(itemId));
      const markerOf = Object.keys(raw.compactions).find((c) => raw.compactions[c].marker_item_id === itemId);
      expect([...(idx.itemReplacedBy.get(itemId) ?? [])].sort()).toEqual(replacedBy.sort());
      expect([...(idx.itemInstalledBy.get(itemId) ?? [])].sort()).toEqual(installedBy.sort());
      expect(idx.itemMarkerOf.get(itemId)).toBe(markerOf);
    }
  });

  it('every object resolves to a thread that exists, and every link target exists or is a known dangling ref', () => {
    const state = loadState(name);
    for (const [kind, coll] of [
      ['conversation_item', 'conversation_items'],
      ['inference_call', 'inference_calls'],
      ['tool_call', 'tool_calls'],
      ['terminal_operation', 'terminal_operations'],
      ['compaction', 'compactions'],
      ['turn', 'codex_turns'],
    ] as const) {
      for (const id of Object.keys(raw[coll])) {
        const t = threadOf(state, idx, { kind, id });
        expect(t, `${kind} ${id}`).not.toBeNull();
        expect(raw.threads[t!]).toBeDefined();
        expect(labelOf(state, idx, { kind, id })).not.toBe('');
      }
    }
  });
});

describe('compaction-remote (hand-checked)', () => {
  const raw = loadRawState('compaction-remote');
  const state = loadState('compaction-remote');
  const idx = buildTraceIndexes(state);
  const [c1, c2] = ['01a211df-b672-7542-80d5-fdadbe3c53d0', '01a211df-b6ec-76a0-b6a1-d40a255b82c1'];

  it('orders compactions by install and numbers them', () => {
    expect(idx.compactionsByThread.get(raw.root_thread_id)).toEqual([c1, c2]);
    expect(idx.compactionOrdinal.get(c1)).toBe(1);
    expect(idx.compactionOrdinal.get(c2)).toBe(2);
    expect(labelOf(state, idx, { kind: 'compaction', id: c2 })).toBe('Compaction 2');
  });

  it('an item installed by one compaction and replaced by the next carries both', () => {
    expect(idx.itemInstalledBy.get('conversation_item:11')).toEqual([c1]);
    expect(idx.itemReplacedBy.get('conversation_item:11')).toEqual([c2]);
    expect(idx.itemMarkerOf.get('conversation_item:10')).toBe(c1);
    expect(idx.itemMarkerOf.get('conversation_item:20')).toBe(c2);
  });

  it('links a compaction to its marker, request, replaced/installed items and the first inference after install', () => {
    const groups = Object.fromEntries(relatedLinks(state, idx, { kind: 'compaction', id: c1 }).map((g) => [g.key, g.refs.map((r) => r.id)]));
    expect(groups.marker).toEqual(['conversation_item:10']);
    expect(groups.requests).toEqual(['compaction_request:1']);
    expect(groups.replaced).toEqual(raw.compactions[c1].input_item_ids);
    expect(groups.installed).toEqual(raw.compactions[c1].replacement_item_ids);
    const firstAfter = groups.first_after[0];
    // its window carries the replacement items, in order (after a re-sent developer prefix)
    const window: string[] = raw.inference_calls[firstAfter].request_item_ids;
    expect(window.filter((i) => raw.compactions[c1].replacement_item_ids.includes(i))).toEqual(raw.compactions[c1].replacement_item_ids);
    expect(window).not.toContain('conversation_item:2');
    // no earlier call carried the replacement items
    const earlier = Object.values<any>(raw.inference_calls).filter((c) => c.execution.started_seq < raw.inference_calls[firstAfter].execution.started_seq);
    expect(earlier.some((c) => c.request_item_ids.includes('conversation_item:11'))).toBe(false);
  });

  it('pairs checkpoint payloads with compactions by install order (inferred)', () => {
    expect(payloadsOf(idx, { kind: 'compaction', id: c1 })).toEqual([{ payloadId: 'raw_payload:18', role: 'checkpoint', inferred: true }]);
    expect(payloadsOf(idx, { kind: 'compaction', id: c2 })).toEqual([{ payloadId: 'raw_payload:33', role: 'checkpoint', inferred: true }]);
    expect(raw.raw_payloads['raw_payload:18'].kind.type).toBe('compaction_checkpoint');
  });

  it('reveals a compaction at its marker and a compaction request at its compaction', () => {
    expect(revealItemOf(state, idx, { kind: 'compaction', id: c2 })).toBe('conversation_item:20');
    expect(revealItemOf(state, idx, { kind: 'compaction_request', id: 'compaction_request:2' })).toBe('conversation_item:20');
  });
});

describe('multi-agent and colliding agent paths', () => {
  it('nests the worker under the root and links the spawn edge and tool call', () => {
    const state = loadState('multi-agent');
    const idx = buildTraceIndexes(state);
    const root = state.root_thread_id;
    const worker = Object.keys(state.threads).find((t) => t !== root)!;
    expect(idx.threadTree.roots.map((n) => n.threadId)).toEqual([root]);
    expect(idx.threadTree.roots[0].children.map((n) => n.threadId)).toEqual([worker]);
    expect(labelOf(state, idx, { kind: 'thread', id: worker })).toBe('Anscombe (/root/worker)');
    const links = Object.fromEntries(relatedLinks(state, idx, { kind: 'thread', id: worker }).map((g) => [g.key, g.refs]));
    expect(links.parent).toEqual([{ kind: 'thread', id: root }]);
    expect(links.spawn_tool).toEqual([{ kind: 'tool_call', id: 'call_0002' }]);
    // the spawning tool call was started by the inference whose response carried its call item
    const startedBy = idx.toolCallStartedBy.get('call_0002')!;
    expect(state.inference_calls[startedBy].tool_call_ids_started_by_response).toContain('call_0002');
    // an item in the worker thread resolves to the worker
    expect(threadOf(state, idx, { kind: 'conversation_item', id: 'conversation_item:11' })).toBe(worker);
  });

  it('keeps two threads with the same agent path apart (subagent-close-resume)', () => {
    const state = loadState('subagent-close-resume');
    const idx = buildTraceIndexes(state);
    const paths = Object.values(state.threads).map((t) => t.agent_path);
    expect(paths).toEqual(['/root', '/root']);
    expect(idx.threadTree.order).toHaveLength(2);
    expect(idx.threadTree.order[0]).toBe(state.root_thread_id);
    expect(idx.threadTree.depth.get(idx.threadTree.order[1])).toBe(1);
  });
});

describe('summary without rollout_ended', () => {
  it('falls back to the last event for wall time and reports running objects', () => {
    const state = loadState('tools-one-turn');
    const lastCall = Object.values(state.inference_calls).reduce((m, c) => Math.max(m, c.execution.ended_at_unix_ms ?? 0), 0);
    state.ended_at_unix_ms = null;
    state.status = 'running';
    const some = Object.values(state.tool_calls)[0];
    some.execution.status = 'running';
    const s = buildTraceIndexes(state).summary;
    expect(s.wallTimeSource).toBe('last_event');
    expect(s.lastEventMs).toBeGreaterThanOrEqual(lastCall);
    expect(s.wallTimeMs).toBe(s.lastEventMs - state.started_at_unix_ms);
    expect(s.status).toBe('running');
    expect(s.stillRunning).toBe(1);
  });
});

describe('inferred payload links agree with the raw events (trace.jsonl) of every fixture', () => {
  it.each(NAMES)('%s', (name) => {
    const lines = readFileSync(join(FIXTURES_DIR, name, 'trace.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const truthCheckpoint = new Map<string, string>();
    const truthMetadata = new Map<string, string>();
    for (const l of lines) {
      const p = JSON.parse(l).payload;
      if (p?.type === 'compaction_installed' && p.checkpoint_payload) truthCheckpoint.set(p.compaction_id, p.checkpoint_payload.raw_payload_id);
      if (p?.type === 'thread_started' && p.metadata_payload) truthMetadata.set(p.thread_id, p.metadata_payload.raw_payload_id);
    }
    const idx = buildTraceIndexes(loadState(name));
    for (const [c, pid] of truthCheckpoint) {
      const got = payloadsOf(idx, { kind: 'compaction', id: c }).filter((p) => p.role === 'checkpoint');
      expect(got.map((p) => p.payloadId)).toEqual([pid]);
    }
    for (const [t, pid] of truthMetadata) {
      const got = payloadsOf(idx, { kind: 'thread', id: t }).filter((p) => p.role === 'metadata');
      expect(got.map((p) => p.payloadId)).toEqual([pid]);
    }
  });
});
