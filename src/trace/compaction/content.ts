/**
 * Size and content identity of conversation items, for compaction accounting.
 * Pure TS: no DOM, no React.
 */
import type { ConversationItem, ConversationPart } from '../schema/state';

import { itemBodySize, utf8Bytes } from '../indexes/item-size';
export { utf8Bytes } from '../indexes/item-size';

/** Body size of an item in bytes (see indexes/item-size); a lower bound for items with cut json or payload parts. */
export function itemBytes(item: ConversationItem | undefined): number {
  return item ? itemBodySize(item).bytes : 0;
}

/** True when the body size is a lower bound (a json summary was cut, or a payload is referenced). */
export function itemBytesIsLowerBound(item: ConversationItem | undefined): boolean {
  return item ? itemBodySize(item).partial : false;
}

function partKey(p: ConversationPart): unknown[] {
  switch (p.type) {
    case 'text':
    case 'summary':
      return [p.type, p.text];
    case 'encoded':
      return [p.type, p.label, p.value];
    case 'json':
      // Like the reducer: a json part is identified by its summary, not its payload.
      return [p.type, p.summary];
    case 'code':
      return [p.type, p.language, p.source];
    case 'payload_ref':
      return [p.type, p.label, p.raw_payload_id];
  }
}

/**
 * A key that is equal for two items with the same model-visible content: role,
 * channel, kind, agent-message header, call id and body. Unlike the reducer's
 * identity (which, in schema 2, also compares the Responses item id), two
 * items re-sent with identical text share a key. Markers never match anything.
 */
export function contentKey(item: ConversationItem): string {
  if (item.kind === 'compaction_marker') return `marker\u0000${item.item_id}`;
  return JSON.stringify([
    item.role,
    item.channel,
    item.kind,
    item.agent_message ? [item.agent_message.author, item.agent_message.recipient] : null,
    item.call_id,
    item.body.parts.map(partKey),
  ]);
}

/** Items and bytes of a list of item ids. */
export interface SizeFigures {
  items: number;
  bytes: number;
}

function oneLine(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** A one-line preview of an item's body, for dense lists. */
export function itemPreview(item: ConversationItem | undefined, n = 160): string {
  if (!item) return '';
  if (item.kind === 'compaction_marker') return 'history compacted here';
  for (const p of item.body.parts) {
    switch (p.type) {
      case 'text':
      case 'summary':
        if (p.text.trim()) return oneLine(p.text, n);
        break;
      case 'json':
        return oneLine(p.summary, n);
      case 'code':
        return oneLine(p.source, n);
      case 'encoded':
        return `[encrypted ${utf8Bytes(p.value).toLocaleString('en-US')} bytes]`;
      case 'payload_ref':
        return `[${p.label || 'payload'}]`;
    }
  }
  return item.body.parts.length ? '' : '(empty)';
}

/** "user message", "assistant function call", "assistant summary", … */
export function itemKindLabel(item: ConversationItem | undefined): string {
  if (!item) return 'missing item';
  if (item.kind === 'compaction_marker') return 'compaction marker';
  if (item.kind === 'message') return item.channel === 'summary' ? 'summary message' : 'message';
  return item.kind.replace(/_/g, ' ');
}
