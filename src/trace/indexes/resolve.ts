/**
 * Resolving object refs: which thread an object lives in, which conversation
 * item best represents it in a transcript, and a short human label.
 */
import type { ToolCallKind } from '../schema/common';
import type { RolloutTrace } from '../schema/state';
import { anchorRef, type TraceIndexes } from './build';
import { getObject, type ObjectRef, own } from './refs';
import { escapeInvisible } from '../invisible';

/** The thread an object belongs to (for "reveal": switch the transcript to it). */
export function threadOf(state: RolloutTrace, idx: TraceIndexes | null, ref: ObjectRef, depth = 0): string | null {
  if (depth > 4) return null;
  switch (ref.kind) {
    case 'thread':
      return own(state.threads, ref.id) ? ref.id : null;
    case 'turn':
      return getObject(state, ref)?.thread_id ?? null;
    case 'conversation_item':
      return getObject(state, ref)?.thread_id ?? null;
    case 'inference_call':
      return getObject(state, ref)?.thread_id ?? null;
    case 'tool_call':
      return getObject(state, ref)?.thread_id ?? null;
    case 'terminal_session':
      return getObject(state, ref)?.thread_id ?? null;
    case 'code_cell':
      return getObject(state, ref)?.thread_id ?? null;
    case 'compaction':
      return getObject(state, ref)?.thread_id ?? null;
    case 'compaction_request':
      return getObject(state, ref)?.thread_id ?? null;
    case 'terminal_operation': {
      const op = getObject(state, ref);
      return op ? threadOf(state, idx, { kind: 'tool_call', id: op.tool_call_id }, depth + 1) : null;
    }
    case 'interaction_edge': {
      const e = getObject(state, ref);
      if (!e) return null;
      return threadOf(state, idx, anchorRef(e.source), depth + 1) ?? threadOf(state, idx, anchorRef(e.target), depth + 1);
    }
    case 'raw_payload': {
      const owners = idx?.payloadOwners.get(ref.id) ?? [];
      for (const o of owners) {
        const t = threadOf(state, idx, o.owner, depth + 1);
        if (t) return t;
      }
      return null;
    }
  }
}

/** The conversation item a transcript should scroll to when `ref` is selected (null: nothing sensible). */
export function revealItemOf(state: RolloutTrace, idx: TraceIndexes | null, ref: ObjectRef, depth = 0): string | null {
  if (depth > 4) return null;
  const exists = (id: string | undefined | null) => (id && own(state.conversation_items, id) ? id : null);
  switch (ref.kind) {
    case 'conversation_item':
      return exists(ref.id);
    case 'thread':
      return null;
    case 'turn': {
      const items = idx?.itemsByTurn.get(ref.id);
      return exists(items?.[0]);
    }
    case 'inference_call': {
      const c = getObject(state, ref);
      if (!c) return null;
      return exists(c.response_item_ids[0]) ?? exists(c.request_item_ids[c.request_item_ids.length - 1]);
    }
    case 'tool_call': {
      const t = getObject(state, ref);
      if (!t) return null;
      return exists(t.model_visible_call_item_ids[0]) ?? exists(t.model_visible_output_item_ids[0]);
    }
    case 'terminal_operation': {
      const op = getObject(state, ref);
      return op ? revealItemOf(state, idx, { kind: 'tool_call', id: op.tool_call_id }, depth + 1) : null;
    }
    case 'terminal_session': {
      const s = getObject(state, ref);
      return s ? revealItemOf(state, idx, { kind: 'terminal_operation', id: s.created_by_operation_id }, depth + 1) : null;
    }
    case 'code_cell':
      return exists(getObject(state, ref)?.source_item_id);
    case 'compaction':
      return exists(getObject(state, ref)?.marker_item_id);
    case 'compaction_request': {
      const r = getObject(state, ref);
      return r ? revealItemOf(state, idx, { kind: 'compaction', id: r.compaction_id }, depth + 1) : null;
    }
    case 'interaction_edge': {
      const e = getObject(state, ref);
      if (!e) return null;
      return revealItemOf(state, idx, anchorRef(e.target), depth + 1) ?? revealItemOf(state, idx, anchorRef(e.source), depth + 1);
    }
    case 'raw_payload': {
      for (const o of idx?.payloadOwners.get(ref.id) ?? []) {
        const r = revealItemOf(state, idx, o.owner, depth + 1);
        if (r) return r;
      }
      return null;
    }
  }
}

export function toolKindLabel(k: ToolCallKind): string {
  switch (k.type) {
    case 'mcp':
      return `mcp ${k.server}.${k.tool}`;
    case 'other':
      return k.name;
    default:
      return k.type;
  }
}

/** `conversation_item:12` → `12`; anything else unchanged. */
export function shortItemId(id: string): string {
  const m = /^conversation_item:(\d+)$/.exec(id);
  return m ? m[1] : id;
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** A short label for lists and links. Never throws; unknown ids label as the id. */
/**
 * A short human label for any object. Hidden characters from the trace (bidi
 * overrides, zero-width...) are written as visible ⟨NAME⟩ markers, since
 * labels end up in plain-text places too (titles, canvas, tooltips).
 */
export function labelOf(state: RolloutTrace, idx: TraceIndexes | null, ref: ObjectRef): string {
  return escapeInvisible(rawLabelOf(state, idx, ref));
}

function rawLabelOf(state: RolloutTrace, idx: TraceIndexes | null, ref: ObjectRef): string {
  switch (ref.kind) {
    case 'thread': {
      const t = getObject(state, ref);
      if (!t) return ref.id;
      return t.nickname ? `${t.nickname} (${t.agent_path})` : t.agent_path;
    }
    case 'turn': {
      const n = idx?.turnOrdinal.get(ref.id);
      return n ? `Turn ${n}` : `Turn ${ref.id}`;
    }
    case 'conversation_item': {
      const it = getObject(state, ref);
      const n = shortItemId(ref.id);
      if (!it) return `#${n}`;
      if (it.kind === 'compaction_marker') return `#${n} compaction marker`;
      const kind = it.kind === 'message' ? `${it.role} message` : it.kind.replace(/_/g, ' ');
      return `#${n} ${kind}`;
    }
    case 'inference_call': {
      const c = getObject(state, ref);
      const n = idx?.inferenceOrdinal.get(ref.id);
      return `Inference ${n ?? ''}${c ? ` · ${c.model}` : ''}`.replace('  ', ' ').trim();
    }
    case 'tool_call': {
      const t = getObject(state, ref);
      return t ? `${toolKindLabel(t.kind)} ${ref.id}` : ref.id;
    }
    case 'terminal_operation': {
      const op = getObject(state, ref);
      if (!op) return ref.id;
      const what = op.request.type === 'exec_command' ? op.request.display_command : `stdin ${JSON.stringify(op.request.stdin)}`;
      return `${ref.id.replace('terminal_operation:', 'op ')}: ${clip(what, 48)}`;
    }
    case 'terminal_session':
      return `Terminal ${ref.id.replace('terminal_session:terminal_operation:', 'op ')}`;
    case 'code_cell':
      return `Code cell ${ref.id.replace(/^code_cell:/, '')}`;
    case 'compaction': {
      const n = idx?.compactionOrdinal.get(ref.id);
      return n ? `Compaction ${n}` : `Compaction ${ref.id.slice(0, 8)}`;
    }
    case 'compaction_request':
      return ref.id.replace('compaction_request:', 'Compaction request ');
    case 'interaction_edge': {
      const e = getObject(state, ref);
      return e ? `${e.kind.replace(/_/g, ' ')} edge` : ref.id;
    }
    case 'raw_payload': {
      const p = getObject(state, ref);
      return p ? `${p.kind.type.replace(/_/g, ' ')} (${ref.id.replace('raw_payload:', '#')})` : ref.id;
    }
  }
}
