/** Dispatch of one trace event to the reducer of its concern. */
import type { TraceEvent } from '../schema/events';
import { observeAgentResult } from './agents';
import { codeCellLifecycle, startCodeCell } from './code-cells';
import { finishCompactionRequest, installCompaction, startCompactionRequest } from './compaction';
import { fail, type Reducer } from './core';
import { acceptHistoryItem } from './history';
import { finishInference, startInference } from './inference';
import { endThread, endTurn, resumeThread, startThread, startTurn } from './threads';
import { assignMcp, endTool, endToolRuntime, startTool, startToolRuntime, stdinTargetResolved, waitTargetResolved } from './tools';

export function applyEvent(r: Reducer, ev: TraceEvent): void {
  const p = ev.payload;
  switch (p.type) {
    case 'recording_completed':
      r.s.recording_complete = true;
      return;
    case 'rollout_started':
      r.s.trace_id = p.trace_id;
      r.s.root_thread_id = p.root_thread_id;
      return;
    case 'rollout_ended':
      r.s.status = p.status;
      r.s.ended_at_unix_ms = ev.wall_time_unix_ms;
      return;
    case 'thread_started':
      return startThread(r, ev, p);
    case 'thread_ended':
      return endThread(r, ev, p);
    case 'thread_resumed':
      return resumeThread(r, ev, p);
    case 'codex_turn_started':
      return startTurn(r, ev, p);
    case 'codex_turn_ended':
      return endTurn(r, ev, p);
    case 'history_item_accepted':
      return acceptHistoryItem(r, ev, p);
    case 'inference_started':
      return startInference(r, ev, p);
    case 'inference_completed':
    case 'inference_failed':
    case 'inference_cancelled':
      return finishInference(r, ev, p);
    case 'tool_call_started':
      return startTool(r, ev, p);
    case 'mcp_tool_call_correlation_assigned':
      return assignMcp(r, ev, p);
    case 'stdin_target_resolved':
      return stdinTargetResolved(r, ev, p);
    case 'code_cell_wait_target_resolved':
      return waitTargetResolved(r, ev, p);
    case 'tool_call_runtime_started':
      return startToolRuntime(r, ev, p);
    case 'tool_call_runtime_ended':
      return endToolRuntime(r, ev, p);
    case 'tool_call_ended':
      return endTool(r, ev, p);
    case 'code_cell_started':
      return startCodeCell(r, ev, p);
    case 'code_cell_initial_response':
    case 'code_cell_ended':
      return codeCellLifecycle(r, ev, p);
    case 'compaction_request_started':
      return startCompactionRequest(r, ev, p);
    case 'compaction_request_completed':
    case 'compaction_request_failed':
      return finishCompactionRequest(r, ev, p);
    case 'compaction_installed':
      return installCompaction(r, ev, p);
    case 'agent_result_observed':
      return observeAgentResult(r, ev, p);
    case 'protocol_event_observed':
      // Breadcrumbs only: their payload refs are recorded, nothing else.
      return;
    case 'other':
      return fail('raw trace event has no reducer implementation');
  }
}
