/**
 * A large synthetic reduced state for timeline tests and the timeline
 * benchmark: a root agent and `agents` sub-agents, each running turns of
 * inference → tool calls (exec commands with terminal sessions, patches, MCP
 * calls) until about `spans` timeline spans exist. Deterministic (seeded).
 * Self-contained (type imports only) so the benchmark can bundle it into a page.
 */
import type { RolloutTrace } from '../../src/trace/schema/state';

export interface SyntheticTimelineOptions {
  spans: number;
  agents?: number;
  seed?: number;
  startMs?: number;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function syntheticTimelineState(opts: SyntheticTimelineOptions): RolloutTrace {
  const rand = rng(opts.seed ?? 7);
  const agents = opts.agents ?? 12;
  const t0 = opts.startMs ?? 1_795_000_000_000;
  const state: RolloutTrace = {
    schema_version: 2,
    trace_id: 'trace-synthetic',
    rollout_id: 'rollout-synthetic',
    started_at_unix_ms: t0,
    ended_at_unix_ms: null,
    status: 'completed',
    recording_complete: true,
    root_thread_id: 'thread-root',
    threads: {},
    codex_turns: {},
    conversation_items: {},
    inference_calls: {},
    code_cells: {},
    tool_calls: {},
    terminal_sessions: {},
    terminal_operations: {},
    compactions: {},
    compaction_requests: {},
    interaction_edges: {},
    raw_payloads: {},
  };
  let seq = 1;
  const win = (a: number, b: number | null, status: 'completed' | 'failed' | 'cancelled' | 'running' = 'completed') => ({
    started_at_unix_ms: a,
    started_seq: seq++,
    ended_at_unix_ms: b,
    ended_seq: b === null ? null : seq++,
    status: b === null ? ('running' as const) : status,
  });
  const threadIds = ['thread-root', ...Array.from({ length: agents }, (_, i) => `thread-sub-${i + 1}`)];
  const perThread = Math.ceil(opts.spans / threadIds.length);
  let opCount = 0;
  let crCount = 0;
  let end = t0;
  threadIds.forEach((tid, ti) => {
    const start = t0 + (ti === 0 ? 0 : 50 + ti * 40);
    state.threads[tid] = {
      thread_id: tid,
      agent_path: ti === 0 ? '/root' : `/root/worker_${String(ti).padStart(2, '0')}`,
      nickname: ti === 0 ? null : `Worker ${ti}`,
      origin:
        ti === 0
          ? { type: 'root' }
          : { type: 'spawned', parent_thread_id: 'thread-root', spawn_edge_id: `edge:spawn:thread-root:${tid}`, task_name: `task_${ti}`, agent_role: '' },
      execution: win(start, null),
      default_model: 'gpt-synth',
      conversation_item_ids: [],
    };
    let t = start + 5;
    let made = 0;
    let turnN = 0;
    while (made < perThread) {
      const turnId = `turn-${tid}-${++turnN}`;
      const turnStart = t;
      const calls = 20 + Math.floor(rand() * 20);
      for (let c = 0; c < calls && made < perThread; c++) {
        const infId = `inf-${tid}-${turnN}-${c}`;
        const d = 2 + Math.floor(rand() * 12);
        const r = rand();
        const status = r < 0.02 ? 'failed' : r < 0.04 ? 'cancelled' : 'completed';
        state.inference_calls[infId] = {
          inference_call_id: infId,
          thread_id: tid,
          codex_turn_id: turnId,
          execution: win(t, t + d, status),
          model: 'gpt-synth',
          provider_name: 'synthetic',
          response_id: null,
          upstream_request_id: null,
          request_item_ids: [],
          response_item_ids: [],
          tool_call_ids_started_by_response: [],
          usage: { input_tokens: 1000 + c * 10, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 20, reasoning_output_tokens: 0 },
          raw_request_payload_id: 'raw_payload:1',
          raw_response_payload_id: null,
        };
        made++;
        t += d + 1;
        const tools = 1 + Math.floor(rand() * 3);
        let toolEnd = t;
        for (let k = 0; k < tools && made < perThread; k++) {
          const id = `call-${tid}-${turnN}-${c}-${k}`;
          const dur = 1 + Math.floor(rand() * 20);
          const kindR = rand();
          const ts = t + k;
          const kind =
            kindR < 0.6
              ? ({ type: 'exec_command' } as const)
              : kindR < 0.8
                ? ({ type: 'apply_patch' } as const)
                : ({ type: 'mcp', server: 'docs', tool: 'search' } as const);
          let opId: string | null = null;
          if (kind.type === 'exec_command') {
            opId = `terminal_operation:${++opCount}`;
            const sid = `terminal_session:${opId}`;
            state.terminal_sessions[sid] = { terminal_id: sid, thread_id: tid, created_by_operation_id: opId, operation_ids: [opId], execution: win(ts, null) };
            state.terminal_operations[opId] = {
              operation_id: opId,
              terminal_id: sid,
              tool_call_id: id,
              kind: 'exec_command',
              execution: win(ts + 1, ts + dur, rand() < 0.05 ? 'failed' : 'completed'),
              request: {
                type: 'exec_command',
                command: ['bash', '-lc', `echo ${k}`],
                display_command: `echo step ${c}.${k}`,
                cwd: '/work',
                yield_time_ms: null,
                max_output_tokens: null,
              },
              result: null,
              model_observations: [],
              raw_payload_ids: [],
            };
            made += 2;
          }
          state.tool_calls[id] = {
            tool_call_id: id,
            mcp_call_id: null,
            model_visible_call_id: id,
            code_mode_runtime_tool_id: null,
            thread_id: tid,
            started_by_codex_turn_id: turnId,
            execution: win(ts, ts + dur),
            requester: { type: 'model' },
            kind,
            model_visible_call_item_ids: [],
            model_visible_output_item_ids: [],
            terminal_operation_id: opId,
            summary: opId ? { type: 'terminal', operation_id: opId } : { type: 'generic', label: kind.type, input_preview: null, output_preview: null },
            raw_invocation_payload_id: null,
            raw_result_payload_id: null,
            raw_runtime_payload_ids: [],
          };
          made++;
          toolEnd = Math.max(toolEnd, ts + dur);
        }
        t = toolEnd + 1;
        if (c > 0 && c % 25 === 0) {
          const cid = `compaction-${tid}-${turnN}-${c}`;
          const rid = `compaction_request:${++crCount}`;
          state.compaction_requests[rid] = {
            compaction_request_id: rid,
            compaction_id: cid,
            thread_id: tid,
            codex_turn_id: turnId,
            execution: win(t, t + 30),
            model: 'gpt-synth',
            provider_name: 'synthetic',
            raw_request_payload_id: 'raw_payload:1',
            raw_response_payload_id: null,
          };
          state.compactions[cid] = {
            compaction_id: cid,
            thread_id: tid,
            codex_turn_id: turnId,
            installed_at_unix_ms: t + 31,
            marker_item_id: 'conversation_item:1',
            request_ids: [rid],
            input_item_ids: [],
            replacement_item_ids: [],
          };
          made += 2;
          t += 32;
        }
      }
      state.codex_turns[turnId] = { codex_turn_id: turnId, thread_id: tid, execution: win(turnStart, t), input_item_ids: [] };
      made++;
      t += 3;
    }
    state.threads[tid].execution.ended_at_unix_ms = t;
    state.threads[tid].execution.ended_seq = seq++;
    state.threads[tid].execution.status = 'completed';
    end = Math.max(end, t);
    if (ti > 0) {
      const eid = `edge:spawn:thread-root:${tid}`;
      state.interaction_edges[eid] = {
        edge_id: eid,
        kind: 'spawn_agent',
        source: { type: 'thread', thread_id: 'thread-root' },
        target: { type: 'thread', thread_id: tid },
        started_at_unix_ms: start - 2,
        ended_at_unix_ms: start,
        carried_item_ids: [],
        carried_raw_payload_ids: [],
      };
    }
  });
  state.ended_at_unix_ms = end + 1;
  state.raw_payloads['raw_payload:1'] = { raw_payload_id: 'raw_payload:1', kind: { type: 'inference_request' }, path: 'payloads/1.json' };
  return state;
}
