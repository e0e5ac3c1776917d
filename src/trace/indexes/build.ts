/**
 * Derived indexes over a reduced `RolloutTrace`, computed once per load.
 * Pure TS: no DOM, no React. Every list is in a deterministic, documented order.
 */
import type { Compaction, ExecutionWindow, RolloutTrace, TraceAnchor } from '../schema/state';
import type { ObjectRef } from './refs';
import { computeSummary, type TraceSummary } from './summary';
import { own } from './refs';
import { mapPush, mapPushLast, mapPushUnique } from '../multimap';

export interface ThreadNode {
  threadId: string;
  depth: number;
  children: ThreadNode[];
}

export interface ThreadTree {
  /** Root threads (the rollout's root first), each with nested children. */
  roots: ThreadNode[];
  /** Depth-first order of every thread: root first, children by agent_path. */
  order: string[];
  depth: ReadonlyMap<string, number>;
  /** Parent thread by origin; null for roots (and for children whose parent is missing). */
  parent: ReadonlyMap<string, string | null>;
  children: ReadonlyMap<string, readonly string[]>;
}

export interface ItemToolLink {
  toolCallId: string;
  role: 'call' | 'output';
}
export interface ItemCodeCellLink {
  codeCellId: string;
  role: 'source' | 'output';
}

/** Why an object references a raw payload. */
export type PayloadRole =
  'request' | 'prepared_prompt' | 'response' | 'invocation' | 'result' | 'runtime' | 'initial_response' | 'checkpoint' | 'metadata' | 'carried' | 'body';

export interface PayloadUse {
  owner: ObjectRef;
  role: PayloadRole;
  /** True when the link is not stated in the reduced state but inferred (by order). */
  inferred?: boolean;
}

export interface TraceIndexes {
  threadTree: ThreadTree;
  /** Per thread, ordered by execution.started_seq (ties by id). */
  turnsByThread: ReadonlyMap<string, readonly string[]>;
  inferenceCallsByThread: ReadonlyMap<string, readonly string[]>;
  toolCallsByThread: ReadonlyMap<string, readonly string[]>;
  /** Per thread, in install order (installed_at, then marker position). */
  compactionsByThread: ReadonlyMap<string, readonly string[]>;
  /** 1-based position of a compaction within its thread ("compaction N"). */
  compactionOrdinal: ReadonlyMap<string, number>;
  /** 1-based position of a turn / inference call within its thread. */
  turnOrdinal: ReadonlyMap<string, number>;
  inferenceOrdinal: ReadonlyMap<string, number>;
  /** Per turn: items first created in it (thread transcript order), inference calls, tool calls, compactions. */
  itemsByTurn: ReadonlyMap<string, readonly string[]>;
  inferenceCallsByTurn: ReadonlyMap<string, readonly string[]>;
  toolCallsByTurn: ReadonlyMap<string, readonly string[]>;
  compactionsByTurn: ReadonlyMap<string, readonly string[]>;
  /** Position of each item in its thread's conversation_item_ids. */
  itemPosition: ReadonlyMap<string, number>;
  /** Every inference call in started_seq order (ties by id). */
  inferenceOrder: readonly string[];
  /**
   * item → the first and last inference call (by started_seq) whose request
   * window carried it, and how many did. Computed eagerly (request windows can
   * hold millions of entries in total, so the full lists are built on demand).
   */
  itemRequestSpan: ReadonlyMap<string, { first: string; last: string; count: number }>;
  /** item → every inference call whose request window carried it, in call order. Computed on first use, then cached. */
  requestCallsOf(itemId: string): readonly string[];
  /** The same as a (lazy) map: `get(itemId)` = requestCallsOf(itemId) for items some window carried, else undefined. */
  itemRequestCalls: ReadonlyMap<string, readonly string[]>;
  /** item → inference calls whose response produced it (response_item_ids), in call order. */
  itemProducerCalls: ReadonlyMap<string, readonly string[]>;
  /** item → compactions that listed it in input_item_ids (it was replaced). */
  itemReplacedBy: ReadonlyMap<string, readonly string[]>;
  /** item → compactions that listed it in replacement_item_ids (it was installed). */
  itemInstalledBy: ReadonlyMap<string, readonly string[]>;
  /** marker item → its compaction. */
  itemMarkerOf: ReadonlyMap<string, string>;
  /** item → tool calls whose model-visible call/output it is. */
  itemToolCalls: ReadonlyMap<string, readonly ItemToolLink[]>;
  /** item → code cells whose source/output it is. */
  itemCodeCells: ReadonlyMap<string, readonly ItemCodeCellLink[]>;
  /** tool call → the inference call whose response started it. */
  toolCallStartedBy: ReadonlyMap<string, string>;
  /** tool call → code cell it started (S2 started_code_cell_id), and the reverse. */
  codeCellStartedBy: ReadonlyMap<string, string>;
  /** anchor key (see anchorKey) → interaction edges with that anchor as source/target or carrying the item. */
  edgesByAnchor: ReadonlyMap<string, readonly string[]>;
  /** raw_payload_id → who references it. */
  payloadOwners: ReadonlyMap<string, readonly PayloadUse[]>;
  /** object (refKey) → its payload uses, in a stable display order. */
  payloadsByOwner: ReadonlyMap<string, readonly { payloadId: string; role: PayloadRole; inferred?: boolean }[]>;
  summary: TraceSummary;
}

export function anchorKey(a: TraceAnchor): string {
  switch (a.type) {
    case 'conversation_item':
      return `conversation_item:${a.item_id}`;
    case 'tool_call':
      return `tool_call:${a.tool_call_id}`;
    case 'thread':
      return `thread:${a.thread_id}`;
  }
}

export function anchorRef(a: TraceAnchor): ObjectRef {
  switch (a.type) {
    case 'conversation_item':
      return { kind: 'conversation_item', id: a.item_id };
    case 'tool_call':
      return { kind: 'tool_call', id: a.tool_call_id };
    case 'thread':
      return { kind: 'thread', id: a.thread_id };
  }
}

const ownerKey = (r: ObjectRef) => `${r.kind}\u0000${r.id}`;

function bySeq<T extends { execution: ExecutionWindow }>(entries: [string, T][]): [string, T][] {
  return entries.sort(([ia, a], [ib, b]) => a.execution.started_seq - b.execution.started_seq || (ia < ib ? -1 : ia > ib ? 1 : 0));
}

/** Numeric part of `raw_payload:<n>` (NaN when not in that form). */
export function payloadNumber(id: string): number {
  const m = /^raw_payload:(\d+)$/.exec(id);
  return m ? Number(m[1]) : Number.NaN;
}

function buildThreadTree(state: RolloutTrace): ThreadTree {
  const threads = Object.values(state.threads);
  const parent = new Map<string, string | null>();
  const children = new Map<string, string[]>();
  for (const t of threads) {
    const p =
      t.origin.type === 'spawned' && own(state.threads, t.origin.parent_thread_id) && t.origin.parent_thread_id !== t.thread_id
        ? t.origin.parent_thread_id
        : null;
    parent.set(t.thread_id, p);
    children.set(t.thread_id, []);
  }
  const cmp = (a: string, b: string) => {
    const ta = own(state.threads, a)!;
    const tb = own(state.threads, b)!;
    if (ta.agent_path !== tb.agent_path) return ta.agent_path < tb.agent_path ? -1 : 1;
    return ta.execution.started_seq - tb.execution.started_seq || (a < b ? -1 : a > b ? 1 : 0);
  };
  for (const [id, p] of parent) if (p) children.get(p)!.push(id);
  for (const l of children.values()) l.sort(cmp);
  const rootIds = [...parent].filter(([, p]) => p === null).map(([id]) => id);
  rootIds.sort((a, b) => {
    if (a === state.root_thread_id) return -1;
    if (b === state.root_thread_id) return 1;
    return cmp(a, b);
  });
  const order: string[] = [];
  const depth = new Map<string, number>();
  const seen = new Set<string>();
  const visit = (id: string, d: number): ThreadNode => {
    seen.add(id);
    order.push(id);
    depth.set(id, d);
    const kids = children
      .get(id)!
      .filter((c) => !seen.has(c))
      .map((c) => visit(c, d + 1));
    return { threadId: id, depth: d, children: kids };
  };
  const roots = rootIds.map((id) => visit(id, 0));
  // Cycles through origin (should not happen) would leave threads unvisited: surface them as roots.
  for (const t of threads) if (!seen.has(t.thread_id)) roots.push(visit(t.thread_id, 0));
  return { roots, order, depth, parent, children };
}

export function buildTraceIndexes(state: RolloutTrace): TraceIndexes {
  return runSteps(buildTraceIndexesInSteps(state));
}

/** Runs a stepped computation to its end at once. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The indexes in steps, or null when the state cannot be indexed: a partial
 * state from a failed load can be inconsistent, and it is shown without
 * indexes rather than not at all.
 */
export function* tryBuildTraceIndexesInSteps(state: RolloutTrace): Generator<void, TraceIndexes | null> {
  try {
    return yield* buildTraceIndexesInSteps(state);
  } catch (e) {
    console.error('building trace indexes failed', e);
    return null;
  }
}

/**
 * The same build, pausing (`yield`) between its passes so that the page can
 * spread a large trace's indexing over several short tasks. Each pass is a
 * named step below.
 */
export function* buildTraceIndexesInSteps(state: RolloutTrace): Generator<void, TraceIndexes> {
  const threadTree = buildThreadTree(state);
  const itemPosition = itemPositions(state);
  yield;
  const { turnsByThread, turnOrdinal } = indexTurns(state);
  yield;
  const calls = indexInferenceCalls(state);
  yield;
  const { toolCallsByThread, toolCallsByTurn, itemToolCalls, codeCellStartedBy, itemCodeCells } = indexToolsAndCells(state);
  yield;
  const compactions = indexCompactions(state, itemPosition);
  yield;
  const itemsByTurn = itemsByTurnInOrder(state, threadTree);
  const edgesByAnchor = indexEdgeAnchors(state);
  yield;
  const payloads = new PayloadUses();
  payloads.addItemBodies(state);
  yield;
  payloads.addObjects(state);
  payloads.addInferred(state, compactions.compactionEntries);
  const { itemRequestSpan, requestCallsOf } = requestSpans(calls);
  const { inferenceCallsByThread, inferenceCallsByTurn, inferenceOrdinal, inferenceOrder, itemProducerCalls, toolCallStartedBy } = calls;
  const { compactionsByThread, compactionsByTurn, compactionOrdinal, itemReplacedBy, itemInstalledBy, itemMarkerOf } = compactions;
  const { payloadOwners, payloadsByOwner } = payloads;
  return {
    threadTree,
    turnsByThread,
    inferenceCallsByThread,
    toolCallsByThread,
    compactionsByThread,
    compactionOrdinal,
    turnOrdinal,
    inferenceOrdinal,
    itemsByTurn,
    inferenceCallsByTurn,
    toolCallsByTurn,
    compactionsByTurn,
    itemPosition,
    inferenceOrder,
    itemRequestSpan,
    requestCallsOf,
    itemRequestCalls: new LazyListMap(itemRequestSpan, requestCallsOf),
    itemProducerCalls,
    itemReplacedBy,
    itemInstalledBy,
    itemMarkerOf,
    itemToolCalls,
    itemCodeCells,
    toolCallStartedBy,
    codeCellStartedBy,
    edgesByAnchor,
    payloadOwners,
    payloadsByOwner,
    summary: computeSummary(state),
  };
}

/** Each item's position in its thread's transcript (its own thread's, when another thread lists it too). */
function itemPositions(state: RolloutTrace): Map<string, number> {
  const itemPosition = new Map<string, number>();
  for (const t of Object.values(state.threads)) {
    t.conversation_item_ids.forEach((id, i) => {
      if (!itemPosition.has(id) || own(state.conversation_items, id)?.thread_id === t.thread_id) itemPosition.set(id, i);
    });
  }
  return itemPosition;
}

/** Turns per thread, in seq order, and each turn's ordinal in its thread. */
function indexTurns(state: RolloutTrace) {
  const turnsByThread = new Map<string, string[]>();
  const turnOrdinal = new Map<string, number>();
  for (const [id, t] of bySeq(Object.entries(state.codex_turns))) {
    mapPush(turnsByThread, t.thread_id, id);
    turnOrdinal.set(id, turnsByThread.get(t.thread_id)!.length);
  }
  return { turnsByThread, turnOrdinal };
}

/**
 * Inference calls per thread and turn, with ordinals; which calls' windows
 * carried each item (as a span of call positions); the calls that produced
 * each item; the call whose response started each tool call.
 */
function indexInferenceCalls(state: RolloutTrace) {
  const inferenceCallsByThread = new Map<string, string[]>();
  const inferenceCallsByTurn = new Map<string, string[]>();
  const inferenceOrdinal = new Map<string, number>();
  const spans = new Map<string, { first: number; last: number; count: number }>();
  const itemProducerCalls = new Map<string, string[]>();
  const toolCallStartedBy = new Map<string, string>();
  const callEntries = bySeq(Object.entries(state.inference_calls));
  const inferenceOrder = callEntries.map(([id]) => id);
  for (let j = 0; j < callEntries.length; j++) {
    const [id, c] = callEntries[j];
    mapPush(inferenceCallsByThread, c.thread_id, id);
    inferenceOrdinal.set(id, inferenceCallsByThread.get(c.thread_id)!.length);
    mapPush(inferenceCallsByTurn, c.codex_turn_id, id);
    const window = c.request_item_ids;
    for (let k = 0; k < window.length; k++) {
      const item = window[k];
      const sp = spans.get(item);
      if (!sp) spans.set(item, { first: j, last: j, count: 1 });
      else if (sp.last !== j) {
        sp.last = j;
        sp.count++;
      }
    }
    for (const item of c.response_item_ids) mapPushLast(itemProducerCalls, item, id);
    for (const tc of c.tool_call_ids_started_by_response) if (!toolCallStartedBy.has(tc)) toolCallStartedBy.set(tc, id);
  }
  return { inferenceCallsByThread, inferenceCallsByTurn, inferenceOrdinal, spans, itemProducerCalls, toolCallStartedBy, callEntries, inferenceOrder };
}

/** Tool calls per thread and turn, items linked to tool calls and code cells, and the tool call that started each code cell. */
function indexToolsAndCells(state: RolloutTrace) {
  const toolCallsByThread = new Map<string, string[]>();
  const toolCallsByTurn = new Map<string, string[]>();
  const itemToolCalls = new Map<string, ItemToolLink[]>();
  const codeCellStartedBy = new Map<string, string>();
  for (const [id, tc] of bySeq(Object.entries(state.tool_calls))) {
    mapPush(toolCallsByThread, tc.thread_id, id);
    if (tc.started_by_codex_turn_id) mapPush(toolCallsByTurn, tc.started_by_codex_turn_id, id);
    for (const item of tc.model_visible_call_item_ids) mapPush(itemToolCalls, item, { toolCallId: id, role: 'call' as const });
    for (const item of tc.model_visible_output_item_ids) mapPush(itemToolCalls, item, { toolCallId: id, role: 'output' as const });
    if (tc.started_code_cell_id) codeCellStartedBy.set(tc.started_code_cell_id, id);
  }

  const itemCodeCells = new Map<string, ItemCodeCellLink[]>();
  for (const [id, cc] of bySeq(Object.entries(state.code_cells))) {
    mapPush(itemCodeCells, cc.source_item_id, { codeCellId: id, role: 'source' as const });
    for (const item of cc.output_item_ids) mapPush(itemCodeCells, item, { codeCellId: id, role: 'output' as const });
  }
  return { toolCallsByThread, toolCallsByTurn, itemToolCalls, codeCellStartedBy, itemCodeCells };
}

/** Compactions in install order within each thread, with ordinals, and the items each replaced, installed or marks. */
function indexCompactions(state: RolloutTrace, itemPosition: Map<string, number>) {
  // Compactions: install order within the thread.
  const compactionEntries = Object.entries(state.compactions).sort(([ia, a], [ib, b]) => {
    return (
      a.installed_at_unix_ms - b.installed_at_unix_ms ||
      (itemPosition.get(a.marker_item_id) ?? 0) - (itemPosition.get(b.marker_item_id) ?? 0) ||
      (ia < ib ? -1 : ia > ib ? 1 : 0)
    );
  });
  const compactionsByThread = new Map<string, string[]>();
  const compactionsByTurn = new Map<string, string[]>();
  const compactionOrdinal = new Map<string, number>();
  const itemReplacedBy = new Map<string, string[]>();
  const itemInstalledBy = new Map<string, string[]>();
  const itemMarkerOf = new Map<string, string>();
  for (const [id, c] of compactionEntries) {
    mapPush(compactionsByThread, c.thread_id, id);
    mapPush(compactionsByTurn, c.codex_turn_id, id);
    compactionOrdinal.set(id, compactionsByThread.get(c.thread_id)!.length);
    for (const item of c.input_item_ids) mapPushLast(itemReplacedBy, item, id);
    for (const item of c.replacement_item_ids) mapPushLast(itemInstalledBy, item, id);
    itemMarkerOf.set(c.marker_item_id, id);
  }
  return { compactionEntries, compactionsByThread, compactionsByTurn, compactionOrdinal, itemReplacedBy, itemInstalledBy, itemMarkerOf };
}

/** Items per turn, in their thread's transcript order. */
function itemsByTurnInOrder(state: RolloutTrace, threadTree: ThreadTree): Map<string, string[]> {
  const itemsByTurn = new Map<string, string[]>();
  const placed = new Set<string>();
  for (const tid of threadTree.order) {
    for (const itemId of own(state.threads, tid)?.conversation_item_ids ?? []) {
      const it = own(state.conversation_items, itemId);
      if (it && it.codex_turn_id && it.thread_id === tid && !placed.has(itemId)) {
        placed.add(itemId);
        mapPush(itemsByTurn, it.codex_turn_id, itemId);
      }
    }
  }
  return itemsByTurn;
}

/** Interaction edges by each anchor they touch (source, target, carried items). */
function indexEdgeAnchors(state: RolloutTrace): Map<string, string[]> {
  const edgesByAnchor = new Map<string, string[]>();
  for (const [id, e] of Object.entries(state.interaction_edges)) {
    mapPushUnique(edgesByAnchor, anchorKey(e.source), id);
    mapPushUnique(edgesByAnchor, anchorKey(e.target), id);
    for (const item of e.carried_item_ids) mapPushUnique(edgesByAnchor, `conversation_item:${item}`, id);
  }
  return edgesByAnchor;
}

/** Payload references, both directions: payload → its users, object → its payloads. */
class PayloadUses {
  readonly payloadOwners = new Map<string, PayloadUse[]>();
  readonly payloadsByOwner = new Map<string, { payloadId: string; role: PayloadRole; inferred?: boolean }[]>();

  use(owner: ObjectRef, role: PayloadRole, payloadId: string | null | undefined, inferred = false): void {
    if (!payloadId) return;
    const u: PayloadUse = inferred ? { owner, role, inferred } : { owner, role };
    const owners = this.payloadOwners.get(payloadId) ?? [];
    if (!owners.some((o) => o.owner.kind === owner.kind && o.owner.id === owner.id && o.role === role)) owners.push(u);
    this.payloadOwners.set(payloadId, owners);
    const k = ownerKey(owner);
    const list = this.payloadsByOwner.get(k) ?? [];
    if (!list.some((p) => p.payloadId === payloadId)) list.push(inferred ? { payloadId, role, inferred } : { payloadId, role });
    this.payloadsByOwner.set(k, list);
  }

  /** Payloads that conversation item bodies point to. */
  addItemBodies(state: RolloutTrace): void {
    const use = this.use.bind(this);
    for (const [id, it] of Object.entries(state.conversation_items)) {
      for (const p of it.body.parts) {
        if (p.type === 'json' || p.type === 'payload_ref') use({ kind: 'conversation_item', id }, 'body', p.raw_payload_id);
      }
    }
  }

  /** Payloads the other objects name. */
  addObjects(state: RolloutTrace): void {
    const use = this.use.bind(this);
    for (const [id, c] of Object.entries(state.inference_calls)) {
      use({ kind: 'inference_call', id }, 'request', c.raw_request_payload_id);
      // Schema 3: the prompt Codex prepared, shown between what was sent and what came back.
      use({ kind: 'inference_call', id }, 'prepared_prompt', c.prepared_prompt_payload_id);
      use({ kind: 'inference_call', id }, 'response', c.raw_response_payload_id);
    }
    for (const [id, t] of Object.entries(state.tool_calls)) {
      use({ kind: 'tool_call', id }, 'invocation', t.raw_invocation_payload_id);
      use({ kind: 'tool_call', id }, 'result', t.raw_result_payload_id);
      for (const p of t.raw_runtime_payload_ids) use({ kind: 'tool_call', id }, 'runtime', p);
    }
    for (const [id, op] of Object.entries(state.terminal_operations)) {
      for (const p of op.raw_payload_ids) use({ kind: 'terminal_operation', id }, 'runtime', p);
    }
    for (const [id, cc] of Object.entries(state.code_cells)) {
      use({ kind: 'code_cell', id }, 'initial_response', cc.raw_initial_response_payload_id);
      use({ kind: 'code_cell', id }, 'result', cc.raw_result_payload_id);
    }
    for (const [id, r] of Object.entries(state.compaction_requests)) {
      use({ kind: 'compaction_request', id }, 'request', r.raw_request_payload_id);
      use({ kind: 'compaction_request', id }, 'response', r.raw_response_payload_id);
    }
    for (const [id, e] of Object.entries(state.interaction_edges)) {
      for (const p of e.carried_raw_payload_ids) use({ kind: 'interaction_edge', id }, 'carried', p);
    }
  }

  /**
   * The reduced state does not say which checkpoint belongs to which compaction,
   * nor which session_metadata payload belongs to which thread. Both are written
   * in order (one per install / one per thread start), so pair them by order
   * when the counts agree, and mark the link as inferred.
   */
  addInferred(state: RolloutTrace, compactionEntries: [string, Compaction][]): void {
    const use = this.use.bind(this);
    const byKind = (type: string) =>
      Object.values(state.raw_payloads)
        .filter((p) => p.kind.type === type)
        .map((p) => p.raw_payload_id)
        .sort((a, b) => payloadNumber(a) - payloadNumber(b));
    const checkpoints = byKind('compaction_checkpoint');
    if (checkpoints.length > 0 && checkpoints.length === compactionEntries.length) {
      const installOrder = [...compactionEntries].sort(([, a], [, b]) => a.installed_at_unix_ms - b.installed_at_unix_ms);
      installOrder.forEach(([id], i) => use({ kind: 'compaction', id }, 'checkpoint', checkpoints[i], true));
    }
    const metadata = byKind('session_metadata');
    const threadsBySeq = bySeq(Object.entries(state.threads));
    if (metadata.length > 0 && metadata.length === threadsBySeq.length) {
      threadsBySeq.forEach(([id], i) => use({ kind: 'thread', id }, 'metadata', metadata[i], true));
    }
  }
}

/** Per item, the first and last call whose window carried it, and (lazily) every call that did. */
function requestSpans({ spans, callEntries, inferenceOrder }: ReturnType<typeof indexInferenceCalls>) {
  const itemRequestSpan = new Map<string, { first: string; last: string; count: number }>();
  for (const [item, sp] of spans) itemRequestSpan.set(item, { first: inferenceOrder[sp.first], last: inferenceOrder[sp.last], count: sp.count });
  const requestCache = new Map<string, readonly string[]>();
  const requestCallsOf = (itemId: string): readonly string[] => {
    let l = requestCache.get(itemId);
    if (l) return l;
    const sp = spans.get(itemId);
    const out: string[] = [];
    if (sp) {
      for (let j = sp.first; j <= sp.last; j++) {
        if (callEntries[j][1].request_item_ids.includes(itemId)) out.push(callEntries[j][0]);
      }
    }
    l = Object.freeze(out);
    requestCache.set(itemId, l);
    return l;
  };
  return { itemRequestSpan, requestCallsOf };
}

/** A read-only map whose values are computed on first access (keys are known up front). */
class LazyListMap implements ReadonlyMap<string, readonly string[]> {
  constructor(
    private readonly keysOf: ReadonlyMap<string, unknown>,
    private readonly compute: (key: string) => readonly string[],
  ) {}
  get size(): number {
    return this.keysOf.size;
  }
  has(key: string): boolean {
    return this.keysOf.has(key);
  }
  get(key: string): readonly string[] | undefined {
    return this.keysOf.has(key) ? this.compute(key) : undefined;
  }
  forEach(cb: (value: readonly string[], key: string, map: ReadonlyMap<string, readonly string[]>) => void): void {
    for (const k of this.keysOf.keys()) cb(this.compute(k), k, this);
  }
  *entries(): MapIterator<[string, readonly string[]]> {
    for (const k of this.keysOf.keys()) yield [k, this.compute(k)];
  }
  keys(): MapIterator<string> {
    return this.keysOf.keys();
  }
  *values(): MapIterator<readonly string[]> {
    for (const k of this.keysOf.keys()) yield this.compute(k);
  }
  [Symbol.iterator](): MapIterator<[string, readonly string[]]> {
    return this.entries();
  }
}

const EMPTY: readonly never[] = Object.freeze([]);
/** Convenience: a list from an index, or an empty list. */
export function listOf<T>(m: ReadonlyMap<string, readonly T[]>, key: string): readonly T[] {
  return m.get(key) ?? EMPTY;
}

/** The first / last inference call whose request window carried the item, and how many did. */
export function requestWindowSpan(idx: TraceIndexes, itemId: string): { first: string; last: string; count: number } | null {
  return idx.itemRequestSpan.get(itemId) ?? null;
}

/** Payloads an object references (stated and inferred), in display order. */
export function payloadsOf(idx: TraceIndexes, ref: ObjectRef) {
  return idx.payloadsByOwner.get(ownerKey(ref)) ?? EMPTY;
}
