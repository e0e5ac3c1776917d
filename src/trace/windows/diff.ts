/**
 * Window diffs: what changed between a thread's previous request window and
 * this one, where each new item came from, and why each dropped item left.
 * Pure TS, no DOM.
 */
import type { ConversationItem, ConversationPart, InferenceCall, RolloutTrace } from '../schema/state';
import { own } from '../indexes/refs';

/** Why an item of the previous window (request or response) is not in this one. */
export type DropReason =
  /** Listed in the input history of a compaction installed between the two calls (it was compacted away). */
  | { type: 'compaction'; compactionId: string }
  /** The same content came back as a new conversation item (history rebuilt, e.g. the prompt prefix re-sent after a compaction). */
  | { type: 'resent'; asItemId: string; compactionId: string | null }
  /** Output of a previous call that did not complete (failed / cancelled / aborted). */
  | { type: 'failed_call'; callId: string; status: string }
  /** Schema 2: output of the previous call that was never accepted into history (no history_item_accepted). */
  | { type: 'not_accepted'; callId: string }
  /** A compaction was installed in between, but this item is not in its input history. */
  | { type: 'rewritten'; compactionId: string }
  /** No traced event explains the drop (e.g. local compaction, which Codex does not record). */
  | { type: 'unexplained' };

/** Where an item that is new in this window (not in the previous request window) came from. */
export type AddOrigin =
  | { type: 'previous_response'; callId: string }
  | { type: 'compaction'; compactionId: string }
  | { type: 'tool_output'; toolCallId: string }
  | { type: 'code_cell_output'; codeCellId: string }
  | { type: 'response'; callId: string }
  | { type: 'resent'; ofItemId: string }
  | { type: 'agent_message'; edgeId: string | null }
  | { type: 'returning'; lastCallId: string }
  | { type: 'input' };

export interface DroppedItem {
  itemId: string;
  /** Where it was in the previous call: its request window or its response. */
  from: 'request' | 'response';
  reason: DropReason;
}

export interface WindowDiff {
  callId: string;
  /** The thread's previous inference call (null for the first). */
  prevCallId: string | null;
  /** Compactions installed between the previous call and this one. */
  compactionIds: readonly string[];
  /** Per window position: true when the item was in the previous request window. */
  carriedMask: Uint8Array;
  added: { itemId: string; index: number; origin: AddOrigin }[];
  carried: number;
  dropped: DroppedItem[];
  /** Dropped items whose reason is 'unexplained'. */
  unexplained: number;
}

function partKey(p: ConversationPart): unknown {
  switch (p.type) {
    case 'json':
      return ['json', p.summary];
    case 'payload_ref':
      return ['ref', p.label, p.content_sha256 ?? null];
    case 'text':
      return ['text', p.text];
    case 'summary':
      return ['summary', p.text];
    case 'encoded':
      return ['encoded', p.label, p.value];
    case 'code':
      return ['code', p.language, p.source];
  }
}

/** A key equal for two items with the same model-visible content (ids and payload ids ignored). */
export function contentKey(it: ConversationItem): string {
  return JSON.stringify([it.role, it.kind, it.channel, it.call_id, it.agent_message ?? null, it.body.parts.map(partKey)]);
}

export interface DiffContext {
  state: RolloutTrace;
  /** item → compactions whose replacement_item_ids list it. */
  installedBy: ReadonlyMap<string, readonly string[]>;
  /** item → inference calls whose request window carried it (call order). Only asked for the rare item that comes back into a window. */
  requestCallsOf: (itemId: string) => readonly string[];
  /** item → interaction edges that carry it or target it. */
  edgesOf: (itemId: string) => readonly string[];
  /** 1-based position of a call in its thread. */
  ordinal: ReadonlyMap<string, number>;
}

function originOf(
  ctx: DiffContext,
  call: InferenceCall,
  prev: InferenceCall | null,
  prevResponse: Set<string>,
  itemId: string,
  resentOf: Map<string, string>,
): AddOrigin {
  if (prev && prevResponse.has(itemId)) return { type: 'previous_response', callId: prev.inference_call_id };
  const installed = ctx.installedBy.get(itemId);
  if (installed && installed.length > 0) return { type: 'compaction', compactionId: installed[installed.length - 1] };
  const item = own(ctx.state.conversation_items, itemId);
  if (item) {
    for (const p of item.produced_by) if (p.type === 'tool') return { type: 'tool_output', toolCallId: p.tool_call_id };
    for (const p of item.produced_by) if (p.type === 'code_cell') return { type: 'code_cell_output', codeCellId: p.code_cell_id };
    for (const p of item.produced_by) if (p.type === 'compaction') return { type: 'compaction', compactionId: p.compaction_id };
    for (const p of item.produced_by)
      if (p.type === 'inference' && p.inference_call_id !== call.inference_call_id) return { type: 'response', callId: p.inference_call_id };
  }
  const of = resentOf.get(itemId);
  if (of) return { type: 'resent', ofItemId: of };
  if (item?.agent_message) {
    const edges = ctx.edgesOf(itemId);
    return { type: 'agent_message', edgeId: edges[0] ?? null };
  }
  // Seen in an earlier window of the thread (not the previous one): it came back.
  const seen = prev ? ctx.requestCallsOf(itemId) : null;
  if (seen && prev) {
    const myOrd = ctx.ordinal.get(call.inference_call_id) ?? 0;
    let last: string | null = null;
    for (const c of seen) {
      const o = ctx.ordinal.get(c) ?? 0;
      if (o < myOrd && own(ctx.state.inference_calls, c)?.thread_id === call.thread_id) last = c;
    }
    if (last) return { type: 'returning', lastCallId: last };
  }
  return { type: 'input' };
}

/**
 * Diff a call's request window against the thread's previous call.
 * `compactionIds`: compactions installed between the two calls (see analysis).
 */
export function diffWindow(ctx: DiffContext, call: InferenceCall, prev: InferenceCall | null, compactionIds: readonly string[]): WindowDiff {
  const win = call.request_item_ids;
  const prevIds = prev ? prev.request_item_ids : [];
  const prevRespIds = prev ? prev.response_item_ids : [];
  const carriedMask = new Uint8Array(win.length);
  let carried = 0;
  const addedIdx: number[] = [];
  const droppedRaw: { itemId: string; from: 'request' | 'response' }[] = [];
  let prevResp: Set<string>;

  // Fast path: the usual growth, where the previous window is a prefix of this one.
  let prefix = prevIds.length <= win.length;
  for (let i = 0; prefix && i < prevIds.length; i++) if (prevIds[i] !== win[i]) prefix = false;
  if (prefix) {
    carriedMask.fill(1, 0, prevIds.length);
    carried = prevIds.length;
    for (let i = prevIds.length; i < win.length; i++) addedIdx.push(i);
    prevResp = new Set(prevRespIds);
    if (prevRespIds.length > 0) {
      const tail = new Set(win.slice(prevIds.length));
      for (const id of prevRespIds) if (!tail.has(id) && !prevIds.includes(id)) droppedRaw.push({ itemId: id, from: 'response' });
    }
  } else {
    const prevReq = new Set(prevIds);
    prevResp = new Set(prevRespIds);
    const cur = new Set(win);
    for (let i = 0; i < win.length; i++) {
      if (prevReq.has(win[i])) {
        carriedMask[i] = 1;
        carried++;
      } else addedIdx.push(i);
    }
    // Dropped: in the previous request or response, not in this window.
    for (const id of prevIds) if (!cur.has(id)) droppedRaw.push({ itemId: id, from: 'request' });
    for (const id of prevRespIds) if (!cur.has(id) && !prevReq.has(id)) droppedRaw.push({ itemId: id, from: 'response' });
  }

  // Pair dropped items with added items of identical content ("re-sent as a new item").
  const resentAs = new Map<string, string>();
  const resentOf = new Map<string, string>();
  if (droppedRaw.length > 0 && addedIdx.length > 0) {
    // Cheap shape key first (role, kind, call id, body length); the full content key only for candidates.
    const shape = (it: ConversationItem) => `${it.role}\u0000${it.kind}\u0000${it.channel}\u0000${it.call_id}\u0000${it.body.parts.length}`;
    const byShape = new Map<string, string[]>();
    for (const i of addedIdx) {
      const it = ctx.state.conversation_items[win[i]];
      if (!it || prevResp.has(win[i])) continue;
      const k = shape(it);
      const l = byShape.get(k);
      if (l) l.push(win[i]);
      else byShape.set(k, [win[i]]);
    }
    const keyCache = new Map<string, string>();
    const keyOf = (id: string) => {
      let k = keyCache.get(id);
      if (k === undefined) {
        k = contentKey(own(ctx.state.conversation_items, id)!);
        keyCache.set(id, k);
      }
      return k;
    };
    for (const d of droppedRaw) {
      const it = own(ctx.state.conversation_items, d.itemId);
      if (!it) continue;
      const candidates = byShape.get(shape(it));
      if (!candidates || candidates.length === 0) continue;
      const key = keyOf(d.itemId);
      const at = candidates.findIndex((c) => keyOf(c) === key);
      if (at < 0) continue;
      const match = candidates.splice(at, 1)[0];
      resentAs.set(d.itemId, match);
      resentOf.set(match, d.itemId);
    }
  }

  const compactionInputs = compactionIds.map((id) => ({ id, input: new Set(own(ctx.state.compactions, id)?.input_item_ids ?? []) }));
  const prevDone = prev ? prev.execution.status === 'completed' || prev.execution.status === 'running' : true;
  const checkAccepted = ctx.state.schema_version >= 2;
  let unexplained = 0;
  const dropped: DroppedItem[] = droppedRaw.map(({ itemId, from }) => {
    let reason: DropReason | null = null;
    for (const c of compactionInputs) {
      if (c.input.has(itemId)) {
        reason = { type: 'compaction', compactionId: c.id };
        break;
      }
    }
    if (!reason) {
      const as = resentAs.get(itemId);
      if (as) reason = { type: 'resent', asItemId: as, compactionId: compactionIds[compactionIds.length - 1] ?? null };
    }
    if (!reason && from === 'response' && prev) {
      if (!prevDone) reason = { type: 'failed_call', callId: prev.inference_call_id, status: prev.execution.status };
      else if (checkAccepted && own(ctx.state.conversation_items, itemId) && own(ctx.state.conversation_items, itemId)!.accepted_seq == null)
        reason = { type: 'not_accepted', callId: prev.inference_call_id };
    }
    if (!reason && compactionIds.length > 0) reason = { type: 'rewritten', compactionId: compactionIds[compactionIds.length - 1] };
    if (!reason) {
      reason = { type: 'unexplained' };
      unexplained++;
    }
    return { itemId, from, reason };
  });

  const added = addedIdx.map((index) => ({ itemId: win[index], index, origin: originOf(ctx, call, prev, prevResp, win[index], resentOf) }));
  return {
    callId: call.inference_call_id,
    prevCallId: prev?.inference_call_id ?? null,
    compactionIds,
    carriedMask,
    added,
    carried,
    dropped,
    unexplained,
  };
}

/** Short human text for a drop reason (links are rendered by the UI). */
export function dropReasonText(r: DropReason): string {
  switch (r.type) {
    case 'compaction':
      return 'compacted away';
    case 'resent':
      return 're-sent as a new item';
    case 'failed_call':
      return `output of a ${r.status} call`;
    case 'not_accepted':
      return 'never accepted into history';
    case 'rewritten':
      return 'history rewritten by a compaction (not in its input)';
    case 'unexplained':
      return 'not explained by any traced event';
  }
}

export function addOriginText(o: AddOrigin): string {
  switch (o.type) {
    case 'previous_response':
      return 'response of the previous call';
    case 'compaction':
      return 'installed by a compaction';
    case 'tool_output':
      return 'tool output';
    case 'code_cell_output':
      return 'code cell output';
    case 'response':
      return 'response of an earlier call';
    case 'resent':
      return 're-sent, same content as';
    case 'agent_message':
      return 'message from another agent';
    case 'returning':
      return 'back in the window';
    case 'input':
      return 'new input';
  }
}
