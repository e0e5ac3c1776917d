/**
 * The overview strip's activity profile: for each pixel bin over the whole
 * trace, how busy inference and runtime (tools, terminals, code cells) were,
 * as covered time / bin time (may exceed 1 when calls run in parallel). Pure TS.
 */
import { SK, type TimelineModel } from './model';

export interface OverviewBins {
  bins: number;
  inference: Float32Array;
  runtime: Float32Array;
  /** Compaction installs per bin. */
  compaction: Float32Array;
  /** Failed objects per bin. */
  failed: Float32Array;
}

export function overviewBins(model: TimelineModel, bins: number): OverviewBins {
  const n = Math.max(1, Math.floor(bins));
  const out: OverviewBins = {
    bins: n,
    inference: new Float32Array(n),
    runtime: new Float32Array(n),
    compaction: new Float32Array(n),
    failed: new Float32Array(n),
  };
  const { start, end, kind, status, count } = model.spans;
  const t0 = model.startMs;
  const binMs = (model.endMs - model.startMs) / n;
  for (let i = 0; i < count; i++) {
    const k = kind[i];
    const s = start[i];
    const e = end[i];
    const b0 = Math.min(n - 1, Math.max(0, Math.floor((s - t0) / binMs)));
    if (k === SK.compaction) {
      out.compaction[b0]++;
      continue;
    }
    if (status[i] === 1) out.failed[b0]++;
    let target: Float32Array;
    if (k === SK.inference) target = out.inference;
    else if (k === SK.tool || k === SK.terminal_op || k === SK.code_cell || k === SK.compaction_request) target = out.runtime;
    else continue;
    const b1 = Math.min(n - 1, Math.max(0, Math.floor((e - t0) / binMs)));
    if (b0 === b1) {
      target[b0] += Math.max(e - s, binMs * 0.05) / binMs;
      continue;
    }
    target[b0] += (t0 + (b0 + 1) * binMs - s) / binMs;
    for (let b = b0 + 1; b < b1; b++) target[b] += 1;
    target[b1] += (e - (t0 + b1 * binMs)) / binMs;
  }
  return out;
}
