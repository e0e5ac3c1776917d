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

export { utf8Bytes, itemBodySize, type BodySize } from '../indexes/item-size';

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
