/**
 * One row of the session list: what a trace root's reader wants to see of a
 * bundle before opening it (when, how long, how it ended, which schema and
 * models, how much work and how many tokens). Computed from the reduced state,
 * so its figures are the ones the trace shows once opened. Pure.
 */
import { z } from 'zod';
import type { ReduceResult } from '../api';
import { formatTraceError } from '../errors';
import { generationOf } from '../schema/generations';
import type { RolloutTrace } from '../schema/state';
import { computeSummary, recordingComplete } from '../indexes/summary';
import { buildTraceIndexes } from '../indexes/build';
import { analyzeCompactions } from '../compaction/analysis';
import { typedPromptText } from '../prompts';
import { tokensByModel, type ModelTokens } from '../tokens/aggregate';

export const SessionStatusSchema = z.enum([
  /** The recorder closed the bundle (schema 1, which does not say: the rollout ended). */
  'complete',
  /** Not closed: Codex is still writing it, or stopped without closing it. */
  'unclosed',
  /** The reducer stopped at a bad event: what came before is there. */
  'partial',
  /** Nothing could be reduced (no readable manifest). */
  'failed',
]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const SessionTokensSchema = z.object({
  input: z.number(),
  cachedInput: z.number(),
  output: z.number(),
  reasoning: z.number(),
});

/** One model's tokens in a session: what the list prices a session with, model by model. */
export const SessionModelTokensSchema = z.object({
  model: z.string(),
  calls: z.number(),
  /** Calls of this model that recorded no usage. */
  noUsage: z.number(),
  input: z.number(),
  cachedInput: z.number(),
  cacheWriteInput: z.number(),
  output: z.number(),
  reasoning: z.number(),
});

export const SessionSummarySchema = z.object({
  traceId: z.string().nullable(),
  rolloutId: z.string().nullable(),
  startedAtMs: z.number().nullable(),
  /** Ended − started, or the last time seen − started for a bundle that did not end. */
  durationMs: z.number().nullable(),
  status: SessionStatusSchema,
  schemaVersion: z.number().nullable(),
  releases: z.string().nullable(),
  /** Models of its inference calls, most used first. */
  models: z.array(z.string()),
  agents: z.number(),
  turns: z.number(),
  inferenceCalls: z.number(),
  toolCalls: z.number(),
  /** Compactions the trace records. */
  compactionsTraced: z.number(),
  /** History shrinks no compaction record explains (e.g. a local /compact), found by comparing request windows. */
  compactionsDetected: z.number(),
  tokens: SessionTokensSchema,
  /** The same tokens per model, the most used first. */
  tokensByModel: z.array(SessionModelTokensSchema),
  /** The first thing the user asked, cut short: what a reader recognises a session by. */
  firstPrompt: z.string().nullable(),
  /** Why the bundle is partial or failed, as one message. */
  error: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;
// The list prices summaries with the same function as the Tokens panel: the two shapes must stay one.
const _sameShape: ModelTokens[] = [] as SessionSummary['tokensByModel'];
void _sameShape;

const PROMPT_CHARS = 300;
const ERROR_CHARS = 600;

const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);

export function firstPrompt(state: RolloutTrace): string | null {
  let best: { at: number; text: string } | null = null;
  for (const item of Object.values(state.conversation_items)) {
    if (item.thread_id !== state.root_thread_id) continue;
    const text = typedPromptText(item);
    if (text === null) continue;
    if (!best || item.first_seen_at_unix_ms < best.at) best = { at: item.first_seen_at_unix_ms, text };
  }
  return best ? cut(best.text.replace(/\s+/g, ' '), PROMPT_CHARS) : null;
}

function modelsByUse(state: RolloutTrace): string[] {
  const n = new Map<string, number>();
  for (const c of Object.values(state.inference_calls)) n.set(c.model, (n.get(c.model) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
}

function tokens(state: RolloutTrace): SessionSummary['tokens'] {
  const t = { input: 0, cachedInput: 0, output: 0, reasoning: 0 };
  for (const c of Object.values(state.inference_calls)) {
    if (!c.usage) continue;
    t.input += c.usage.input_tokens;
    t.cachedInput += c.usage.cached_input_tokens;
    t.output += c.usage.output_tokens;
    t.reasoning += c.usage.reasoning_output_tokens;
  }
  return t;
}

function detectedCompactions(state: RolloutTrace): number {
  try {
    return analyzeCompactions(state, buildTraceIndexes(state)).events.filter((e) => e.kind === 'untraced').length;
  } catch {
    // A partial state can lack what the analysis expects; the traced count still stands.
    return 0;
  }
}

/** The session row for a reduction's result (a partial state is summarised too). */
export function summarizeSession(result: Pick<ReduceResult, 'manifest' | 'state' | 'error'>): SessionSummary {
  const { manifest, state, error } = result;
  const errorText = error ? cut(formatTraceError(error), ERROR_CHARS) : null;
  if (!state) {
    return {
      ...failedSummary(errorText ?? 'No state could be reduced.'),
      traceId: manifest?.trace_id ?? null,
      rolloutId: manifest?.rollout_id ?? null,
      startedAtMs: manifest?.started_at_unix_ms ?? null,
      schemaVersion: manifest?.schema_version ?? null,
      releases: manifest ? (generationOf(manifest.schema_version)?.releases ?? null) : null,
    };
  }
  const s = computeSummary(state);
  const closed = recordingComplete(state);
  const status: SessionStatus = error ? 'partial' : closed === false || (closed === null && state.status === 'running') ? 'unclosed' : 'complete';
  return {
    traceId: state.trace_id,
    rolloutId: state.rollout_id,
    startedAtMs: state.started_at_unix_ms,
    durationMs: s.wallTimeMs,
    status,
    schemaVersion: s.schemaVersion,
    releases: s.schemaReleases,
    models: modelsByUse(state),
    agents: s.agents,
    turns: s.turns,
    inferenceCalls: s.inferenceCalls,
    toolCalls: s.toolCalls,
    compactionsTraced: s.compactions,
    compactionsDetected: detectedCompactions(state),
    tokens: tokens(state),
    tokensByModel: tokensByModel(state),
    firstPrompt: firstPrompt(state),
    error: errorText,
  };
}

/** The row of a bundle that could not be reduced at all: nothing but why. */
export function failedSummary(error: string): SessionSummary {
  return {
    traceId: null,
    rolloutId: null,
    startedAtMs: null,
    durationMs: null,
    status: 'failed',
    schemaVersion: null,
    releases: null,
    models: [],
    agents: 0,
    turns: 0,
    inferenceCalls: 0,
    toolCalls: 0,
    compactionsTraced: 0,
    compactionsDetected: 0,
    tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0 },
    tokensByModel: [],
    firstPrompt: null,
    error,
  };
}
