/** Rollout header, agent threads and Codex turns. */
import { isJsonObject, type JsonValue } from '../json/lossless';
import type { EventOf, TraceEvent } from '../schema/events';
import type { AgentOrigin, ExecutionStatus } from '../schema/state';
import { terminateCodeCellsForTurnEnd } from './code-cells';
import { fail, runningWindow, type Reducer } from './core';
import { closeInferencesForTurnEnd } from './inference';

type Obj = { [k: string]: JsonValue };

/** Metadata fields the reducer reads; typed like the official struct (each optional, string when present). */
function readMetadata(v: JsonValue, payloadId: string) {
  if (!isJsonObject(v)) fail(`parse thread metadata ${payloadId}`, 'invalid type: expected struct ThreadStartedMetadata');
  const optStr = (k: string): string | null => {
    const x = v[k];
    if (x === undefined || x === null) return null;
    if (typeof x !== 'string') fail(`parse thread metadata ${payloadId}`, `invalid type for field \`${k}\`, expected a string`);
    return x;
  };
  return {
    agent_path: optStr('agent_path'),
    task_name: optStr('task_name'),
    nickname: optStr('nickname'),
    agent_role: optStr('agent_role'),
    model: optStr('model'),
    session_source: v.session_source === undefined ? null : v.session_source,
  };
}

function lastPathSegment(path: string): string {
  const segs = path.split('/').filter((s) => s.length > 0);
  return segs.length > 0 ? segs[segs.length - 1] : path;
}

export function startThread(r: Reducer, ev: TraceEvent, p: EventOf<'thread_started'>): void {
  if (r.s.threads.has(p.thread_id)) fail(`duplicate thread start for ${p.thread_id}`);
  const meta = p.metadata_payload ? readMetadata(r.payload(p.metadata_payload), p.metadata_payload.raw_payload_id) : null;
  let spawn: { parent: string; agent_path: string | null; task_name: string | null; agent_role: string | null } | null = null;
  if (meta && isJsonObject(meta.session_source)) {
    const sub = (meta.session_source as Obj).subagent;
    const ts = isJsonObject(sub) ? sub.thread_spawn : undefined;
    if (isJsonObject(ts) && typeof ts.parent_thread_id === 'string') {
      const agentPath = typeof ts.agent_path === 'string' ? ts.agent_path : meta.agent_path;
      spawn = {
        parent: ts.parent_thread_id,
        agent_path: agentPath,
        task_name: typeof ts.task_name === 'string' ? ts.task_name : (meta.task_name ?? (agentPath !== null ? lastPathSegment(agentPath) : null)),
        agent_role: typeof ts.agent_role === 'string' ? ts.agent_role : meta.agent_role,
      };
    }
  }
  const agentPath = spawn?.agent_path ?? meta?.agent_path ?? p.agent_path;
  const origin: AgentOrigin = spawn
    ? {
        type: 'spawned',
        parent_thread_id: spawn.parent,
        spawn_edge_id: `edge:spawn:${spawn.parent}:${p.thread_id}`,
        task_name: spawn.task_name ?? lastPathSegment(agentPath),
        agent_role: spawn.agent_role ?? '',
      }
    : { type: 'root' };
  r.s.threads.set(p.thread_id, {
    thread_id: p.thread_id,
    agent_path: agentPath,
    nickname: meta?.nickname ?? null,
    origin,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    default_model: meta?.model ?? null,
    conversation_item_ids: [],
  });
}

export function endThread(r: Reducer, ev: TraceEvent, p: EventOf<'thread_ended'>): void {
  const t = r.thread(p.thread_id);
  t.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
  t.execution.ended_seq = ev.seq;
  t.execution.status = p.status;
}

/** A resumed thread's window opens again; its start is kept. */
export function resumeThread(r: Reducer, _ev: TraceEvent, p: EventOf<'thread_resumed'>): void {
  const t = r.thread(p.thread_id);
  if (t.execution.ended_seq === null) fail(`resumed thread ${p.thread_id} has not ended`);
  t.execution.ended_at_unix_ms = null;
  t.execution.ended_seq = null;
  t.execution.status = 'running';
}

export function startTurn(r: Reducer, ev: TraceEvent, p: EventOf<'codex_turn_started'>): void {
  if (r.s.codex_turns.has(p.codex_turn_id)) fail(`duplicate codex turn start for ${p.codex_turn_id}`);
  r.thread(p.thread_id);
  r.s.codex_turns.set(p.codex_turn_id, {
    codex_turn_id: p.codex_turn_id,
    thread_id: p.thread_id,
    execution: runningWindow(ev.wall_time_unix_ms, ev.seq),
    input_item_ids: [],
  });
}

export function endTurn(r: Reducer, ev: TraceEvent, p: EventOf<'codex_turn_ended'>): void {
  const turn = r.s.codex_turns.get(p.codex_turn_id);
  if (ev.thread_id !== null && turn && turn.thread_id !== ev.thread_id)
    fail(`codex turn end for ${p.codex_turn_id} used thread ${ev.thread_id}, but the turn belongs to ${turn.thread_id}`);
  if (!turn) fail(`codex turn end referenced unknown turn ${p.codex_turn_id}`);
  turn.execution.ended_at_unix_ms = ev.wall_time_unix_ms;
  turn.execution.ended_seq = ev.seq;
  turn.execution.status = p.status;
  terminateCodeCellsForTurnEnd(r, ev, p.codex_turn_id, p.status as ExecutionStatus);
  closeInferencesForTurnEnd(r, ev, p.codex_turn_id, p.status);
}
