/**
 * Item sizes and strata: how big each conversation item's body is, and which
 * layer of a request window ("stratum") it belongs to. Pure TS, no DOM.
 *
 * Size = UTF-8 bytes of the item's body as the reduced state records it:
 * text, summary and code parts in full, encoded (encrypted) values as sent
 * (their base64 text), JSON parts by their summary — which the reducer cuts
 * at 240 bytes, so long tool arguments count as at most ~243 bytes — and
 * payload references (images, files) as 0, since their size is only in the
 * raw payload. Estimated tokens = bytes / 4, rounded up.
 */
import type { ConversationItem } from '../schema/state';

/** UTF-8 byte length of a string, without allocating. Lone surrogates count as 3 bytes (U+FFFD), as TextEncoder does. */
export function utf8Bytes(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export interface BodySize {
  bytes: number;
  /** Some part's real size is not in the reduced state (a payload reference, or a JSON summary cut at 240 bytes). */
  partial: boolean;
}

const JSON_SUMMARY_CUT = 240;

export function itemBodySize(item: ConversationItem): BodySize {
  let bytes = 0;
  let partial = false;
  for (const p of item.body.parts) {
    switch (p.type) {
      case 'text':
      case 'summary':
        bytes += utf8Bytes(p.text);
        break;
      case 'code':
        bytes += utf8Bytes(p.source);
        break;
      case 'encoded':
        bytes += utf8Bytes(p.value);
        break;
      case 'json': {
        const b = utf8Bytes(p.summary);
        bytes += b;
        if (b > JSON_SUMMARY_CUT && p.summary.endsWith('...')) partial = true;
        break;
      }
      case 'payload_ref':
        partial = true;
        break;
    }
  }
  return { bytes, partial };
}

/** Rough token estimate from a byte count (4 bytes per token). */
export function estimateTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

/** The layers of a request window, bottom to top in the strata chart. */
export const STRATA = ['instructions', 'user', 'assistant', 'reasoning', 'tool_call', 'tool_output', 'compaction'] as const;
export type Stratum = (typeof STRATA)[number];
export const STRATUM_COUNT = STRATA.length;

export const STRATUM_LABEL: Record<Stratum, string> = {
  instructions: 'Developer & instructions',
  user: 'User & agent messages',
  assistant: 'Assistant',
  reasoning: 'Reasoning',
  tool_call: 'Tool calls',
  tool_output: 'Tool outputs',
  compaction: 'Compaction summaries',
};

export const STRATUM_SHORT: Record<Stratum, string> = {
  instructions: 'developer',
  user: 'user / agent',
  assistant: 'assistant',
  reasoning: 'reasoning',
  tool_call: 'tool calls',
  tool_output: 'tool outputs',
  compaction: 'summaries',
};

/** Which stratum an item belongs to. `installed`: the item was installed by a compaction (replacement history). */
export function stratumOf(item: ConversationItem, installed = false): Stratum {
  switch (item.kind) {
    case 'reasoning':
      return 'reasoning';
    case 'function_call':
    case 'custom_tool_call':
      return 'tool_call';
    case 'function_call_output':
    case 'custom_tool_call_output':
      return 'tool_output';
    case 'compaction_marker':
      return 'compaction';
    case 'message':
      break;
  }
  if (item.role === 'system' || item.role === 'developer') return 'instructions';
  if (item.role === 'tool') return 'tool_output';
  if (item.role === 'user') return 'user';
  // assistant messages
  if (item.channel === 'summary' || (installed && item.body.parts.some((p) => p.type === 'encoded'))) return 'compaction';
  if (item.agent_message) return 'user';
  return 'assistant';
}

export function stratumIndex(s: Stratum): number {
  return STRATA.indexOf(s);
}
