/**
 * Store filters applied to timeline spans (what does not match is dimmed),
 * and the summary of a selected time range. Pure TS.
 */
import type { ObjectKind } from '../indexes/refs';
import type { RolloutTrace } from '../schema/state';
import { SPAN_OBJECT_KIND, spanLabel, STATUSES, type TimelineModel } from './model';
import { own } from '../indexes/refs';

export interface SpanFilters {
  kinds: readonly string[];
  statuses: readonly string[];
  threadIds: readonly string[];
  text: string;
}

const SPAN_KIND_SET = new Set<string>(SPAN_OBJECT_KIND);

const textCache = new WeakMap<TimelineModel, string[]>();

/** Lower-cased text a span is searched by: its label and id, plus tool previews, model and command. */
export function spanSearchText(model: TimelineModel, state: RolloutTrace | null): string[] {
  let texts = textCache.get(model);
  if (texts) return texts;
  texts = new Array(model.spans.count);
  for (let i = 0; i < model.spans.count; i++) {
    const ref = model.spans.refs[i];
    let extra = '';
    if (state) {
      if (ref.kind === 'tool_call') {
        const t = own(state.tool_calls, ref.id);
        if (t) {
          const s = t.summary;
          extra =
            s.type === 'generic'
              ? `${s.label} ${s.input_preview ?? ''} ${s.output_preview ?? ''}`
              : s.type === 'agent'
                ? `${s.target_agent_path} ${s.message_preview}`
                : '';
          if (t.kind.type === 'mcp') extra += ` ${t.kind.server} ${t.kind.tool}`;
        }
      } else if (ref.kind === 'inference_call') {
        const c = own(state.inference_calls, ref.id);
        if (c) extra = `${c.provider_name} ${c.response_id ?? ''}`;
      } else if (ref.kind === 'terminal_operation') {
        const op = own(state.terminal_operations, ref.id);
        if (op?.request.type === 'exec_command') extra = `${op.request.cwd} ${op.request.display_command}`;
      }
    }
    texts[i] = `${spanLabel(model, i)}\n${ref.id}\n${extra}`.toLowerCase();
  }
  textCache.set(model, texts);
  return texts;
}

/** True when any filter is set. */
export function filtersActive(f: SpanFilters): boolean {
  return f.kinds.length > 0 || f.statuses.length > 0 || f.threadIds.length > 0 || f.text.trim() !== '';
}

/**
 * 1 for spans matching every active filter, 0 for the rest; null when no
 * filter is active. A kinds filter that names no timeline kind (e.g. only
 * conversation items) does not dim anything.
 */
export function filterMask(model: TimelineModel, f: SpanFilters, state: RolloutTrace | null): Uint8Array | null {
  if (!filtersActive(f)) return null;
  const n = model.spans.count;
  const mask = new Uint8Array(n).fill(1);
  const kinds = f.kinds.filter((k) => SPAN_KIND_SET.has(k));
  if (kinds.length) {
    const ok = new Uint8Array(SPAN_OBJECT_KIND.length);
    SPAN_OBJECT_KIND.forEach((k, code) => (ok[code] = kinds.includes(k) ? 1 : 0));
    for (let i = 0; i < n; i++) if (!ok[model.spans.kind[i]]) mask[i] = 0;
  }
  if (f.statuses.length) {
    const ok = new Uint8Array(STATUSES.length);
    STATUSES.forEach((s, code) => (ok[code] = f.statuses.includes(s) ? 1 : 0));
    for (let i = 0; i < n; i++) if (!ok[model.spans.status[i]]) mask[i] = 0;
  }
  if (f.threadIds.length) {
    const ok = new Uint8Array(model.groups.length);
    for (const g of model.groups) ok[g.index] = f.threadIds.includes(g.threadId) ? 1 : 0;
    for (let i = 0; i < n; i++) if (!ok[model.spans.group[i]]) mask[i] = 0;
  }
  const q = f.text.trim().toLowerCase();
  if (q) {
    const texts = spanSearchText(model, state);
    for (let i = 0; i < n; i++) if (mask[i] && !texts[i].includes(q)) mask[i] = 0;
  }
  return mask;
}

export interface RangeSummary {
  startMs: number;
  endMs: number;
  /** Spans overlapping the range, by object kind (only kinds present). */
  byKind: Partial<Record<ObjectKind, number>>;
  total: number;
  failed: number;
  running: number;
  /** Inference calls overlapping the range: summed usage. */
  inputTokens: number;
  outputTokens: number;
}

/** What a time range contains: spans overlapping [a, b] (matching the filter mask, if any). */
export function summarizeRange(model: TimelineModel, a: number, b: number, mask: Uint8Array | null, state: RolloutTrace | null): RangeSummary {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const { start, end, kind, status, count, refs } = model.spans;
  const counts = new Int32Array(SPAN_OBJECT_KIND.length);
  let failed = 0;
  let running = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (let i = 0; i < count; i++) {
    if (start[i] > hi || end[i] < lo) continue;
    if (mask && !mask[i]) continue;
    counts[kind[i]]++;
    if (status[i] === 1) failed++;
    else if (status[i] === 3) running++;
    if (state && kind[i] === 1) {
      const u = state.inference_calls[refs[i].id]?.usage;
      if (u) {
        inputTokens += u.input_tokens;
        outputTokens += u.output_tokens;
      }
    }
  }
  const byKind: Partial<Record<ObjectKind, number>> = {};
  let total = 0;
  SPAN_OBJECT_KIND.forEach((k, code) => {
    if (counts[code]) {
      byKind[k] = counts[code];
      total += counts[code];
    }
  });
  return { startMs: lo, endMs: hi, byKind, total, failed, running, inputTokens, outputTokens };
}
