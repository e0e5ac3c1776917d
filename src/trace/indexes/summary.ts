import type { ExecutionWindow, RolloutTrace } from '../schema/state';
import { generationOf } from '../schema/generations';

export interface TraceSummary {
  agents: number;
  turns: number;
  items: number;
  inferenceCalls: number;
  toolCalls: number;
  compactions: number;
  /** Sum over inference calls of usage.input_tokens + usage.output_tokens (calls without usage count 0). */
  totalTokens: number;
  inputTokens: number;
  outputTokens: number;
  /** ended − started when the rollout ended, else (last timestamp seen − started). */
  wallTimeMs: number;
  wallTimeSource: 'ended' | 'last_event';
  /** Latest wall-clock time found anywhere in the state. */
  lastEventMs: number;
  status: RolloutTrace['status'];
  /** Whether the recorder closed the bundle; null for schema 1, which does not record it. */
  recordingComplete: boolean | null;
  /** The bundle's trace schema and the Codex releases that write it. */
  schemaVersion: number;
  schemaReleases: string | null;
  /** Objects whose execution is still `running`. After rollout_ended this means the trace was cut short. */
  stillRunning: number;
}

function windowMax(w: ExecutionWindow, cur: number): number {
  return Math.max(cur, w.started_at_unix_ms, w.ended_at_unix_ms ?? -Infinity);
}

/** Latest wall-clock time recorded anywhere in the reduced state. */
export function lastTimestamp(state: RolloutTrace): number {
  let t = state.ended_at_unix_ms ?? state.started_at_unix_ms;
  for (const x of Object.values(state.threads)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.codex_turns)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.inference_calls)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.tool_calls)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.terminal_operations)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.code_cells)) {
    t = windowMax(x.execution, t);
    t = Math.max(t, x.initial_response_at_unix_ms ?? -Infinity, x.yielded_at_unix_ms ?? -Infinity);
  }
  for (const x of Object.values(state.compaction_requests)) t = windowMax(x.execution, t);
  for (const x of Object.values(state.compactions)) t = Math.max(t, x.installed_at_unix_ms);
  for (const x of Object.values(state.interaction_edges)) t = Math.max(t, x.started_at_unix_ms, x.ended_at_unix_ms ?? -Infinity);
  for (const x of Object.values(state.conversation_items)) t = Math.max(t, x.first_seen_at_unix_ms, x.accepted_at_unix_ms ?? -Infinity);
  return t;
}

export function computeSummary(state: RolloutTrace): TraceSummary {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const c of Object.values(state.inference_calls)) {
    if (c.usage) {
      inputTokens += c.usage.input_tokens;
      outputTokens += c.usage.output_tokens;
    }
  }
  const lastEventMs = lastTimestamp(state);
  const ended = state.ended_at_unix_ms;
  let stillRunning = 0;
  const count = (w: ExecutionWindow) => {
    if (w.status === 'running') stillRunning++;
  };
  Object.values(state.threads).forEach((x) => count(x.execution));
  Object.values(state.codex_turns).forEach((x) => count(x.execution));
  Object.values(state.inference_calls).forEach((x) => count(x.execution));
  Object.values(state.tool_calls).forEach((x) => count(x.execution));
  Object.values(state.terminal_operations).forEach((x) => count(x.execution));
  Object.values(state.code_cells).forEach((x) => count(x.execution));
  Object.values(state.compaction_requests).forEach((x) => count(x.execution));
  return {
    agents: Object.keys(state.threads).length,
    turns: Object.keys(state.codex_turns).length,
    items: Object.keys(state.conversation_items).length,
    inferenceCalls: Object.keys(state.inference_calls).length,
    toolCalls: Object.keys(state.tool_calls).length,
    compactions: Object.keys(state.compactions).length,
    totalTokens: inputTokens + outputTokens,
    inputTokens,
    outputTokens,
    wallTimeMs: ended != null ? ended - state.started_at_unix_ms : lastEventMs - state.started_at_unix_ms,
    wallTimeSource: ended != null ? 'ended' : 'last_event',
    lastEventMs,
    status: state.status,
    recordingComplete: recordingComplete(state),
    schemaVersion: state.schema_version,
    schemaReleases: generationOf(state.schema_version)?.releases ?? null,
    stillRunning,
  };
}

/** Schema 2 says it as a boolean, schema 3 as a word, schema 1 not at all. */
export function recordingComplete(state: RolloutTrace): boolean | null {
  if (state.recording_complete !== undefined) return state.recording_complete;
  if (state.recording_status !== undefined) return state.recording_status === 'complete';
  return null;
}
