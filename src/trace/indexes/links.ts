/**
 * "Related objects" for the inspector: for any object, the groups of other
 * objects it links to, following §7 of the trace-format doc.
 */
import type { RolloutTrace } from '../schema/state';
import { anchorRef, listOf, type TraceIndexes } from './build';
import { getObject, type ObjectKind, type ObjectRef, own } from './refs';

export interface LinkGroup {
  /** Stable key (used by tests and React). */
  key: string;
  label: string;
  refs: ObjectRef[];
  /** Optional explanation shown next to the group. */
  note?: string;
}

const r = (kind: ObjectKind, id: string): ObjectRef => ({ kind, id });
const many = (kind: ObjectKind, ids: readonly string[]) => ids.map((id) => r(kind, id));

function neighbours(list: readonly string[], id: string): { prev: string | null; next: string | null } {
  const i = list.indexOf(id);
  if (i < 0) return { prev: null, next: null };
  return { prev: i > 0 ? list[i - 1] : null, next: i + 1 < list.length ? list[i + 1] : null };
}

export function relatedLinks(state: RolloutTrace, idx: TraceIndexes, ref: ObjectRef): LinkGroup[] {
  const groups: LinkGroup[] = [];
  const add = (key: string, label: string, refs: ObjectRef[], note?: string) => {
    if (refs.length > 0) groups.push(note ? { key, label, refs, note } : { key, label, refs });
  };
  const edgesOf = (anchor: string) => many('interaction_edge', listOf(idx.edgesByAnchor, anchor));

  switch (ref.kind) {
    case 'thread': {
      const t = getObject(state, ref);
      if (!t) break;
      const parent = idx.threadTree.parent.get(ref.id);
      if (t.origin.type === 'spawned') {
        add('parent', 'Parent thread', [r('thread', t.origin.parent_thread_id)]);
        add('spawn_edge', 'Spawned by', [r('interaction_edge', t.origin.spawn_edge_id)]);
        const edge = own(state.interaction_edges, t.origin.spawn_edge_id);
        if (edge && edge.source.type === 'tool_call') add('spawn_tool', 'Spawning tool call', [anchorRef(edge.source)]);
      } else if (parent) {
        add('parent', 'Parent thread', [r('thread', parent)]);
      }
      add('children', 'Sub-agents', many('thread', listOf(idx.threadTree.children, ref.id)));
      add('turns', 'Turns', many('turn', listOf(idx.turnsByThread, ref.id)));
      add('inference', 'Inference calls', many('inference_call', listOf(idx.inferenceCallsByThread, ref.id)));
      add('tools', 'Tool calls', many('tool_call', listOf(idx.toolCallsByThread, ref.id)));
      add('compactions', 'Compactions', many('compaction', listOf(idx.compactionsByThread, ref.id)));
      add(
        'terminals',
        'Terminal sessions',
        many(
          'terminal_session',
          Object.keys(state.terminal_sessions).filter((k) => own(state.terminal_sessions, k)!.thread_id === ref.id),
        ),
      );
      add(
        'code_cells',
        'Code cells',
        many(
          'code_cell',
          Object.keys(state.code_cells).filter((k) => own(state.code_cells, k)!.thread_id === ref.id),
        ),
      );
      add('edges', 'Interaction edges', edgesOf(`thread:${ref.id}`));
      break;
    }
    case 'turn': {
      const t = getObject(state, ref);
      if (!t) break;
      add('thread', 'Thread', [r('thread', t.thread_id)]);
      const { prev, next } = neighbours(listOf(idx.turnsByThread, t.thread_id), ref.id);
      add('prev', 'Previous turn', prev ? [r('turn', prev)] : []);
      add('next', 'Next turn', next ? [r('turn', next)] : []);
      add('inference', 'Inference calls', many('inference_call', listOf(idx.inferenceCallsByTurn, ref.id)));
      add('tools', 'Tool calls', many('tool_call', listOf(idx.toolCallsByTurn, ref.id)));
      add('compactions', 'Compactions', many('compaction', listOf(idx.compactionsByTurn, ref.id)));
      add('items', 'Items created in this turn', many('conversation_item', listOf(idx.itemsByTurn, ref.id)));
      break;
    }
    case 'conversation_item': {
      const it = getObject(state, ref);
      if (!it) break;
      add('thread', 'Thread', [r('thread', it.thread_id)]);
      if (it.codex_turn_id) add('turn', 'Turn', [r('turn', it.codex_turn_id)]);
      const producers: ObjectRef[] = [];
      for (const p of it.produced_by) {
        if (p.type === 'inference') producers.push(r('inference_call', p.inference_call_id));
        else if (p.type === 'tool') producers.push(r('tool_call', p.tool_call_id));
        else if (p.type === 'code_cell') producers.push(r('code_cell', p.code_cell_id));
        else if (p.type === 'compaction') producers.push(r('compaction', p.compaction_id));
        else if (p.type === 'interaction_edge') producers.push(r('interaction_edge', p.edge_id));
      }
      for (const c of listOf(idx.itemProducerCalls, ref.id)) {
        if (!producers.some((p) => p.kind === 'inference_call' && p.id === c)) producers.push(r('inference_call', c));
      }
      add('produced_by', 'Produced by', producers);
      const tools = listOf(idx.itemToolCalls, ref.id);
      add(
        'tool_call_of',
        'Call of tool',
        tools.filter((t) => t.role === 'call').map((t) => r('tool_call', t.toolCallId)),
      );
      add(
        'tool_output_of',
        'Output of tool',
        tools.filter((t) => t.role === 'output').map((t) => r('tool_call', t.toolCallId)),
      );
      const cells = listOf(idx.itemCodeCells, ref.id);
      add(
        'code_cell_source',
        'Source of code cell',
        cells.filter((c) => c.role === 'source').map((c) => r('code_cell', c.codeCellId)),
      );
      add(
        'code_cell_output',
        'Output of code cell',
        cells.filter((c) => c.role === 'output').map((c) => r('code_cell', c.codeCellId)),
      );
      const marker = idx.itemMarkerOf.get(ref.id);
      add('marker_of', 'Marker of', marker ? [r('compaction', marker)] : []);
      add('replaced_by', 'Replaced by', many('compaction', listOf(idx.itemReplacedBy, ref.id)));
      add('installed_by', 'Installed by', many('compaction', listOf(idx.itemInstalledBy, ref.id)));
      const span = idx.itemRequestSpan.get(ref.id);
      if (span) {
        add('first_request', 'First in request window of', [r('inference_call', span.first)]);
        if (span.count > 1) add('last_request', 'Last in request window of', [r('inference_call', span.last)]);
        add('requests', `Seen by the model in ${span.count} request${span.count === 1 ? '' : 's'}`, many('inference_call', idx.requestCallsOf(ref.id)));
      }
      add('edges', 'Interaction edges', edgesOf(`conversation_item:${ref.id}`));
      break;
    }
    case 'inference_call': {
      const c = getObject(state, ref);
      if (!c) break;
      add('thread', 'Thread', [r('thread', c.thread_id)]);
      add('turn', 'Turn', [r('turn', c.codex_turn_id)]);
      const { prev, next } = neighbours(listOf(idx.inferenceCallsByThread, c.thread_id), ref.id);
      add('prev', 'Previous inference', prev ? [r('inference_call', prev)] : []);
      add('next', 'Next inference', next ? [r('inference_call', next)] : []);
      add('response', 'Produced (response items)', many('conversation_item', c.response_item_ids));
      add('tools', 'Tool calls started', many('tool_call', c.tool_call_ids_started_by_response));
      add('request', 'Request window (what the model saw)', many('conversation_item', c.request_item_ids));
      break;
    }
    case 'tool_call': {
      const t = getObject(state, ref);
      if (!t) break;
      add('thread', 'Thread', [r('thread', t.thread_id)]);
      if (t.started_by_codex_turn_id) add('turn', 'Turn', [r('turn', t.started_by_codex_turn_id)]);
      const by = idx.toolCallStartedBy.get(ref.id);
      add('started_by', 'Started by inference', by ? [r('inference_call', by)] : []);
      if (t.requester.type === 'code_cell') add('requester', 'Requested by code cell', [r('code_cell', t.requester.code_cell_id)]);
      add('call_items', 'Call item', many('conversation_item', t.model_visible_call_item_ids));
      add('output_items', 'Output item', many('conversation_item', t.model_visible_output_item_ids));
      if (t.terminal_operation_id) {
        add('terminal_op', 'Terminal operation', [r('terminal_operation', t.terminal_operation_id)]);
        const op = own(state.terminal_operations, t.terminal_operation_id);
        if (op?.terminal_id) add('terminal', 'Terminal session', [r('terminal_session', op.terminal_id)]);
      }
      if (t.started_code_cell_id) add('started_cell', 'Started code cell', [r('code_cell', t.started_code_cell_id)]);
      add('edges', 'Interaction edges', edgesOf(`tool_call:${ref.id}`));
      break;
    }
    case 'terminal_operation': {
      const op = getObject(state, ref);
      if (!op) break;
      add('tool', 'Tool call', [r('tool_call', op.tool_call_id)]);
      if (op.terminal_id) add('terminal', 'Terminal session', [r('terminal_session', op.terminal_id)]);
      const calls: string[] = [];
      const outs: string[] = [];
      for (const o of op.model_observations) {
        for (const i of o.call_item_ids) if (!calls.includes(i)) calls.push(i);
        for (const i of o.output_item_ids) if (!outs.includes(i)) outs.push(i);
      }
      add('obs_calls', 'Observed by call items', many('conversation_item', calls));
      add('obs_outputs', 'Model saw output in', many('conversation_item', outs));
      break;
    }
    case 'terminal_session': {
      const s = getObject(state, ref);
      if (!s) break;
      add('thread', 'Thread', [r('thread', s.thread_id)]);
      add('created_by', 'Created by', [r('terminal_operation', s.created_by_operation_id)]);
      add('operations', 'Operations', many('terminal_operation', s.operation_ids));
      break;
    }
    case 'code_cell': {
      const c = getObject(state, ref);
      if (!c) break;
      add('thread', 'Thread', [r('thread', c.thread_id)]);
      add('turn', 'Turn', [r('turn', c.codex_turn_id)]);
      const by = idx.codeCellStartedBy.get(ref.id);
      add('started_by', 'Started by tool call', by ? [r('tool_call', by)] : []);
      add('source', 'Source item', [r('conversation_item', c.source_item_id)]);
      add('outputs', 'Output items', many('conversation_item', c.output_item_ids));
      add('nested', 'Nested tool calls', many('tool_call', c.nested_tool_call_ids));
      add('waits', 'Wait calls', many('tool_call', c.wait_tool_call_ids));
      break;
    }
    case 'compaction': {
      const c = getObject(state, ref);
      if (!c) break;
      add('thread', 'Thread', [r('thread', c.thread_id)]);
      add('turn', 'Turn', [r('turn', c.codex_turn_id)]);
      add('marker', 'Marker', [r('conversation_item', c.marker_item_id)]);
      add('requests', 'Request attempts', many('compaction_request', c.request_ids));
      const firstAfter = c.replacement_item_ids.length > 0 ? idx.itemRequestSpan.get(c.replacement_item_ids[0])?.first : undefined;
      add('first_after', 'First inference after install', firstAfter ? [r('inference_call', firstAfter)] : []);
      add('replaced', 'Replaced items', many('conversation_item', c.input_item_ids));
      add('installed', 'Installed items', many('conversation_item', c.replacement_item_ids));
      break;
    }
    case 'compaction_request': {
      const q = getObject(state, ref);
      if (!q) break;
      add('compaction', 'Compaction', [r('compaction', q.compaction_id)], own(state.compactions, q.compaction_id) ? undefined : 'never installed');
      add('thread', 'Thread', [r('thread', q.thread_id)]);
      add('turn', 'Turn', [r('turn', q.codex_turn_id)]);
      break;
    }
    case 'interaction_edge': {
      const e = getObject(state, ref);
      if (!e) break;
      add('source', 'Source', [anchorRef(e.source)]);
      add('target', 'Target', [anchorRef(e.target)]);
      add('carried', 'Carried items', many('conversation_item', e.carried_item_ids));
      break;
    }
    case 'raw_payload': {
      const owners = listOf(idx.payloadOwners, ref.id);
      add(
        'owners',
        'Referenced by',
        owners.map((o) => o.owner),
      );
      break;
    }
  }
  return groups;
}
