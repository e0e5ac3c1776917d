/**
 * Where a selection made anywhere in the app is on the timeline: the span that
 * stands for it (itself, or e.g. the inference call that produced a
 * conversation item), or a time range within a track group. Pure TS.
 */
import type { TraceIndexes } from '../indexes/build';
import { refKey, type ObjectRef, own } from '../indexes/refs';
import type { RolloutTrace } from '../schema/state';
import { findSpan, type TimelineModel } from './model';

export interface RevealTarget {
  /** The span standing for the selection, or -1. */
  span: number;
  /** The interaction edge standing for it, or -1. */
  edge: number;
  group: number;
  startMs: number;
  endMs: number;
}

export function revealTarget(model: TimelineModel, state: RolloutTrace, indexes: TraceIndexes | null, ref: ObjectRef, depth = 0): RevealTarget | null {
  if (depth > 4) return null;
  const direct = findSpan(model, ref);
  if (direct >= 0) {
    return { span: direct, edge: -1, group: model.spans.group[direct], startMs: model.spans.start[direct], endMs: model.spans.end[direct] };
  }
  const viaRef = (r: ObjectRef) => revealTarget(model, state, indexes, r, depth + 1);
  switch (ref.kind) {
    case 'interaction_edge': {
      const e = model.edgeOfRef.get(refKey(ref));
      if (e === undefined) return null;
      const edge = model.edges[e];
      return { span: -1, edge: e, group: edge.srcGroup, startMs: Math.min(edge.srcT, edge.dstT), endMs: Math.max(edge.srcT, edge.dstT) };
    }
    case 'thread': {
      const g = model.groupOfThread.get(ref.id);
      if (g === undefined) return null;
      const grp = model.groups[g];
      return { span: -1, edge: -1, group: g, startMs: Math.min(grp.start, grp.end), endMs: Math.max(grp.start, grp.end) };
    }
    case 'conversation_item': {
      const it = own(state.conversation_items, ref.id);
      if (!it) return null;
      const producers = indexes?.itemProducerCalls.get(ref.id) ?? [];
      for (const c of producers) {
        const r = viaRef({ kind: 'inference_call', id: c });
        if (r) return r;
      }
      for (const link of indexes?.itemToolCalls.get(ref.id) ?? []) {
        const r = viaRef({ kind: 'tool_call', id: link.toolCallId });
        if (r) return r;
      }
      const marker = indexes?.itemMarkerOf.get(ref.id);
      if (marker) {
        const r = viaRef({ kind: 'compaction', id: marker });
        if (r) return r;
      }
      for (const link of indexes?.itemCodeCells.get(ref.id) ?? []) {
        const r = viaRef({ kind: 'code_cell', id: link.codeCellId });
        if (r) return r;
      }
      const g = model.groupOfThread.get(it.thread_id);
      if (g === undefined) return null;
      const t = it.accepted_at_unix_ms ?? it.first_seen_at_unix_ms;
      return { span: -1, edge: -1, group: g, startMs: t, endMs: t };
    }
    case 'raw_payload': {
      for (const o of indexes?.payloadOwners.get(ref.id) ?? []) {
        const r = viaRef(o.owner);
        if (r) return r;
      }
      return null;
    }
    default:
      return null;
  }
}
