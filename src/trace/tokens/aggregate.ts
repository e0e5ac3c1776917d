/**
 * Token usage per call, turn, thread and session, from the reduced state's
 * inference calls. Calls without usage (failed, interrupted, or a provider
 * that reported none) are counted apart, so a total never passes silent zeros
 * off as measured ones. Pure.
 */
import type { InferenceCall, RolloutTrace, TokenUsage } from '../schema/state';
import { own } from '../indexes/refs';
import { costOf, usageTokens, type PriceTable } from './prices';

export interface TokenTotals {
  /** Inference calls counted, with usage or not. */
  calls: number;
  /** Of them, calls that recorded no usage: their tokens are unknown, not zero. */
  noUsage: number;
  input: number;
  cachedInput: number;
  cacheWriteInput: number;
  output: number;
  /** Part of `output`. */
  reasoning: number;
}

/** What a set of calls costs under a price table, and how much of it the table could price. */
export interface CostTotal {
  amount: number;
  /** Calls with usage whose model the table has no price for. */
  unpricedCalls: number;
  /** Calls without usage: nothing to price. */
  noUsageCalls: number;
  /** Models of the unpriced calls. */
  unpricedModels: string[];
}

export const emptyTotals = (): TokenTotals => ({ calls: 0, noUsage: 0, input: 0, cachedInput: 0, cacheWriteInput: 0, output: 0, reasoning: 0 });

export function addUsage(t: TokenTotals, u: TokenUsage | null): void {
  t.calls++;
  if (!u) {
    t.noUsage++;
    return;
  }
  t.input += u.input_tokens;
  t.cachedInput += u.cached_input_tokens;
  t.cacheWriteInput += u.cache_write_input_tokens;
  t.output += u.output_tokens;
  t.reasoning += u.reasoning_output_tokens;
}

export function addTotals(into: TokenTotals, t: TokenTotals): void {
  into.calls += t.calls;
  into.noUsage += t.noUsage;
  into.input += t.input;
  into.cachedInput += t.cachedInput;
  into.cacheWriteInput += t.cacheWriteInput;
  into.output += t.output;
  into.reasoning += t.reasoning;
}

/** Cached ÷ input, or null when there was no input to hit. */
export function cacheHitRatio(t: Pick<TokenTotals, 'input' | 'cachedInput'>): number | null {
  return t.input > 0 ? t.cachedInput / t.input : null;
}

/** A cost that leaves some calls out: the figure is a lower bound. */
export function isPartial(c: CostTotal): boolean {
  return c.unpricedCalls > 0 || c.noUsageCalls > 0;
}

const emptyCost = (): CostTotal => ({ amount: 0, unpricedCalls: 0, noUsageCalls: 0, unpricedModels: [] });

function addCost(into: CostTotal, c: CostTotal): void {
  into.amount += c.amount;
  into.unpricedCalls += c.unpricedCalls;
  into.noUsageCalls += c.noUsageCalls;
  for (const m of c.unpricedModels) if (!into.unpricedModels.includes(m)) into.unpricedModels.push(m);
}

export function callCost(table: PriceTable, call: Pick<InferenceCall, 'model' | 'usage'>): CostTotal {
  const c = emptyCost();
  if (!call.usage) {
    c.noUsageCalls = 1;
    return c;
  }
  const amount = costOf(table, call.model, usageTokens(call.usage));
  if (amount === null) {
    c.unpricedCalls = 1;
    c.unpricedModels.push(call.model);
  } else c.amount = amount;
  return c;
}

export type TokenNodeKind = 'session' | 'thread' | 'turn' | 'call';

export interface TokenNode {
  kind: TokenNodeKind;
  /** The object's id (the trace id for the session). */
  id: string;
  /** Thread of a thread, turn or call row. */
  threadId: string | null;
  /** 1-based position in its thread (turns and calls). */
  ordinal: number | null;
  /** Calls only. */
  model: string | null;
  /** Calls only: whether the call recorded usage. */
  hasUsage: boolean;
  totals: TokenTotals;
  /** Null when no price table is given. */
  cost: CostTotal | null;
  children: TokenNode[];
}

const bySeq =
  <T extends { execution: { started_seq: number } }>(idOf: (x: T) => string) =>
  (a: T, b: T) =>
    a.execution.started_seq - b.execution.started_seq || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);

function node(kind: TokenNodeKind, id: string, threadId: string | null, withCost: boolean): TokenNode {
  return { kind, id, threadId, ordinal: null, model: null, hasUsage: false, totals: emptyTotals(), cost: withCost ? emptyCost() : null, children: [] };
}

function rollUp(parent: TokenNode, child: TokenNode): void {
  parent.children.push(child);
  addTotals(parent.totals, child.totals);
  if (parent.cost && child.cost) addCost(parent.cost, child.cost);
}

/**
 * The session → thread → turn → call tree of a reduced state. Threads come
 * root first, then in the order they started; turns and calls in the order
 * they started; every thread and turn of the state has a row, calls or not.
 * A call whose turn the state lacks still counts, under a turn row of that id. With a price table, every node carries its cost.
 */
export function tokenTree(state: RolloutTrace, table: PriceTable | null = null): TokenNode {
  const withCost = table !== null;
  const session = node('session', state.trace_id, null, withCost);
  const callsByTurn = new Map<string, InferenceCall[]>();
  const turnsByThread = new Map<string, string[]>();
  // Every thread and turn has a row, with no call or not (a manual /compact is a turn of its own with none).
  for (const id of Object.keys(state.threads)) turnsByThread.set(id, []);
  for (const t of Object.values(state.codex_turns)) {
    if (callsByTurn.has(t.codex_turn_id)) continue;
    callsByTurn.set(t.codex_turn_id, []);
    const turns = turnsByThread.get(t.thread_id);
    if (turns) turns.push(t.codex_turn_id);
    else turnsByThread.set(t.thread_id, [t.codex_turn_id]);
  }
  const calls = Object.values(state.inference_calls).sort(bySeq((c) => c.inference_call_id));
  for (const c of calls) {
    let list = callsByTurn.get(c.codex_turn_id);
    if (!list) {
      callsByTurn.set(c.codex_turn_id, (list = []));
      const turns = turnsByThread.get(c.thread_id);
      if (turns) turns.push(c.codex_turn_id);
      else turnsByThread.set(c.thread_id, [c.codex_turn_id]);
    }
    list.push(c);
  }
  const threadIds = [...turnsByThread.keys()].sort((a, b) => {
    if (a === state.root_thread_id || b === state.root_thread_id) return a === state.root_thread_id ? -1 : 1;
    const ta = own(state.threads, a)?.execution.started_seq ?? Infinity;
    const tb = own(state.threads, b)?.execution.started_seq ?? Infinity;
    return ta - tb || (a < b ? -1 : 1);
  });
  for (const threadId of threadIds) {
    const thread = node('thread', threadId, threadId, withCost);
    const turnIds = turnsByThread.get(threadId)!;
    const turnSeq = (id: string) => own(state.codex_turns, id)?.execution.started_seq ?? Infinity;
    turnIds.sort((a, b) => turnSeq(a) - turnSeq(b) || (a < b ? -1 : 1));
    let callOrdinal = 0;
    turnIds.forEach((turnId, i) => {
      const turn = node('turn', turnId, threadId, withCost);
      turn.ordinal = i + 1;
      for (const c of callsByTurn.get(turnId)!) {
        const call = node('call', c.inference_call_id, threadId, withCost);
        call.ordinal = ++callOrdinal;
        call.model = c.model;
        call.hasUsage = c.usage !== null;
        addUsage(call.totals, c.usage);
        if (table) call.cost = callCost(table, c);
        rollUp(turn, call);
      }
      rollUp(thread, turn);
    });
    rollUp(session, thread);
  }
  return session;
}

/** One model's tokens over a session: what its cost is computed from. */
export interface ModelTokens extends TokenTotals {
  model: string;
}

/** Per-model totals of a session's calls, the most used model first. */
export function tokensByModel(state: RolloutTrace): ModelTokens[] {
  const by = new Map<string, ModelTokens>();
  for (const c of Object.values(state.inference_calls)) {
    let t = by.get(c.model);
    if (!t) by.set(c.model, (t = { model: c.model, ...emptyTotals() }));
    addUsage(t, c.usage);
  }
  return [...by.values()].sort((a, b) => b.calls - a.calls || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** The cost of per-model totals (a session summary's), with what could not be priced. */
export function costOfModels(table: PriceTable, models: readonly ModelTokens[]): CostTotal {
  const c = emptyCost();
  for (const m of models) {
    c.noUsageCalls += m.noUsage;
    const priced = m.calls - m.noUsage;
    if (priced === 0) continue;
    const amount = costOf(table, m.model, m);
    if (amount === null) {
      c.unpricedCalls += priced;
      c.unpricedModels.push(m.model);
    } else c.amount += amount;
  }
  return c;
}

/** Sums of costs (several sessions'). */
export function sumCosts(costs: Iterable<CostTotal>): CostTotal {
  const c = emptyCost();
  for (const x of costs) addCost(c, x);
  return c;
}
