/**
 * A synthetic reduced state with many inference calls, for performance tests of
 * the request-window analysis and panel (the recorded corpus tops out at 71
 * calls). One thread, one turn; each call answers with a function call (and a
 * reasoning item every 5th call) whose tool output joins the next window; a
 * remote compaction every `compactEvery` calls replaces the history with a
 * re-sent prefix plus a summary. Usage grows with the window and reports a
 * cached prefix of the previous call's input.
 */
import type { ConversationItem, InferenceCall, RolloutTrace, ToolCall } from '../../src/trace/schema/state';

export interface SyntheticOptions {
  calls: number;
  compactEvery?: number;
  /** Bytes of each tool output's text. */
  outputBytes?: number;
}

export function makeManyCallsTrace({ calls, compactEvery = 60, outputBytes = 900 }: SyntheticOptions): RolloutTrace {
  const T0 = 1_800_000_000_000;
  const thread = 'thread-synthetic';
  const turn = 'turn-1';
  const items: Record<string, ConversationItem> = {};
  const inference: Record<string, InferenceCall> = {};
  const tools: Record<string, ToolCall> = {};
  const compactions: RolloutTrace['compactions'] = {};
  const compactionRequests: RolloutTrace['compaction_requests'] = {};
  const payloads: RolloutTrace['raw_payloads'] = {};
  const transcript: string[] = [];
  let nItem = 0;
  let nPayload = 0;
  let seq = 1;
  let t = T0;
  const payload = (kind: RolloutTrace['raw_payloads'][string]['kind']['type']) => {
    const id = `raw_payload:${++nPayload}`;
    payloads[id] = { raw_payload_id: id, kind: { type: kind }, path: `payloads/${nPayload}.json` };
    return id;
  };
  const item = (
    role: ConversationItem['role'],
    kind: ConversationItem['kind'],
    parts: ConversationItem['body']['parts'],
    extra: Partial<ConversationItem> = {},
  ) => {
    const id = `conversation_item:${++nItem}`;
    items[id] = {
      item_id: id,
      thread_id: thread,
      codex_turn_id: turn,
      first_seen_at_unix_ms: t,
      role,
      channel: kind === 'message' ? null : kind === 'reasoning' ? 'analysis' : 'commentary',
      kind,
      body: { parts },
      call_id: null,
      produced_by: [],
      ...extra,
    };
    transcript.push(id);
    return id;
  };
  const dev = () => item('developer', 'message', [{ type: 'text', text: 'You are a synthetic agent. '.repeat(120) }]);
  const user = () => item('user', 'message', [{ type: 'text', text: 'Run many commands in sequence and report.' }]);

  let window: string[] = [dev(), user()];
  let prevInput = 0;
  let nCompaction = 0;
  for (let i = 0; i < calls; i++) {
    if (i > 0 && i % compactEvery === 0) {
      // compaction: request, install (marker + replacement), next window = new prefix + replacement
      nCompaction++;
      const cid = `compaction-${nCompaction}`;
      const rid = `compaction_request:${nCompaction}`;
      compactionRequests[rid] = {
        compaction_request_id: rid,
        compaction_id: cid,
        thread_id: thread,
        codex_turn_id: turn,
        execution: { started_at_unix_ms: t, started_seq: seq++, ended_at_unix_ms: t + 15, ended_seq: seq++, status: 'completed' },
        model: 'gpt-synthetic',
        provider_name: 'mock',
        raw_request_payload_id: payload('compaction_request'),
        raw_response_payload_id: payload('compaction_response'),
      };
      t += 16;
      const marker = item('assistant', 'compaction_marker', [], { channel: null, produced_by: [{ type: 'compaction', compaction_id: cid }] });
      const repUser = item('user', 'message', [{ type: 'text', text: 'Run many commands in sequence and report.' }], {
        produced_by: [{ type: 'compaction', compaction_id: cid }],
      });
      const summary = item('assistant', 'message', [{ type: 'encoded', label: 'encrypted_content', value: 'c3VtbWFyeQ=='.repeat(40) }], {
        channel: 'summary',
        produced_by: [{ type: 'compaction', compaction_id: cid }],
      });
      compactions[cid] = {
        compaction_id: cid,
        thread_id: thread,
        codex_turn_id: turn,
        installed_at_unix_ms: t,
        marker_item_id: marker,
        request_ids: [rid],
        input_item_ids: window.slice(1),
        replacement_item_ids: [repUser, summary],
      };
      window = [dev(), repUser, summary];
      t += 2;
    }
    const id = `call-${String(i + 1).padStart(5, '0')}`;
    const startSeq = seq++;
    const start = t;
    t += 20 + (i % 7) * 3;
    const response: string[] = [];
    if (i % 5 === 0)
      response.push(
        item('assistant', 'reasoning', [{ type: 'summary', text: `Step ${i}: think about the next command.` }], {
          produced_by: [{ type: 'inference', inference_call_id: id }],
        }),
      );
    const callId = `call_${i + 1}`;
    const fc = item(
      'assistant',
      'function_call',
      [{ type: 'json', summary: `{"cmd":"echo ${i}","yield_time_ms":2000}`, raw_payload_id: `raw_payload:${nPayload + 2}` }],
      {
        call_id: callId,
        produced_by: [{ type: 'inference', inference_call_id: id }],
      },
    );
    response.push(fc);
    let bytes = 0;
    for (const w of window)
      for (const p of items[w].body.parts) bytes += 'text' in p ? p.text.length : 'value' in p ? p.value.length : 'summary' in p ? p.summary.length : 0;
    const input = 2000 + Math.round(bytes / 4);
    inference[id] = {
      inference_call_id: id,
      thread_id: thread,
      codex_turn_id: turn,
      execution: { started_at_unix_ms: start, started_seq: startSeq, ended_at_unix_ms: t, ended_seq: seq++, status: 'completed' },
      model: 'gpt-synthetic',
      provider_name: 'mock',
      response_id: `resp_${i + 1}`,
      upstream_request_id: null,
      request_item_ids: [...window],
      response_item_ids: response,
      tool_call_ids_started_by_response: [callId],
      usage: {
        input_tokens: input,
        cached_input_tokens: Math.min(prevInput, input),
        cache_write_input_tokens: 0,
        output_tokens: 20 + (i % 3),
        reasoning_output_tokens: i % 5 === 0 ? 12 : 0,
      },
      raw_request_payload_id: payload('inference_request'),
      raw_response_payload_id: payload('inference_response'),
    };
    prevInput = input;
    // tool call and its output
    const toolStart = t;
    t += 5 + (i % 4);
    const out = item(
      'tool',
      'function_call_output',
      [
        {
          type: 'text',
          text: `Process exited with code 0\nOutput:\n${String(i)
            .repeat(Math.ceil(outputBytes / Math.max(1, String(i).length)))
            .slice(0, outputBytes)}`,
        },
      ],
      {
        call_id: callId,
        produced_by: [{ type: 'tool', tool_call_id: callId }],
      },
    );
    tools[callId] = {
      tool_call_id: callId,
      mcp_call_id: null,
      model_visible_call_id: callId,
      code_mode_runtime_tool_id: null,
      thread_id: thread,
      started_by_codex_turn_id: turn,
      execution: { started_at_unix_ms: toolStart, started_seq: seq++, ended_at_unix_ms: t, ended_seq: seq++, status: 'completed' },
      requester: { type: 'model' },
      kind: { type: 'exec_command' },
      model_visible_call_item_ids: [fc],
      model_visible_output_item_ids: [out],
      terminal_operation_id: null,
      summary: { type: 'generic', label: 'exec_command', input_preview: `echo ${i}`, output_preview: null },
      raw_invocation_payload_id: null,
      raw_result_payload_id: null,
      raw_runtime_payload_ids: [],
    };
    window = [...window, ...response, out];
    t += 1;
  }
  return {
    schema_version: 2,
    trace_id: 'trace-synthetic',
    rollout_id: 'rollout-synthetic',
    started_at_unix_ms: T0,
    ended_at_unix_ms: t,
    status: 'completed',
    recording_complete: true,
    root_thread_id: thread,
    threads: {
      [thread]: {
        thread_id: thread,
        agent_path: '/root',
        nickname: null,
        origin: { type: 'root' },
        execution: { started_at_unix_ms: T0, started_seq: 0, ended_at_unix_ms: t, ended_seq: seq++, status: 'completed' },
        default_model: 'gpt-synthetic',
        conversation_item_ids: transcript,
      },
    },
    codex_turns: {
      [turn]: {
        codex_turn_id: turn,
        thread_id: thread,
        execution: { started_at_unix_ms: T0, started_seq: 0, ended_at_unix_ms: t, ended_seq: seq, status: 'completed' },
        input_item_ids: [],
      },
    },
    conversation_items: items,
    inference_calls: inference,
    code_cells: {},
    tool_calls: tools,
    terminal_sessions: {},
    terminal_operations: {},
    compactions,
    compaction_requests: compactionRequests,
    interaction_edges: {},
    raw_payloads: payloads,
  };
}
