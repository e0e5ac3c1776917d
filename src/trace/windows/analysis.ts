/**
 * Request-window analysis over a whole trace, computed once per load:
 * per inference call its window size, make-up by stratum and diff against
 * the thread's previous call; per thread the strata series and where each
 * compaction sits between calls. Pure TS, no DOM.
 */
import type { TraceIndexes } from '../indexes/build';
import type { Compaction, ExecutionStatus, InferenceCall, RolloutTrace, TokenUsage } from '../schema/state';
import { diffWindow, type DiffContext, type WindowDiff } from './diff';
import { itemBodySize, STRATUM_COUNT, stratumIndex, stratumOf, type BodySize, type Stratum } from './sizes';
import { own } from '../indexes/refs';

export interface CallStats {
  callId: string;
  threadId: string;
  turnId: string;
  /** 1-based position in the thread's calls. */
  ordinal: number;
  /** 1-based position of the turn in its thread. */
  turnOrdinal: number;
  /** Position in the thread's calls (0-based) — the x of the strata chart. */
  index: number;
  prevCallId: string | null;
  startMs: number;
  endMs: number | null;
  durationMs: number | null;
  startedSeq: number;
  status: ExecutionStatus;
  usage: TokenUsage | null;
  /** Items in the request window. */
  items: number;
  /** Body bytes of the request window. */
  bytes: number;
  /** Some item's real size is not in the state (payload refs, cut JSON summaries). */
  partialSize: boolean;
  responseItems: number;
  added: number;
  carried: number;
  dropped: number;
  unexplained: number;
  /** Compactions installed between the previous call and this one. */
  compactionsBefore: readonly string[];
}

export interface CompactionMark {
  compactionId: string;
  /** Number of the thread's calls that started before the install: the mark sits between call afterIndex-1 and afterIndex. */
  afterIndex: number;
  atMs: number;
  /** How the position was found. */
  placedBy: 'request_seq' | 'replacement_use' | 'time';
}

export interface ThreadWindows {
  threadId: string;
  /** Inference calls in started_seq order. */
  calls: readonly string[];
  /** Bytes per (call, stratum): strata[i * STRATUM_COUNT + s]. */
  strata: Float64Array;
  /** Window bytes per call. */
  totals: Float64Array;
  compactions: readonly CompactionMark[];
  maxBytes: number;
  /** Largest input_tokens reported by a call of the thread (0 when none). */
  maxInputTokens: number;
  startMs: number;
  endMs: number;
}

export interface WindowAnalysis {
  itemSize: ReadonlyMap<string, BodySize>;
  itemStratum: ReadonlyMap<string, Stratum>;
  calls: ReadonlyMap<string, CallStats>;
  diffs: ReadonlyMap<string, WindowDiff>;
  threads: ReadonlyMap<string, ThreadWindows>;
  /** Every inference call in started_seq order (all threads). */
  order: readonly string[];
}

function placeCompaction(
  state: RolloutTrace,
  idx: TraceIndexes,
  c: Compaction,
  calls: readonly InferenceCall[],
  position: Map<string, number>,
): CompactionMark {
  const reqSeqs = c.request_ids
    .map((id) => own(state.compaction_requests, id))
    .filter((r) => r !== undefined)
    .map((r) => r.execution.ended_seq ?? r.execution.started_seq);
  if (reqSeqs.length > 0) {
    const seq = Math.max(...reqSeqs);
    let n = 0;
    while (n < calls.length && calls[n].execution.started_seq < seq) n++;
    return { compactionId: c.compaction_id, afterIndex: n, atMs: c.installed_at_unix_ms, placedBy: 'request_seq' };
  }
  for (const rep of c.replacement_item_ids) {
    const first = idx.itemRequestSpan.get(rep)?.first;
    if (first !== undefined && position.has(first))
      return { compactionId: c.compaction_id, afterIndex: position.get(first)!, atMs: c.installed_at_unix_ms, placedBy: 'replacement_use' };
  }
  let n = 0;
  while (n < calls.length && calls[n].execution.started_at_unix_ms <= c.installed_at_unix_ms) n++;
  return { compactionId: c.compaction_id, afterIndex: n, atMs: c.installed_at_unix_ms, placedBy: 'time' };
}

export function buildWindowAnalysis(state: RolloutTrace, idx: TraceIndexes): WindowAnalysis {
  const itemSize = new Map<string, BodySize>();
  const itemStratum = new Map<string, Stratum>();
  const stratumNum = new Map<string, number>();
  for (const [id, it] of Object.entries(state.conversation_items)) {
    itemSize.set(id, itemBodySize(it));
    const s = stratumOf(it, idx.itemInstalledBy.has(id));
    itemStratum.set(id, s);
    stratumNum.set(id, stratumIndex(s));
  }

  const ctx: DiffContext = {
    state,
    installedBy: idx.itemInstalledBy,
    requestCallsOf: (itemId) => idx.requestCallsOf(itemId),
    edgesOf: (itemId) => idx.edgesByAnchor.get(`conversation_item:${itemId}`) ?? [],
    ordinal: idx.inferenceOrdinal,
  };

  const calls = new Map<string, CallStats>();
  const diffs = new Map<string, WindowDiff>();
  const threads = new Map<string, ThreadWindows>();
  const order: string[] = [];

  const threadIds = [...idx.threadTree.order];
  for (const t of idx.inferenceCallsByThread.keys()) if (!threadIds.includes(t)) threadIds.push(t);

  for (const threadId of threadIds) {
    const ids = (idx.inferenceCallsByThread.get(threadId) ?? []).filter((id) => own(state.inference_calls, id));
    const list = ids.map((id) => own(state.inference_calls, id)!);
    const position = new Map(ids.map((id, i) => [id, i]));
    const marks = (idx.compactionsByThread.get(threadId) ?? [])
      .map((cid) => own(state.compactions, cid))
      .filter((c) => c !== undefined)
      .map((c) => placeCompaction(state, idx, c, list, position));
    const before = new Map<number, string[]>();
    for (const m of marks) {
      const l = before.get(m.afterIndex);
      if (l) l.push(m.compactionId);
      else before.set(m.afterIndex, [m.compactionId]);
    }

    const n = list.length;
    const strata = new Float64Array(n * STRATUM_COUNT);
    const totals = new Float64Array(n);
    let maxBytes = 0;
    let maxInputTokens = 0;
    let startMs = Infinity;
    let endMs = -Infinity;
    for (let i = 0; i < n; i++) {
      const call = list[i];
      const prev = i > 0 ? list[i - 1] : null;
      let bytes = 0;
      let partial = false;
      for (const itemId of call.request_item_ids) {
        const sz = itemSize.get(itemId);
        if (!sz) continue;
        bytes += sz.bytes;
        if (sz.partial) partial = true;
        strata[i * STRATUM_COUNT + (stratumNum.get(itemId) ?? 0)] += sz.bytes;
      }
      totals[i] = bytes;
      if (bytes > maxBytes) maxBytes = bytes;
      if (call.usage && call.usage.input_tokens > maxInputTokens) maxInputTokens = call.usage.input_tokens;
      const ex = call.execution;
      startMs = Math.min(startMs, ex.started_at_unix_ms);
      endMs = Math.max(endMs, ex.ended_at_unix_ms ?? ex.started_at_unix_ms);
      const compactionsBefore = before.get(i) ?? [];
      const diff = diffWindow(ctx, call, prev, compactionsBefore);
      diffs.set(call.inference_call_id, diff);
      calls.set(call.inference_call_id, {
        callId: call.inference_call_id,
        threadId,
        turnId: call.codex_turn_id,
        ordinal: i + 1,
        turnOrdinal: idx.turnOrdinal.get(call.codex_turn_id) ?? 0,
        index: i,
        prevCallId: prev?.inference_call_id ?? null,
        startMs: ex.started_at_unix_ms,
        endMs: ex.ended_at_unix_ms,
        durationMs: ex.ended_at_unix_ms == null ? null : ex.ended_at_unix_ms - ex.started_at_unix_ms,
        startedSeq: ex.started_seq,
        status: ex.status,
        usage: call.usage,
        items: call.request_item_ids.length,
        bytes,
        partialSize: partial,
        responseItems: call.response_item_ids.length,
        added: diff.added.length,
        carried: diff.carried,
        dropped: diff.dropped.length,
        unexplained: diff.unexplained,
        compactionsBefore,
      });
    }
    threads.set(threadId, {
      threadId,
      calls: ids,
      strata,
      totals,
      compactions: marks,
      maxBytes,
      maxInputTokens,
      startMs: Number.isFinite(startMs) ? startMs : state.started_at_unix_ms,
      endMs: Number.isFinite(endMs) ? endMs : state.started_at_unix_ms,
    });
  }
  for (const id of idx.inferenceOrder) if (calls.has(id)) order.push(id);
  return { itemSize, itemStratum, calls, diffs, threads, order };
}

const cache = new WeakMap<RolloutTrace, { idx: TraceIndexes; analysis: WindowAnalysis }>();

/** The analysis of a loaded trace, computed on first use and kept for as long as the state object lives. */
export function getWindowAnalysis(state: RolloutTrace, idx: TraceIndexes): WindowAnalysis {
  const hit = cache.get(state);
  if (hit && hit.idx === idx) return hit.analysis;
  const analysis = buildWindowAnalysis(state, idx);
  cache.set(state, { idx, analysis });
  return analysis;
}
