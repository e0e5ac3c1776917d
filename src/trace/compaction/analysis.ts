/**
 * The compaction timeline of a trace: every compaction of every thread, with
 * what it replaced, what took its place, and the model-visible history just
 * before and just after it. Pure TS: no DOM, no React. Computed once per load
 * (`getCompactionAnalysis` caches per state object).
 *
 * Three kinds of events:
 *
 * - `installed`: a `compactions` entry (remote or manual compaction). Replaced
 *   items are its `input_item_ids`, the new ones its `replacement_item_ids`.
 * - `failed`: compaction requests whose `compaction_id` was never installed
 *   (every attempt failed or never finished). History was not rewritten.
 * - `untraced`: a shrink of the history that no compaction record explains
 *   (local compaction records nothing). Detection, per thread, over its
 *   inference calls C1…Cn in `started_seq` order; for each consecutive pair
 *   A = Ci, B = Ci+1:
 *     H(A) = A.request_item_ids ++ A.response_item_ids  (history after A)
 *     W(B) = B.request_item_ids                         (window of B)
 *   (A, B) is an untraced compaction when all of:
 *     1. no installed compaction of the thread is placed between A and B;
 *     2. some item of A's *request window* is missing from W(B) and no item
 *        of W(B) has the same content (so it was not merely re-sent under a
 *        new id, nor only an unaccepted response of A that was dropped);
 *     3. the history shrank: W(B) has fewer items than H(A), or fewer bytes.
 *   An incremental request never qualifies (its window starts with H(A)).
 *
 * Placement of an installed compaction among its thread's inference calls:
 * the first call after it is the first whose request window contains one of
 * its replacement items (the reducer's next full request reconciles against
 * them); failing that (no call carried them), the first call that started
 * after its last request ended, or after its install time. The last call
 * before it is the call just before that.
 */
import { runSteps, type TraceIndexes } from '../indexes/build';
import type { ObjectRef } from '../indexes/refs';
import type { CompactionRequest, ConversationItem, ExecutionStatus, InferenceCall, RolloutTrace } from '../schema/state';
import { alignHistories, type Alignment } from './align';
import { contentKey, itemBytes, type SizeFigures } from './content';
import { own } from '../indexes/refs';
import { mapPushUnique } from '../multimap';

export type CompactionEventKind = 'installed' | 'failed' | 'untraced';

/** Where an item of the "before" history comes from. */
export type BeforeOrigin =
  /** in the request window of the last inference call before */
  | 'request'
  /** produced by that call (its response) */
  | 'response'
  /** in the compaction's input history but in no window yet (e.g. a tool output not yet sent) */
  | 'pending';

export interface HistorySide {
  /** The inference call whose window this is; null when there is none (e.g. no call before or after). */
  callId: string | null;
  itemIds: string[];
  /** Before side only: where each item comes from. */
  origins: BeforeOrigin[] | null;
  size: SizeFigures;
}

/** Summary status of an event's request attempts. `none`: no request recorded (untraced, or an install without requests). */
export type AttemptStatus = ExecutionStatus | 'none';

export interface CompactionEvent {
  /** Stable key: the compaction id; `failed:<compaction_id>`; `untraced:<after call id>`. */
  key: string;
  kind: CompactionEventKind;
  threadId: string;
  turnId: string | null;
  /** 1-based, per thread and kind (installed: the indexes' compaction ordinal). */
  ordinal: number;
  /** "Compaction 2", "Failed compaction 1", "Untraced compaction 1". */
  label: string;
  /**
   * When it happened: install time; first attempt start; untraced: the end of
   * the turn that compacted when it ran as a turn of its own (a manual
   * `/compact`), else the start of the first request after the shrink.
   */
  atMs: number;
  /** For untraced: the shrink happened in [sinceMs, atMs] (the compacting turn, or between the calls around it). */
  sinceMs: number | null;
  /** What selecting this event selects in the shared store. */
  ref: ObjectRef;
  compactionId: string | null;
  /** Request attempts in started_seq order (installed: its request_ids plus later attempts with the same compaction id). */
  requestIds: string[];
  status: AttemptStatus;
  failedAttempts: number;
  /** Time from the first attempt's start to the install (installed) or to the last attempt's end (failed). */
  durationMs: number | null;
  markerId: string | null;
  /** installed: input_item_ids; untraced: items of the history before that are gone after; failed: none. */
  replacedIds: string[];
  /**
   * installed: replacement_item_ids; untraced: items of the window after with
   * no counterpart before, save those of a later turn (the next prompt); failed: none.
   */
  replacementIds: string[];
  /** untraced: new items of the window after that belong to the next turn, not to the compaction (its prompt…). */
  nextTurnIds: string[];
  /** untraced: the summary message the compaction put in place of the history, when one is recognised. */
  summaryId: string | null;
  lastBeforeCallId: string | null;
  firstAfterCallId: string | null;
  /** Index, in the thread's inference-call list, of the first call after (calls.length when none). */
  afterIndex: number;
  before: HistorySide | null;
  after: HistorySide | null;
  alignment: Alignment | null;
  replacedSize: SizeFigures;
  replacementSize: SizeFigures;
  /** before.bytes − after.bytes; null when a side is missing. */
  savedBytes: number | null;
  savedItems: number | null;
  /** Context tokens before (last call before: input + output) and after (first call after: input), when usage tells. */
  tokensBefore: number | null;
  tokensAfter: number | null;
}

export interface CompactionAnalysis {
  /** Every event of every thread, in time order. */
  events: CompactionEvent[];
  byKey: ReadonlyMap<string, CompactionEvent>;
  byThread: ReadonlyMap<string, readonly CompactionEvent[]>;
  /** compaction id (installed or failed) → event key. */
  keyOfCompaction: ReadonlyMap<string, string>;
  /** compaction request id → event key. */
  keyOfRequest: ReadonlyMap<string, string>;
  /** inference call id → key of the untraced event it is the first call after. */
  keyOfUntracedAfterCall: ReadonlyMap<string, string>;
  /** item id → keys of the events that replaced it (installed and untraced). */
  replacedIn: ReadonlyMap<string, readonly string[]>;
  /** item id → keys of the events that installed it (installed: replacement items; untraced: new items). */
  installedIn: ReadonlyMap<string, readonly string[]>;
  counts: { installed: number; failed: number; untraced: number };
}

const EMPTY_SIZE: SizeFigures = { items: 0, bytes: 0 };

/** Shared per-analysis caches of item sizes and content keys. */
class ItemFacts {
  private bytes = new Map<string, number>();
  private keys = new Map<string, string>();
  constructor(private items: Readonly<Record<string, ConversationItem>>) {}
  bytesOf = (id: string): number => {
    let b = this.bytes.get(id);
    if (b === undefined) {
      b = itemBytes(this.items[id]);
      this.bytes.set(id, b);
    }
    return b;
  };
  keyOf = (id: string): string => {
    let k = this.keys.get(id);
    if (k === undefined) {
      const it = this.items[id];
      k = it ? contentKey(it) : `missing\u0000${id}`;
      this.keys.set(id, k);
    }
    return k;
  };
  size(ids: readonly string[]): SizeFigures {
    let bytes = 0;
    for (const id of ids) bytes += this.bytesOf(id);
    return { items: ids.length, bytes };
  }
}

/** The history right after a call: its request window, then its response items. */
export function historyAfterCall(call: InferenceCall): { itemIds: string[]; origins: BeforeOrigin[] } {
  const itemIds: string[] = [];
  const origins: BeforeOrigin[] = [];
  const seen = new Set<string>();
  for (const id of call.request_item_ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    itemIds.push(id);
    origins.push('request');
  }
  for (const id of call.response_item_ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    itemIds.push(id);
    origins.push('response');
  }
  return { itemIds, origins };
}

function requestEndSeq(r: CompactionRequest): number {
  return r.execution.ended_seq ?? r.execution.started_seq;
}

function summarizeStatus(reqs: CompactionRequest[]): { status: AttemptStatus; failed: number } {
  if (reqs.length === 0) return { status: 'none', failed: 0 };
  const failed = reqs.filter((r) => r.execution.status === 'failed').length;
  return { status: reqs[reqs.length - 1].execution.status, failed };
}

function usageBefore(c: InferenceCall | undefined): number | null {
  return c?.usage ? c.usage.input_tokens + c.usage.output_tokens : null;
}
function usageAfter(c: InferenceCall | undefined): number | null {
  return c?.usage ? c.usage.input_tokens : null;
}

export function analyzeCompactions(state: RolloutTrace, idx: TraceIndexes): CompactionAnalysis {
  return runSteps(analyzeCompactionsInSteps(state, idx));
}

/**
 * The analysis a compaction or a pair of calls at a time, so that the page
 * can spread it over tasks (src/app/staging.tsx): on the 66 MB recording it
 * held the page for one task of about 100 ms after the summary had painted.
 */
export function* analyzeCompactionsInSteps(state: RolloutTrace, idx: TraceIndexes): Generator<void, CompactionAnalysis> {
  const a = new AnalysisContext(state, idx);
  const requests = requestsByCompaction(state);
  const { events, boundaries } = yield* installedEvents(a, requests);
  events.push(...failedEvents(a, requests));
  events.push(...(yield* untracedEvents(a, boundaries)));
  sortEvents(events, idx);
  return indexEvents(events);
}

/** What every step reads: the state, its indexes, item sizes and keys, and each thread's calls in order. */
class AnalysisContext {
  readonly facts: ItemFacts;
  private readonly threadCalls = new Map<string, InferenceCall[]>();
  constructor(
    readonly state: RolloutTrace,
    readonly idx: TraceIndexes,
  ) {
    this.facts = new ItemFacts(state.conversation_items);
  }
  callsFor(threadId: string): InferenceCall[] {
    let l = this.threadCalls.get(threadId);
    if (!l) {
      l = (this.idx.inferenceCallsByThread.get(threadId) ?? []).map((id) => own(this.state.inference_calls, id)).filter((c) => c !== undefined);
      this.threadCalls.set(threadId, l);
    }
    return l;
  }
}

/** Compaction requests grouped by compaction id, in started_seq order. */
function requestsByCompaction(state: RolloutTrace): Map<string, CompactionRequest[]> {
  const requestsByCompaction = new Map<string, CompactionRequest[]>();
  for (const r of Object.values(state.compaction_requests)) {
    const l = requestsByCompaction.get(r.compaction_id);
    if (l) l.push(r);
    else requestsByCompaction.set(r.compaction_id, [r]);
  }
  for (const l of requestsByCompaction.values()) {
    l.sort((a, b) => a.execution.started_seq - b.execution.started_seq || (a.compaction_request_id < b.compaction_request_id ? -1 : 1));
  }
  return requestsByCompaction;
}

/** One event per installed compaction; `boundaries`: per thread, the after-indexes they take (no untraced shrink there). */
function* installedEvents(
  a: AnalysisContext,
  requestsByCompaction: Map<string, CompactionRequest[]>,
): Generator<void, { events: CompactionEvent[]; boundaries: Map<string, Set<number>> }> {
  const { state, idx, facts } = a;
  const callsFor = (threadId: string) => a.callsFor(threadId);
  const events: CompactionEvent[] = [];
  const boundaries = new Map<string, Set<number>>(); // thread → after-indexes taken by installed compactions
  for (const [threadId, ids] of idx.compactionsByThread) {
    const calls = callsFor(threadId);
    for (const cid of ids) {
      yield;
      const c = own(state.compactions, cid);
      if (!c) continue;
      const reqs = requestsByCompaction.get(cid) ?? [];
      const listed = new Set(c.request_ids);
      const requests = [...reqs];
      for (const rid of c.request_ids) {
        const r = own(state.compaction_requests, rid);
        if (r && !requests.includes(r)) requests.push(r);
      }
      requests.sort((a, b) => a.execution.started_seq - b.execution.started_seq);
      const listedReqs = requests.filter((r) => listed.has(r.compaction_request_id));
      const repl = new Set(c.replacement_item_ids);
      let afterIndex = calls.findIndex((call) => call.request_item_ids.some((id) => repl.has(id)));
      if (afterIndex < 0) {
        const reqSeq = listedReqs.length ? Math.max(...listedReqs.map(requestEndSeq)) : null;
        afterIndex =
          reqSeq !== null
            ? calls.findIndex((call) => call.execution.started_seq > reqSeq)
            : calls.findIndex((call) => call.execution.started_at_unix_ms > c.installed_at_unix_ms);
        if (afterIndex < 0) afterIndex = calls.length;
      }
      const lastBefore = afterIndex > 0 ? calls[afterIndex - 1] : undefined;
      const firstAfter = afterIndex < calls.length ? calls[afterIndex] : undefined;
      let bset = boundaries.get(threadId);
      if (!bset) boundaries.set(threadId, (bset = new Set()));
      bset.add(afterIndex);

      // Before: the last call's history, then input items no window carried yet.
      const hist = lastBefore ? historyAfterCall(lastBefore) : { itemIds: [], origins: [] as BeforeOrigin[] };
      const inBefore = new Set(hist.itemIds);
      for (const id of c.input_item_ids) {
        if (inBefore.has(id)) continue;
        inBefore.add(id);
        hist.itemIds.push(id);
        hist.origins.push('pending');
      }
      const afterIds = firstAfter ? [...firstAfter.request_item_ids] : [...c.replacement_item_ids];
      const before: HistorySide = {
        callId: lastBefore?.inference_call_id ?? null,
        itemIds: hist.itemIds,
        origins: hist.origins,
        size: facts.size(hist.itemIds),
      };
      const after: HistorySide = { callId: firstAfter?.inference_call_id ?? null, itemIds: afterIds, origins: null, size: facts.size(afterIds) };
      // Status: of the attempts that led to the install (request_ids); later attempts are listed but do not change it.
      const { status } = summarizeStatus(listedReqs.length ? listedReqs : requests);
      const failed = requests.filter((r) => r.execution.status === 'failed').length;
      const firstStart = requests.length ? requests[0].execution.started_at_unix_ms : null;
      events.push({
        key: cid,
        kind: 'installed',
        threadId,
        turnId: c.codex_turn_id,
        ordinal: idx.compactionOrdinal.get(cid) ?? 0,
        label: `Compaction ${idx.compactionOrdinal.get(cid) ?? '?'}`,
        atMs: c.installed_at_unix_ms,
        sinceMs: null,
        nextTurnIds: [],
        summaryId: null,
        ref: { kind: 'compaction', id: cid },
        compactionId: cid,
        requestIds: requests.map((r) => r.compaction_request_id),
        status,
        failedAttempts: failed,
        durationMs: firstStart !== null ? c.installed_at_unix_ms - firstStart : null,
        markerId: c.marker_item_id,
        replacedIds: [...c.input_item_ids],
        replacementIds: [...c.replacement_item_ids],
        lastBeforeCallId: lastBefore?.inference_call_id ?? null,
        firstAfterCallId: firstAfter?.inference_call_id ?? null,
        afterIndex,
        before,
        after,
        alignment: alignHistories(before.itemIds, after.itemIds, facts.keyOf),
        replacedSize: facts.size(c.input_item_ids),
        replacementSize: facts.size(c.replacement_item_ids),
        savedBytes: before.size.bytes - after.size.bytes,
        savedItems: before.size.items - after.size.items,
        tokensBefore: usageBefore(lastBefore),
        tokensAfter: usageAfter(firstAfter),
      });
    }
  }
  return { events, boundaries };
}

/** One event per compaction id with requests and no install: failed or unfinished attempts. */
function failedEvents(a: AnalysisContext, requestsByCompaction: Map<string, CompactionRequest[]>): CompactionEvent[] {
  const { state, facts } = a;
  const callsFor = (threadId: string) => a.callsFor(threadId);
  const events: CompactionEvent[] = [];
  const failedOrdinal = new Map<string, number>();
  const failedGroups = [...requestsByCompaction.entries()]
    .filter(([cid]) => !own(state.compactions, cid))
    .sort(([, a], [, b]) => a[0].execution.started_seq - b[0].execution.started_seq);
  for (const [cid, reqs] of failedGroups) {
    const first = reqs[0];
    const threadId = first.thread_id;
    const calls = callsFor(threadId);
    let afterIndex = calls.findIndex((call) => call.execution.started_seq > first.execution.started_seq);
    if (afterIndex < 0) afterIndex = calls.length;
    const lastBefore = afterIndex > 0 ? calls[afterIndex - 1] : undefined;
    const firstAfter = afterIndex < calls.length ? calls[afterIndex] : undefined;
    const hist = lastBefore ? historyAfterCall(lastBefore) : null;
    const n = (failedOrdinal.get(threadId) ?? 0) + 1;
    failedOrdinal.set(threadId, n);
    const { status, failed } = summarizeStatus(reqs);
    const last = reqs[reqs.length - 1];
    const lastEnd = last.execution.ended_at_unix_ms;
    events.push({
      key: `failed:${cid}`,
      kind: 'failed',
      threadId,
      turnId: first.codex_turn_id,
      ordinal: n,
      label: status === 'running' ? `Unfinished compaction ${n}` : `Failed compaction ${n}`,
      atMs: first.execution.started_at_unix_ms,
      sinceMs: null,
      nextTurnIds: [],
      summaryId: null,
      ref: { kind: 'compaction_request', id: last.compaction_request_id },
      compactionId: cid,
      requestIds: reqs.map((r) => r.compaction_request_id),
      status,
      failedAttempts: failed,
      durationMs: lastEnd != null ? lastEnd - first.execution.started_at_unix_ms : null,
      markerId: null,
      replacedIds: [],
      replacementIds: [],
      lastBeforeCallId: lastBefore?.inference_call_id ?? null,
      firstAfterCallId: firstAfter?.inference_call_id ?? null,
      afterIndex,
      before: hist ? { callId: lastBefore!.inference_call_id, itemIds: hist.itemIds, origins: hist.origins, size: facts.size(hist.itemIds) } : null,
      after: null,
      alignment: null,
      replacedSize: EMPTY_SIZE,
      replacementSize: EMPTY_SIZE,
      savedBytes: null,
      savedItems: null,
      tokensBefore: usageBefore(lastBefore),
      // Nothing was installed: the next call's usage says nothing about this attempt.
      tokensAfter: null,
    });
  }
  return events;
}

/** One event per pair of consecutive calls whose window shrank with no traced compaction between them. */
function* untracedEvents(a: AnalysisContext, boundaries: Map<string, Set<number>>): Generator<void, CompactionEvent[]> {
  const { state, idx, facts } = a;
  const callsFor = (threadId: string) => a.callsFor(threadId);
  const events: CompactionEvent[] = [];
  for (const threadId of idx.threadTree.order) {
    const calls = callsFor(threadId);
    const taken = boundaries.get(threadId);
    let n = 0;
    for (let i = 0; i + 1 < calls.length; i++) {
      yield;
      if (taken?.has(i + 1)) continue;
      const a = calls[i];
      const b = calls[i + 1];
      const found = detectShrink(a, b, facts, state);
      if (!found) continue;
      n++;
      const { hist, alignment, beforeSize, afterSize } = found;
      const replacedIds = hist.itemIds.filter(
        (_, k) => alignment.beforeRelation[k] === 'removed' && state.conversation_items[hist.itemIds[k]]?.kind !== 'compaction_marker',
      );
      const gained = b.request_item_ids.filter((_, k) => alignment.afterRelation[k] === 'new');
      // The turn that compacted: one of its own between the two calls (a manual /compact, which makes
      // no inference call of its own), else the turn of the call after (compaction inside or ahead of a turn).
      const own = compactingTurn(state, threadId, a, b);
      const turnId = own?.codex_turn_id ?? b.codex_turn_id;
      // The next turn's prompt (and anything else of that later turn) came after the compaction, not from it.
      const nextTurnIds = own ? gained.filter((id) => state.conversation_items[id]?.codex_turn_id === b.codex_turn_id) : [];
      const replacementIds = gained.filter((id) => !nextTurnIds.includes(id));
      events.push({
        key: `untraced:${b.inference_call_id}`,
        kind: 'untraced',
        threadId,
        turnId,
        ordinal: n,
        label: `Untraced compaction ${n}`,
        atMs: own ? (own.execution.ended_at_unix_ms ?? b.execution.started_at_unix_ms) : b.execution.started_at_unix_ms,
        sinceMs: own ? own.execution.started_at_unix_ms : (a.execution.ended_at_unix_ms ?? a.execution.started_at_unix_ms),
        nextTurnIds,
        summaryId: summaryOf(
          state,
          replacementIds,
          b.request_item_ids.filter((_, k) => alignment.afterRelation[k] === 'resent'),
        ),
        ref: { kind: 'inference_call', id: b.inference_call_id },
        compactionId: null,
        requestIds: [],
        status: 'none',
        failedAttempts: 0,
        durationMs: null,
        markerId: null,
        replacedIds,
        replacementIds,
        lastBeforeCallId: a.inference_call_id,
        firstAfterCallId: b.inference_call_id,
        afterIndex: i + 1,
        before: { callId: a.inference_call_id, itemIds: hist.itemIds, origins: hist.origins, size: beforeSize },
        after: { callId: b.inference_call_id, itemIds: [...b.request_item_ids], origins: null, size: afterSize },
        alignment,
        replacedSize: facts.size(replacedIds),
        replacementSize: facts.size(replacementIds),
        savedBytes: beforeSize.bytes - afterSize.bytes,
        savedItems: beforeSize.items - afterSize.items,
        tokensBefore: usageBefore(a),
        tokensAfter: usageAfter(b),
      });
    }
  }
  return events;
}

/** By time, then thread order, then failed before untraced before installed, then ordinal. */
function sortEvents(events: CompactionEvent[], idx: TraceIndexes): void {
  const threadRank = new Map(idx.threadTree.order.map((t, i) => [t, i]));
  const kindRank: Record<CompactionEventKind, number> = { failed: 0, untraced: 1, installed: 2 };
  events.sort(
    (x, y) =>
      x.atMs - y.atMs || (threadRank.get(x.threadId) ?? 0) - (threadRank.get(y.threadId) ?? 0) || kindRank[x.kind] - kindRank[y.kind] || x.ordinal - y.ordinal,
  );
}

/** The events with their lookups: by key, by thread, by compaction, request and call, and per item. */
function indexEvents(events: CompactionEvent[]): CompactionAnalysis {
  const byKey = new Map<string, CompactionEvent>();
  const byThread = new Map<string, CompactionEvent[]>();
  const keyOfCompaction = new Map<string, string>();
  const keyOfRequest = new Map<string, string>();
  const keyOfUntracedAfterCall = new Map<string, string>();
  const replacedIn = new Map<string, string[]>();
  const installedIn = new Map<string, string[]>();
  for (const e of events) {
    byKey.set(e.key, e);
    const l = byThread.get(e.threadId);
    if (l) l.push(e);
    else byThread.set(e.threadId, [e]);
    if (e.compactionId) keyOfCompaction.set(e.compactionId, e.key);
    for (const r of e.requestIds) keyOfRequest.set(r, e.key);
    if (e.kind === 'untraced' && e.firstAfterCallId) keyOfUntracedAfterCall.set(e.firstAfterCallId, e.key);
    for (const id of e.replacedIds) mapPushUnique(replacedIn, id, e.key);
    for (const id of e.replacementIds) mapPushUnique(installedIn, id, e.key);
  }
  return {
    events,
    byKey,
    byThread,
    keyOfCompaction,
    keyOfRequest,
    keyOfUntracedAfterCall,
    replacedIn,
    installedIn,
    counts: {
      installed: events.filter((e) => e.kind === 'installed').length,
      failed: events.filter((e) => e.kind === 'failed').length,
      untraced: events.filter((e) => e.kind === 'untraced').length,
    },
  };
}

/**
 * The turn of its own that compacted between calls `a` and `b` of a thread:
 * the last turn of the thread that started after `a` started and ended by the
 * time `b` started, other than the turns of `a` and `b`. A manual `/compact`
 * is such a turn; a compaction inside a turn, or ahead of one, has none.
 */
function compactingTurn(state: RolloutTrace, threadId: string, a: InferenceCall, b: InferenceCall): RolloutTrace['codex_turns'][string] | null {
  let best: RolloutTrace['codex_turns'][string] | null = null;
  for (const t of Object.values(state.codex_turns)) {
    if (t.thread_id !== threadId || t.codex_turn_id === a.codex_turn_id || t.codex_turn_id === b.codex_turn_id) continue;
    const start = t.execution.started_at_unix_ms;
    const end = t.execution.ended_at_unix_ms;
    if (start < a.execution.started_at_unix_ms || end === null || end > b.execution.started_at_unix_ms) continue;
    if (!best || start > best.execution.started_at_unix_ms) best = t;
  }
  return best;
}

/** The start of the message Codex's local compaction puts in place of the history it summarised. */
export const LOCAL_SUMMARY_PREFIX = 'Another language model started to solve this problem';

/**
 * The summary an untraced compaction put in place of the history: the message
 * that starts as Codex's local summaries do, among its new items, else among
 * those sent again under a new id (a summary with the same text as the last
 * one); else the only message among its new items.
 */
function summaryOf(state: RolloutTrace, gained: readonly string[], resent: readonly string[]): string | null {
  const isMessage = (id: string) => state.conversation_items[id]?.kind === 'message';
  const prefixed = (id: string) => {
    const t = state.conversation_items[id]?.body.parts.find((p) => p.type === 'text');
    return isMessage(id) && t?.type === 'text' && t.text.trimStart().startsWith(LOCAL_SUMMARY_PREFIX);
  };
  const messages = gained.filter(isMessage);
  return gained.find(prefixed) ?? resent.find(prefixed) ?? (messages.length === 1 ? messages[0] : null);
}

/** The untraced-shrink test for one pair of consecutive calls (see the module comment). */
function detectShrink(a: InferenceCall, b: InferenceCall, facts: ItemFacts, state: RolloutTrace) {
  const window = b.request_item_ids;
  const req = a.request_item_ids;
  // Quick rejects: B's window starts with A's (the usual growth), or contains all of it.
  if (window.length >= req.length) {
    let prefix = true;
    for (let k = 0; k < req.length && prefix; k++) prefix = window[k] === req[k];
    if (prefix) return null;
  }
  const inWindow = new Set(window);
  if (req.every((id) => inWindow.has(id))) return null;
  const hist = historyAfterCall(a);
  const beforeSize = facts.size(hist.itemIds);
  const afterSize = facts.size(window);
  if (!(afterSize.items < beforeSize.items || afterSize.bytes < beforeSize.bytes)) return null;
  const alignment = alignHistories(hist.itemIds, window, facts.keyOf);
  const lost = hist.itemIds.some(
    (id, k) => hist.origins[k] === 'request' && alignment.beforeRelation[k] === 'removed' && own(state.conversation_items, id)?.kind !== 'compaction_marker',
  );
  if (!lost) return null;
  return { hist, alignment, beforeSize, afterSize };
}

/** Per state: the analysis for its indexes, finished, or part way through when the page spreads it over tasks. */
const cache = new WeakMap<RolloutTrace, { idx: TraceIndexes; analysis: CompactionAnalysis | null; steps: Generator<void, CompactionAnalysis> }>();

function cached(state: RolloutTrace, idx: TraceIndexes) {
  let entry = cache.get(state);
  if (!entry || entry.idx !== idx) {
    entry = { idx, analysis: null, steps: analyzeCompactionsInSteps(state, idx) };
    cache.set(state, entry);
  }
  return entry;
}

/** `analyzeCompactions`, computed once per (state, indexes) pair and shared by every panel; a part-way analysis is finished now. */
export function getCompactionAnalysis(state: RolloutTrace, idx: TraceIndexes): CompactionAnalysis {
  return analyzeUntil(state, idx, Number.POSITIVE_INFINITY, () => 0)!;
}

/**
 * Takes the analysis of (state, indexes) further until `now()` reaches
 * `deadline`, at least one step; true once it is finished and cached for
 * `getCompactionAnalysis`.
 */
export function advanceCompactionAnalysis(state: RolloutTrace, idx: TraceIndexes, deadline: number, now: () => number): boolean {
  return analyzeUntil(state, idx, deadline, now) !== null;
}

/**
 * The finished analysis, or null when `deadline` came first. A step that
 * throws forgets the analysis: the next caller starts it again and meets the
 * same error, rather than a generator that has ended with no result.
 */
function analyzeUntil(state: RolloutTrace, idx: TraceIndexes, deadline: number, now: () => number): CompactionAnalysis | null {
  const entry = cached(state, idx);
  try {
    while (!entry.analysis) {
      const r = entry.steps.next();
      if (r.done) entry.analysis = r.value;
      else if (now() >= deadline) return null;
    }
  } catch (e) {
    cache.delete(state);
    throw e;
  }
  return entry.analysis;
}

/** The event a selection points at, if any (compaction, request, untraced after-call, marker or replacement item). */
export function eventForRef(analysis: CompactionAnalysis, state: RolloutTrace, ref: ObjectRef | null): string | null {
  if (!ref) return null;
  switch (ref.kind) {
    case 'compaction':
      return analysis.keyOfCompaction.get(ref.id) ?? null;
    case 'compaction_request':
      return analysis.keyOfRequest.get(ref.id) ?? null;
    case 'inference_call':
      return analysis.keyOfUntracedAfterCall.get(ref.id) ?? null;
    case 'conversation_item': {
      const it = own(state.conversation_items, ref.id);
      if (!it) return null;
      for (const p of it.produced_by) if (p.type === 'compaction') return analysis.keyOfCompaction.get(p.compaction_id) ?? null;
      return null;
    }
    default:
      return null;
  }
}

const windowSets = new WeakMap<InferenceCall, Set<string>>();
function windowSet(c: InferenceCall): Set<string> {
  let s = windowSets.get(c);
  if (!s) {
    s = new Set(c.request_item_ids);
    windowSets.set(c, s);
  }
  return s;
}

/** The first inference call at or after the event that no longer carried `itemId` (null: every later call still carried it, or none followed). */
export function firstCallWithout(state: RolloutTrace, idx: TraceIndexes, event: CompactionEvent, itemId: string): string | null {
  const calls = idx.inferenceCallsByThread.get(event.threadId) ?? [];
  for (let k = event.afterIndex; k < calls.length; k++) {
    const c = state.inference_calls[calls[k]];
    if (c && !windowSet(c).has(itemId)) return c.inference_call_id;
  }
  return null;
}

/** The last inference call before the event whose request window carried `itemId`. */
export function lastCallWith(state: RolloutTrace, idx: TraceIndexes, event: CompactionEvent, itemId: string): string | null {
  const carriers = idx.requestCallsOf(itemId);
  for (let k = carriers.length - 1; k >= 0; k--) {
    const c = state.inference_calls[carriers[k]];
    if (!c || c.thread_id !== event.threadId) continue;
    const ordinal = idx.inferenceOrdinal.get(c.inference_call_id) ?? Infinity;
    if (ordinal <= event.afterIndex) return c.inference_call_id; // ordinals are 1-based: ordinal ≤ afterIndex ⇔ index < afterIndex
  }
  return null;
}

/**
 * Which event a compaction view should show for a selection made anywhere,
 * given the event it shows now (null: keep showing the current one):
 * 1. a conversation item that takes part in the current event (before, after,
 *    replaced or installed) keeps it;
 * 2. the event the selection is (`eventForRef`); for another conversation
 *    item, the first event that replaced it;
 * 3. an inference call: the current event if the call is its last-before or
 *    first-after call, else the event whose first call after it is;
 * 4. a thread or a turn: the current event if it is in it, else its first event.
 */
export function eventForSelection(analysis: CompactionAnalysis, state: RolloutTrace, ref: ObjectRef | null, currentKey: string | null): string | null {
  if (!ref) return null;
  const cur = currentKey ? analysis.byKey.get(currentKey) : undefined;
  // An item of the event being shown keeps it (e.g. clicking, in compaction 2's "before", an item compaction 1 installed).
  if (
    ref.kind === 'conversation_item' &&
    cur &&
    (cur.before?.itemIds.includes(ref.id) || cur.after?.itemIds.includes(ref.id) || cur.replacedIds.includes(ref.id) || cur.replacementIds.includes(ref.id))
  ) {
    return cur.key;
  }
  const direct = eventForRef(analysis, state, ref);
  if (direct) return direct;
  if (ref.kind === 'conversation_item') return analysis.replacedIn.get(ref.id)?.[0] ?? null;
  if (ref.kind === 'inference_call') {
    if (cur && (cur.lastBeforeCallId === ref.id || cur.firstAfterCallId === ref.id)) return cur.key;
    return analysis.events.find((e) => e.firstAfterCallId === ref.id)?.key ?? null;
  }
  if (ref.kind === 'thread') {
    if (cur && cur.threadId === ref.id) return cur.key;
    return analysis.byThread.get(ref.id)?.[0]?.key ?? null;
  }
  if (ref.kind === 'turn') {
    if (cur && cur.turnId === ref.id) return cur.key;
    return analysis.events.find((e) => e.turnId === ref.id)?.key ?? null;
  }
  return null;
}
