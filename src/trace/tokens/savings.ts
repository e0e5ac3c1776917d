/**
 * What each compaction saved, in input tokens: the input of the thread's last
 * call before it against the input of its first call after it. The calls
 * around a compaction are the ones the compaction analysis places it between
 * (src/trace/compaction/analysis.ts), so this panel and the compaction panel
 * never disagree about which calls those are. Pure.
 */
import type { CompactionEvent } from '../compaction/analysis';
import type { ObjectRef } from '../indexes/refs';
import { own } from '../indexes/refs';
import type { RolloutTrace } from '../schema/state';

export interface CompactionSaving {
  key: string;
  kind: 'installed' | 'untraced';
  label: string;
  threadId: string;
  atMs: number;
  ref: ObjectRef;
  beforeCallId: string | null;
  afterCallId: string | null;
  /** Input tokens of the last call before; null when there is none or it recorded no usage. */
  inputBefore: number | null;
  inputAfter: number | null;
  /** inputBefore − inputAfter (negative when the window grew), or null: not measurable. */
  saved: number | null;
  /** Why it is not measurable, when it is not. */
  unmeasurable: string | null;
}

function inputOf(state: RolloutTrace, callId: string | null): number | null {
  if (!callId) return null;
  return own(state.inference_calls, callId)?.usage?.input_tokens ?? null;
}

/**
 * One row per compaction that rewrote a history (installed, or detected
 * untraced); failed attempts rewrote nothing and are left out.
 */
export function compactionSavings(state: RolloutTrace, events: readonly CompactionEvent[]): CompactionSaving[] {
  const out: CompactionSaving[] = [];
  for (const e of events) {
    if (e.kind === 'failed') continue;
    const inputBefore = inputOf(state, e.lastBeforeCallId);
    const inputAfter = inputOf(state, e.firstAfterCallId);
    let unmeasurable: string | null = null;
    if (!e.lastBeforeCallId) unmeasurable = 'no call before it';
    else if (!e.firstAfterCallId) unmeasurable = 'no call after it';
    else if (inputBefore === null) unmeasurable = 'the call before it recorded no usage';
    else if (inputAfter === null) unmeasurable = 'the call after it recorded no usage';
    out.push({
      key: e.key,
      kind: e.kind,
      label: e.label,
      threadId: e.threadId,
      atMs: e.atMs,
      ref: e.ref,
      beforeCallId: e.lastBeforeCallId,
      afterCallId: e.firstAfterCallId,
      inputBefore,
      inputAfter,
      saved: unmeasurable === null ? inputBefore! - inputAfter! : null,
      unmeasurable,
    });
  }
  return out;
}
