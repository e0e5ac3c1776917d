/**
 * Finding objects by the ids and names the UI shows for them: `call_0009`,
 * `resp_0011`, `conversation_item:8` or `#8`, an inference call's uuid,
 * `Inference 26`, `Compaction 1`, an agent path… Text search (the worker's)
 * looks inside bodies; this looks at identities, on the page, over the loaded
 * state. Pure TS.
 */
import type { RolloutTrace } from '../schema/state';
import type { TraceIndexes } from './build';
import { OBJECT_KINDS, objectExists, type ObjectRef, type ObjectKind } from './refs';
import { shortItemId } from './resolve';

export interface IdHit {
  ref: ObjectRef;
  /** Which id or name matched (`response id`, `call id`…). */
  field: string;
  /** Its value, as the trace has it. */
  value: string;
  /** 0: the whole id, 1: its start, 2: inside it. */
  rank: 0 | 1 | 2;
}

/** Shortest query matched inside (rather than at the start of) an id. */
const MIN_INFIX = 4;

export function findById(state: RolloutTrace, idx: TraceIndexes | null, query: string, limit = 20): IdHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const best = new Map<string, IdHit>();
  const consider = (ref: ObjectRef, field: string, value: string | null | undefined) => {
    if (!value) return;
    const v = value.toLowerCase();
    const rank = v === q ? 0 : v.startsWith(q) ? 1 : q.length >= MIN_INFIX && v.includes(q) ? 2 : -1;
    if (rank < 0) return;
    const key = `${ref.kind}\u0000${ref.id}`;
    const had = best.get(key);
    if (!had || rank < had.rank || (rank === had.rank && value === ref.id)) best.set(key, { ref, field, value, rank: rank as IdHit['rank'] });
  };
  // `#8` is how items are shown everywhere; a bare number is too common to mean an id.
  const hashNumber = /^#(\d+)$/.exec(q)?.[1] ?? null;

  for (const [id, t] of Object.entries(state.threads)) {
    const ref = { kind: 'thread', id } as const;
    consider(ref, 'thread id', id);
    consider(ref, 'agent path', t.agent_path);
    consider(ref, 'nickname', t.nickname);
  }
  for (const [id] of Object.entries(state.codex_turns)) {
    const ref = { kind: 'turn', id } as const;
    consider(ref, 'turn id', id);
  }
  for (const [id, it] of Object.entries(state.conversation_items)) {
    const ref = { kind: 'conversation_item', id } as const;
    consider(ref, 'item id', id);
    if (hashNumber !== null && shortItemId(id) === hashNumber)
      best.set(`conversation_item\u0000${id}`, { ref, field: 'item', value: `#${hashNumber}`, rank: 0 });
    consider(ref, 'Responses item id', it.responses_item_id);
    consider(ref, 'call id', it.call_id);
  }
  for (const [id, c] of Object.entries(state.inference_calls)) {
    const ref = { kind: 'inference_call', id } as const;
    consider(ref, 'inference call id', id);
    consider(ref, 'response id', c.response_id);
    consider(ref, 'upstream request id', c.upstream_request_id);
    const n = idx?.inferenceOrdinal.get(id);
    if (n !== undefined) consider(ref, 'name', `Inference ${n}`);
  }
  for (const [id, t] of Object.entries(state.tool_calls)) {
    const ref = { kind: 'tool_call', id } as const;
    consider(ref, 'tool call id', id);
    consider(ref, 'call id', t.model_visible_call_id);
    consider(ref, 'MCP call id', t.mcp_call_id);
  }
  for (const [id] of Object.entries(state.terminal_operations)) consider({ kind: 'terminal_operation', id }, 'terminal operation id', id);
  for (const [id] of Object.entries(state.terminal_sessions)) consider({ kind: 'terminal_session', id }, 'terminal id', id);
  for (const [id, c] of Object.entries(state.code_cells)) {
    const ref = { kind: 'code_cell', id } as const;
    consider(ref, 'code cell id', id);
    consider(ref, 'call id', c.model_visible_call_id);
    consider(ref, 'runtime cell id', c.runtime_cell_id);
  }
  for (const [id] of Object.entries(state.compactions)) {
    const ref = { kind: 'compaction', id } as const;
    consider(ref, 'compaction id', id);
    const n = idx?.compactionOrdinal.get(id);
    if (n !== undefined) consider(ref, 'name', `Compaction ${n}`);
  }
  for (const [id] of Object.entries(state.compaction_requests)) consider({ kind: 'compaction_request', id }, 'compaction request id', id);
  for (const [id] of Object.entries(state.interaction_edges)) consider({ kind: 'interaction_edge', id }, 'edge id', id);
  for (const [id] of Object.entries(state.raw_payloads)) consider({ kind: 'raw_payload', id }, 'payload id', id);
  consider({ kind: 'thread', id: state.root_thread_id }, 'rollout id', state.rollout_id);

  const kindOrder = (k: ObjectKind) => OBJECT_KINDS.indexOf(k);
  return (
    [...best.values()]
      .filter((h) => objectExists(state, h.ref))
      // The object whose own id matched comes before objects that merely mention it (a tool call before its call item).
      .sort(
        (a, b) =>
          a.rank - b.rank ||
          Number(b.value === b.ref.id) - Number(a.value === a.ref.id) ||
          kindOrder(a.ref.kind) - kindOrder(b.ref.kind) ||
          a.value.length - b.value.length ||
          (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
      )
      .slice(0, limit)
  );
}
