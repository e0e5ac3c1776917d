/**
 * The timeline model: every timed object of a reduced trace as a span in flat
 * typed arrays, grouped into one track group per agent thread, with each
 * track's spans packed into non-overlapping lanes (sorted by start, so the
 * visible part of a lane is found by binary search).
 *
 * Pure TS (no DOM/React). Built once per load (it does not depend on zoom,
 * filters, collapse state or selection).
 */
import type { TraceIndexes } from '../indexes/build';
import { refKey, type ObjectKind, type ObjectRef, own } from '../indexes/refs';
import { toolKindLabel } from '../indexes/resolve';
import type { ToolCallKind } from '../schema/common';
import type { ExecutionWindow, RolloutTrace, TraceAnchor } from '../schema/state';
import { packBlocks, packLanes, sortByStart } from './pack';
import { getCompactionAnalysis } from '../compaction/analysis';

/** What a span is (drives its track, colour and shape). */
export const SPAN_KINDS = ['turn', 'inference', 'tool', 'terminal_op', 'terminal_session', 'code_cell', 'compaction_request', 'compaction'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];
export const SK: { readonly [K in SpanKind]: number } = {
  turn: 0,
  inference: 1,
  tool: 2,
  terminal_op: 3,
  terminal_session: 4,
  code_cell: 5,
  compaction_request: 6,
  compaction: 7,
};
/** The store ObjectKind of each span kind. */
export const SPAN_OBJECT_KIND: readonly ObjectKind[] = [
  'turn',
  'inference_call',
  'tool_call',
  'terminal_operation',
  'terminal_session',
  'code_cell',
  'compaction_request',
  'compaction',
];

/** `cat` of a compaction span that stands for an untraced (detected) compaction. */
export const UNTRACED_CAT = 1;

export const STATUSES = ['completed', 'failed', 'cancelled', 'running', 'aborted'] as const;
export type SpanStatus = (typeof STATUSES)[number];
const STATUS_CODE: Record<string, number> = { completed: 0, failed: 1, cancelled: 2, running: 3, aborted: 4 };

/** Tool call colour families ("tool calls by kind"). */
export const TOOL_CATEGORIES = ['terminal', 'patch', 'mcp', 'web', 'agent', 'code', 'other'] as const;
export type ToolCategory = (typeof TOOL_CATEGORIES)[number];
export function toolCategory(k: ToolCallKind): number {
  switch (k.type) {
    case 'exec_command':
    case 'write_stdin':
      return 0;
    case 'apply_patch':
      return 1;
    case 'mcp':
      return 2;
    case 'web':
    case 'image_generation':
      return 3;
    case 'spawn_agent':
    case 'assign_agent_task':
    case 'send_message':
    case 'wait_agent':
    case 'close_agent':
      return 4;
    case 'other':
      return k.name === 'exec' || k.name === 'wait' ? 5 : 6;
  }
}

export type TrackKind = 'turns' | 'inference' | 'tools' | 'code' | 'terminal' | 'compaction';
export const TRACK_LABEL: Record<TrackKind, string> = {
  turns: 'Turns',
  inference: 'Inference',
  tools: 'Tools',
  code: 'Code cells',
  terminal: 'Terminals',
  compaction: 'Compaction',
};

/** Spans as a structure of arrays (index = span id). */
export interface TimelineSpans {
  count: number;
  /** Unix ms. Instants have start === end. */
  start: Float64Array;
  /** Unix ms; for spans still running, the end of the trace (and `open` is 1). */
  end: Float64Array;
  kind: Uint8Array;
  status: Uint8Array;
  /** Tool category (tools and terminal operations); 0 otherwise. */
  cat: Uint8Array;
  open: Uint8Array;
  /** Index of the span's group (thread). */
  group: Int32Array;
  /** The lane that holds the span (its drawn row). */
  lane: Int32Array;
  /** A point inside the span worth marking (code cell initial response / yield), else NaN. */
  mark: Float64Array;
  refs: ObjectRef[];
}

export interface Lane {
  id: number;
  group: number;
  track: TrackKind;
  /** Span ids sorted by start; they never overlap each other. */
  spans: Int32Array;
  /** Background lane (terminal session bodies behind their operations). */
  background: boolean;
}

export interface Track {
  kind: TrackKind;
  label: string;
  /** One entry per drawn row: the lanes drawn in that row, bottom to top. */
  rows: number[][];
}

export interface TrackGroup {
  index: number;
  threadId: string;
  agentPath: string;
  nickname: string | null;
  depth: number;
  /** Parent group index, -1 for roots. */
  parent: number;
  start: number;
  end: number;
  open: boolean;
  status: number;
  tracks: Track[];
  /** Lanes drawn (overlaid) in the group's summary row, bottom to top. */
  summaryLanes: number[];
  /** Total spans of this thread. */
  spanCount: number;
}

export type EdgeKind = 'spawn_agent' | 'assign_agent_task' | 'send_message' | 'agent_result' | 'close_agent' | 'wait';
export const EDGE_KIND_LABEL: Record<EdgeKind, string> = {
  spawn_agent: 'spawn',
  assign_agent_task: 'follow-up',
  send_message: 'message',
  agent_result: 'result',
  close_agent: 'close',
  wait: 'wait',
};

/** An arrow between two tracks. Endpoints: a span when there is one, else the group's first row. */
export interface TimelineEdge {
  ref: ObjectRef;
  kind: EdgeKind;
  srcGroup: number;
  srcSpan: number;
  srcT: number;
  dstGroup: number;
  dstSpan: number;
  dstT: number;
}

export interface TimelineModel {
  spans: TimelineSpans;
  lanes: Lane[];
  groups: TrackGroup[];
  edges: TimelineEdge[];
  /** Time bounds of everything drawn (unix ms); endMs > startMs. */
  startMs: number;
  endMs: number;
  /** Trace start: relative times are measured from here. */
  originMs: number;
  groupOfThread: ReadonlyMap<string, number>;
  /** Per span kind code (SK): object id → span id. Use `findSpan`. */
  spanIndex: readonly ReadonlyMap<string, number>[];
  /** The state the model was built from (labels are made from it on demand). */
  state: RolloutTrace;
  indexes: TraceIndexes | null;
  /** Label cache; use `spanLabel`. */
  labelCache: (string | undefined)[];
  /** refKey of an edge's ref → edge index (interaction edges only). */
  edgeOfRef: ReadonlyMap<string, number>;
}

/** Spans collected before packing, as columns (plain objects per span are slow to build at 100k). */
class Columns {
  ref: ObjectRef[] = [];
  kind: number[] = [];
  start: number[] = [];
  /** NaN while running. */
  end: number[] = [];
  status: number[] = [];
  cat: number[] = [];
  thread: string[] = [];
  track: TrackKind[] = [];
  mark: number[] = [];
  /** Terminal operations: the session they belong to. */
  session: (string | null)[] = [];
  push(
    ref: ObjectRef,
    kind: number,
    start: number,
    end: number | null,
    status: number,
    cat: number,
    thread: string,
    track: TrackKind,
    mark = NaN,
    session: string | null = null,
  ): void {
    this.ref.push(ref);
    this.kind.push(kind);
    this.start.push(start);
    this.end.push(end === null ? NaN : end);
    this.status.push(status);
    this.cat.push(cat);
    this.thread.push(thread);
    this.track.push(track);
    this.mark.push(mark);
    this.session.push(session);
  }
  get length(): number {
    return this.ref.length;
  }
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function toolLabel(state: RolloutTrace, id: string): string {
  const t = own(state.tool_calls, id)!;
  const kind = toolKindLabel(t.kind);
  const s = t.summary;
  switch (s.type) {
    case 'terminal': {
      const op = own(state.terminal_operations, s.operation_id);
      if (op?.request.type === 'exec_command') return clip(op.request.display_command, 80);
      if (op?.request.type === 'write_stdin') return `stdin ${clip(JSON.stringify(op.request.stdin), 60)}`;
      return kind;
    }
    case 'agent':
      return `${kind} → ${s.target_agent_path}`;
    case 'wait_agent':
      return s.target_agent_path ? `${kind} ${s.target_agent_path}` : kind;
    case 'generic': {
      // Labels often repeat the kind with a namespace ("collaboration.wait_agent").
      if (!s.label || s.label === kind || s.label.endsWith(`.${kind}`)) {
        const arg = s.input_preview ? previewArg(s.input_preview) : null;
        return arg ? `${kind} ${arg}` : kind;
      }
      return `${kind} · ${s.label}`;
    }
  }
}

/** A short argument worth showing from a JSON input preview (task name, target, command). */
function previewArg(preview: string): string | null {
  try {
    const v: unknown = JSON.parse(preview);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const o = v as Record<string, unknown>;
    for (const k of ['task_name', 'target', 'agent_path', 'cmd', 'command', 'path', 'query']) {
      const x = o[k];
      if (typeof x === 'string' && x) return clip(x, 60);
    }
  } catch {
    /* a cut preview */
  }
  return null;
}

/** Thread ids or agent paths a wait_agent call waits for (from its summary or input preview). */
function waitTargets(state: RolloutTrace, toolId: string): string[] {
  const t = own(state.tool_calls, toolId)!;
  const s = t.summary;
  if (s.type === 'wait_agent') return s.target_agent_path ? [s.target_agent_path] : [];
  if (s.type !== 'generic' || !s.input_preview) return [];
  try {
    const v: unknown = JSON.parse(s.input_preview);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const out: string[] = [];
      for (const key of ['targets', 'target', 'ids', 'id', 'agent_path']) {
        const x = o[key];
        if (typeof x === 'string') out.push(x);
        else if (Array.isArray(x)) for (const y of x) if (typeof y === 'string') out.push(y);
      }
      return out;
    }
  } catch {
    // A preview may be cut: fall back to thread ids that occur in it.
    return Object.keys(state.threads).filter((id) => s.input_preview!.includes(id));
  }
  return [];
}

const models = new WeakMap<RolloutTrace, { indexes: TraceIndexes | null; model: TimelineModel }>();

/**
 * The state's model, built once per state and indexes: the page builds it in a
 * task of its own before the timeline mounts (src/app/staging.tsx), and the
 * panel then finds it here.
 */
export function getTimelineModel(state: RolloutTrace, indexes: TraceIndexes | null): TimelineModel {
  const hit = models.get(state);
  if (hit && hit.indexes === indexes) return hit.model;
  const model = buildTimelineModel(state, indexes);
  models.set(state, { indexes, model });
  return model;
}

export function buildTimelineModel(state: RolloutTrace, indexes: TraceIndexes | null): TimelineModel {
  const col = new Columns();
  const st = (s: string) => STATUS_CODE[s] ?? 0;
  const win = (ref: ObjectRef, kind: number, w: ExecutionWindow, cat: number, thread: string, track: TrackKind, mark = NaN, session: string | null = null) =>
    col.push(ref, kind, w.started_at_unix_ms, w.ended_at_unix_ms, st(w.status), cat, thread, track, mark, session);

  const codex_turnsIds = Object.keys(state.codex_turns);
  for (let k = 0; k < codex_turnsIds.length; k++) {
    const id = codex_turnsIds[k];
    const t = own(state.codex_turns, id)!;
    win({ kind: 'turn', id }, SK.turn, t.execution, 0, t.thread_id, 'turns');
  }
  const inference_callsIds = Object.keys(state.inference_calls);
  for (let k = 0; k < inference_callsIds.length; k++) {
    const id = inference_callsIds[k];
    const c = own(state.inference_calls, id)!;
    win({ kind: 'inference_call', id }, SK.inference, c.execution, 0, c.thread_id, 'inference');
  }
  const waitCalls: string[] = [];
  const tool_callsIds = Object.keys(state.tool_calls);
  for (let k = 0; k < tool_callsIds.length; k++) {
    const id = tool_callsIds[k];
    const t = own(state.tool_calls, id)!;
    win({ kind: 'tool_call', id }, SK.tool, t.execution, toolCategory(t.kind), t.thread_id, 'tools');
    if (t.kind.type === 'wait_agent') waitCalls.push(id);
  }
  const code_cellsIds = Object.keys(state.code_cells);
  for (let k = 0; k < code_cellsIds.length; k++) {
    const id = code_cellsIds[k];
    const c = own(state.code_cells, id)!;
    const mark = c.initial_response_at_unix_ms ?? c.yielded_at_unix_ms ?? NaN;
    win({ kind: 'code_cell', id }, SK.code_cell, c.execution, 5, c.thread_id, 'code', mark);
  }
  const opsOfSession = new Map<string, number[]>();
  const terminal_operationsIds = Object.keys(state.terminal_operations);
  for (let k = 0; k < terminal_operationsIds.length; k++) {
    const id = terminal_operationsIds[k];
    const op = own(state.terminal_operations, id)!;
    const tool = own(state.tool_calls, op.tool_call_id);
    const session = op.terminal_id !== null && own(state.terminal_sessions, op.terminal_id) ? op.terminal_id : null;
    const thread = tool?.thread_id ?? (session ? own(state.terminal_sessions, session)!.thread_id : undefined);
    if (!thread) continue;
    if (session) {
      const l = opsOfSession.get(session);
      if (l) l.push(col.length);
      else opsOfSession.set(session, [col.length]);
    }
    win({ kind: 'terminal_operation', id }, SK.terminal_op, op.execution, 0, thread, 'terminal', NaN, session);
  }
  // Terminal sessions: a body span covering their operations (a session's own window never ends).
  for (const [id, ops] of opsOfSession) {
    let a = Infinity;
    let b = -Infinity;
    let open = false;
    for (const o of ops) {
      a = Math.min(a, col.start[o]);
      const e = col.end[o];
      if (Number.isNaN(e)) open = true;
      else b = Math.max(b, e);
    }
    col.push(
      { kind: 'terminal_session', id },
      SK.terminal_session,
      a,
      open ? null : Math.max(a, b),
      open ? STATUS_CODE.running : 0,
      0,
      col.thread[ops[0]],
      'terminal',
      NaN,
      id,
    );
  }
  const compaction_requestsIds = Object.keys(state.compaction_requests);
  for (let k = 0; k < compaction_requestsIds.length; k++) {
    const id = compaction_requestsIds[k];
    const r = own(state.compaction_requests, id)!;
    win({ kind: 'compaction_request', id }, SK.compaction_request, r.execution, 0, r.thread_id, 'compaction');
  }
  const compactionsIds = Object.keys(state.compactions);
  for (let k = 0; k < compactionsIds.length; k++) {
    const id = compactionsIds[k];
    const c = own(state.compactions, id)!;
    col.push({ kind: 'compaction', id }, SK.compaction, c.installed_at_unix_ms, c.installed_at_unix_ms, 0, 0, c.thread_id, 'compaction');
  }
  // Untraced compactions (local compaction records nothing; the shrink is detected from the request windows):
  // a compaction mark that stands for the first call after it, as the compaction panel's row does.
  if (indexes) {
    for (const e of getCompactionAnalysis(state, indexes).events) {
      if (e.kind !== 'untraced' || e.ref.kind !== 'inference_call') continue;
      col.push(e.ref, SK.compaction, e.atMs, e.atMs, 0, UNTRACED_CAT, e.threadId, 'compaction');
    }
  }

  const n = col.length;
  // Time bounds.
  let lo = state.started_at_unix_ms;
  let hi = state.ended_at_unix_ms ?? state.started_at_unix_ms;
  for (let i = 0; i < n; i++) {
    const s = col.start[i];
    const e = col.end[i];
    if (s < lo) lo = s;
    if (s > hi) hi = s;
    if (e > hi) hi = e;
  }
  for (const id in state.threads) {
    const t = own(state.threads, id)!;
    lo = Math.min(lo, t.execution.started_at_unix_ms);
    hi = Math.max(hi, t.execution.started_at_unix_ms, t.execution.ended_at_unix_ms ?? -Infinity);
  }
  if (!(hi > lo)) hi = lo + 1;

  // Groups: thread tree order (root first, children under their parent by agent path).
  const order = indexes?.threadTree.order ?? Object.keys(state.threads);
  const groupOfThread = new Map<string, number>();
  const groups: TrackGroup[] = [];
  const mkGroup = (threadId: string) => {
    const t = own(state.threads, threadId);
    const index = groups.length;
    groupOfThread.set(threadId, index);
    const parentId = indexes?.threadTree.parent.get(threadId) ?? (t?.origin.type === 'spawned' ? t.origin.parent_thread_id : null);
    groups.push({
      index,
      threadId,
      agentPath: t?.agent_path ?? threadId,
      nickname: t?.nickname ?? null,
      depth: indexes?.threadTree.depth.get(threadId) ?? 0,
      parent: parentId != null && groupOfThread.has(parentId) ? groupOfThread.get(parentId)! : -1,
      // Objects of a thread the state does not list: bounded by their spans below.
      start: t ? t.execution.started_at_unix_ms : hi,
      end: t ? (t.execution.ended_at_unix_ms ?? hi) : lo,
      open: t ? t.execution.ended_at_unix_ms == null : false,
      status: t ? st(t.execution.status) : 0,
      tracks: [],
      summaryLanes: [],
      spanCount: 0,
    });
    return index;
  };
  for (const id of order) mkGroup(id);
  for (const id in state.threads) if (!groupOfThread.has(id)) mkGroup(id);
  for (let i = 0; i < n; i++) if (!groupOfThread.has(col.thread[i])) mkGroup(col.thread[i]);

  // Flat arrays.
  const all: TimelineSpans = {
    count: n,
    start: Float64Array.from(col.start),
    end: new Float64Array(n),
    kind: Uint8Array.from(col.kind),
    status: Uint8Array.from(col.status),
    cat: Uint8Array.from(col.cat),
    open: new Uint8Array(n),
    group: new Int32Array(n),
    lane: new Int32Array(n).fill(-1),
    mark: Float64Array.from(col.mark),
    refs: col.ref,
  };
  const spanIndex = SPAN_KINDS.map(() => new Map<string, number>());
  const sessionSpan = spanIndex[SK.terminal_session];
  // Per group, per track, the span ids.
  const trackOrder: TrackKind[] = ['turns', 'inference', 'tools', 'code', 'terminal', 'compaction'];
  const trackCode: Record<TrackKind, number> = { turns: 0, inference: 1, tools: 2, code: 3, terminal: 4, compaction: 5 };
  const byTrack: number[][] = Array.from({ length: groups.length * trackOrder.length }, () => []);
  for (let i = 0; i < n; i++) {
    const g = groupOfThread.get(col.thread[i])!;
    const e = col.end[i];
    const open = Number.isNaN(e);
    all.end[i] = open ? hi : Math.max(e, all.start[i]);
    all.open[i] = open ? 1 : 0;
    all.group[i] = g;
    spanIndex[col.kind[i]].set(col.ref[i].id, i);
    byTrack[g * trackOrder.length + trackCode[col.track[i]]].push(i);
    const grp = groups[g];
    grp.spanCount++;
    if (!own(state.threads, grp.threadId)) {
      grp.start = Math.min(grp.start, all.start[i]);
      grp.end = Math.max(grp.end, all.end[i]);
    }
  }

  // Lanes.
  const lanes: Lane[] = [];
  const mkLane = (group: number, track: TrackKind, ids: number[], background = false) => {
    const lane: Lane = { id: lanes.length, group, track, spans: Int32Array.from(ids), background };
    for (const i of ids) if (!background || all.lane[i] < 0) all.lane[i] = lane.id;
    lanes.push(lane);
    return lane.id;
  };
  for (const g of groups) {
    for (const tk of trackOrder) {
      const ids = byTrack[g.index * trackOrder.length + trackCode[tk]];
      if (ids.length === 0) continue;
      const rows: number[][] = [];
      if (tk !== 'terminal') {
        const packed = packLanes(sortByStart(ids, all.start, all.end), all.start, all.end, tk === 'compaction' ? 1e-6 : 0);
        for (const l of packed) rows.push([mkLane(g.index, tk, l)]);
      } else {
        // Operations grouped by session; each session is a block of lanes.
        const bySession = new Map<string, number[]>();
        const loose: number[] = [];
        for (const i of ids) {
          if (all.kind[i] === SK.terminal_session) continue;
          const sid = col.session[i];
          if (sid && sessionSpan.has(sid)) {
            const l = bySession.get(sid);
            if (l) l.push(i);
            else bySession.set(sid, [i]);
          } else loose.push(i);
        }
        interface B {
          start: number;
          end: number;
          height: number;
          session: number;
          inner: number[][];
        }
        const blocks: B[] = [];
        for (const [sid, ops] of bySession) {
          const inner = packLanes(sortByStart(ops, all.start, all.end), all.start, all.end);
          const s = sessionSpan.get(sid)!;
          blocks.push({ start: all.start[s], end: all.end[s], height: inner.length, session: s, inner });
        }
        for (const i of loose) blocks.push({ start: all.start[i], end: all.end[i], height: 1, session: -1, inner: [[i]] });
        blocks.sort((a, b) => a.start - b.start || b.end - a.end);
        const { base, lanes: count } = packBlocks(blocks);
        const bg: number[][] = Array.from({ length: count }, () => []);
        const fg: number[][] = Array.from({ length: count }, () => []);
        blocks.forEach((b, k) => {
          for (let j = 0; j < b.height; j++) {
            if (b.session >= 0) bg[base[k] + j].push(b.session);
            fg[base[k] + j].push(...b.inner[j]);
          }
        });
        for (let r = 0; r < count; r++) {
          const row: number[] = [];
          if (bg[r].length) row.push(mkLane(g.index, tk, sortByStart(bg[r], all.start, all.end), true));
          row.push(mkLane(g.index, tk, sortByStart(fg[r], all.start, all.end)));
          rows.push(row);
        }
      }
      g.tracks.push({ kind: tk, label: TRACK_LABEL[tk], rows });
    }
    // Summary row: turns underneath, then tools, code cells, inference and compaction on top.
    const pick = (k: TrackKind) => g.tracks.filter((t) => t.kind === k).flatMap((t) => t.rows.flat().filter((l) => !lanes[l].background));
    g.summaryLanes = [...pick('turns'), ...pick('terminal'), ...pick('tools'), ...pick('code'), ...pick('inference'), ...pick('compaction')];
  }

  // Edges.
  const edges: TimelineEdge[] = [];
  const edgeOfRef = new Map<string, number>();
  // An anchor's span: a tool call itself; for a conversation item, the call that
  // produced it (source end) or the first call of its thread that carried it in
  // its request (target end: where the delivery was consumed).
  const anchor = (a: TraceAnchor, end: 'src' | 'dst', at: number): { group: number; span: number; t: number | null } | null => {
    switch (a.type) {
      case 'tool_call': {
        const t = own(state.tool_calls, a.tool_call_id);
        if (!t) return null;
        return { group: groupOfThread.get(t.thread_id) ?? -1, span: spanIndex[SK.tool].get(a.tool_call_id) ?? -1, t: null };
      }
      case 'conversation_item': {
        const it = own(state.conversation_items, a.item_id);
        if (!it) return null;
        const sameThread = (c: string) => own(state.inference_calls, c)?.thread_id === it.thread_id;
        const producer = indexes?.itemProducerCalls.get(a.item_id)?.find(sameThread);
        const carriers = indexes?.itemRequestCalls.get(a.item_id)?.filter(sameThread) ?? [];
        const consumer = carriers.find((c) => own(state.inference_calls, c)!.execution.started_at_unix_ms >= at) ?? carriers[0];
        const pick = end === 'src' ? (producer ?? consumer) : (consumer ?? producer);
        const span = pick ? (spanIndex[SK.inference].get(pick) ?? -1) : -1;
        return { group: groupOfThread.get(it.thread_id) ?? -1, span, t: it.accepted_at_unix_ms ?? it.first_seen_at_unix_ms };
      }
      case 'thread':
        return groupOfThread.has(a.thread_id) ? { group: groupOfThread.get(a.thread_id)!, span: -1, t: null } : null;
    }
  };
  const clampTo = (t: number, span: number) => (span < 0 ? t : Math.min(Math.max(t, all.start[span]), all.end[span]));
  for (const [id, e] of Object.entries(state.interaction_edges)) {
    const src = anchor(e.source, 'src', e.started_at_unix_ms);
    const dst = anchor(e.target, 'dst', e.ended_at_unix_ms ?? e.started_at_unix_ms);
    if (!src || !dst || src.group < 0 || dst.group < 0) continue;
    const srcT = clampTo(e.started_at_unix_ms, src.span);
    const dstRaw = e.ended_at_unix_ms ?? dst.t ?? e.started_at_unix_ms;
    const dstT = clampTo(Math.max(dstRaw, srcT), dst.span);
    const ref: ObjectRef = { kind: 'interaction_edge', id };
    edgeOfRef.set(refKey(ref), edges.length);
    edges.push({ ref, kind: e.kind, srcGroup: src.group, srcSpan: src.span, srcT, dstGroup: dst.group, dstSpan: dst.span, dstT });
  }
  // Waits: from the awaited agent to the wait call, at the moment the wait returned.
  const threadByPath = new Map<string, string>();
  for (const t of Object.values(state.threads)) threadByPath.set(t.agent_path, t.thread_id);
  for (const id of waitCalls) {
    const t = own(state.tool_calls, id)!;
    const span = spanIndex[SK.tool].get(id);
    const dstGroup = groupOfThread.get(t.thread_id);
    if (span === undefined || dstGroup === undefined) continue;
    const seen = new Set<number>();
    for (const target of waitTargets(state, id)) {
      const tid = own(state.threads, target) ? target : threadByPath.get(target);
      const g = tid !== undefined ? groupOfThread.get(tid) : undefined;
      if (g === undefined || g === dstGroup || seen.has(g)) continue;
      seen.add(g);
      const at = all.end[span];
      edges.push({ ref: { kind: 'tool_call', id }, kind: 'wait', srcGroup: g, srcSpan: -1, srcT: at, dstGroup, dstSpan: span, dstT: at });
    }
  }

  return {
    spans: all,
    lanes,
    groups,
    edges,
    startMs: lo,
    endMs: hi,
    originMs: state.started_at_unix_ms,
    groupOfThread,
    spanIndex,
    edgeOfRef,
    state,
    indexes,
    labelCache: new Array(n),
  };
}

const KIND_CODE = new Map<ObjectKind, number>(SPAN_OBJECT_KIND.map((k, i) => [k, i]));

/** The span of an object (turn, inference call, tool call, …), or -1. */
export function findSpan(m: TimelineModel, ref: ObjectRef): number {
  const code = KIND_CODE.get(ref.kind);
  return code === undefined ? -1 : (m.spanIndex[code].get(ref.id) ?? -1);
}

function makeLabel(m: TimelineModel, i: number): string {
  const { state, indexes } = m;
  const ref = m.spans.refs[i];
  if (isUntracedCompaction(m, i) && indexes) {
    const e = getCompactionAnalysis(state, indexes).byKey.get(`untraced:${ref.id}`);
    return `${e?.label ?? 'Untraced compaction'} (detected: no compaction record)`;
  }
  switch (ref.kind) {
    case 'turn': {
      const n = indexes?.turnOrdinal.get(ref.id);
      return n ? `Turn ${n}` : `Turn ${ref.id}`;
    }
    case 'inference_call': {
      const n = indexes?.inferenceOrdinal.get(ref.id);
      return `${n ? `Inference ${n}` : 'Inference'} · ${own(state.inference_calls, ref.id)?.model ?? ''}`;
    }
    case 'tool_call':
      return own(state.tool_calls, ref.id) ? toolLabel(state, ref.id) : ref.id;
    case 'code_cell':
      return `Code cell ${ref.id.replace(/^code_cell:/, '')}`;
    case 'terminal_operation': {
      const op = own(state.terminal_operations, ref.id);
      if (!op) return ref.id;
      return op.request.type === 'exec_command' ? clip(op.request.display_command, 80) : `stdin ${clip(JSON.stringify(op.request.stdin), 60)}`;
    }
    case 'terminal_session': {
      const ops = own(state.terminal_sessions, ref.id)?.operation_ids.length ?? 0;
      return `Terminal ${ref.id.replace('terminal_session:terminal_operation:', 'op ')} · ${ops} op${ops === 1 ? '' : 's'}`;
    }
    case 'compaction_request':
      return ref.id.replace('compaction_request:', 'Compaction request ');
    case 'compaction': {
      const n = indexes?.compactionOrdinal.get(ref.id);
      return `${n ? `Compaction ${n}` : 'Compaction'} installed`;
    }
    default:
      return ref.id;
  }
}

/** Whether span `i` is an untraced compaction's mark (it stands for the first call after the shrink). */
export function isUntracedCompaction(m: TimelineModel, i: number): boolean {
  return m.spans.kind[i] === SK.compaction && m.spans.cat[i] === UNTRACED_CAT;
}

/** A span's label (made on first use and cached). */
export function spanLabel(m: TimelineModel, i: number): string {
  let l = m.labelCache[i];
  if (l === undefined) {
    l = makeLabel(m, i);
    m.labelCache[i] = l;
  }
  return l;
}

/** The ObjectKind of a span. */
export function spanObjectKind(m: TimelineModel, i: number): ObjectKind {
  return SPAN_OBJECT_KIND[m.spans.kind[i]];
}
