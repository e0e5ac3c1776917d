/**
 * Size and content identity of conversation items, for compaction accounting.
 * Pure TS: no DOM, no React.
 */
import type { ConversationItem, ConversationPart } from '../schema/state';

/** UTF-8 byte length of a string, without allocating (handles surrogate pairs). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function partBytes(p: ConversationPart): number {
  switch (p.type) {
    case 'text':
    case 'summary':
      return utf8Bytes(p.text);
    case 'encoded':
      return utf8Bytes(p.value);
    case 'json':
      return utf8Bytes(p.summary);
    case 'code':
      return utf8Bytes(p.source);
    case 'payload_ref':
      return 0;
  }
}

/**
 * Body size of an item in bytes, as the reduced state records it: text, summary,
 * encoded (encrypted) and code parts count in full; `json` parts count their
 * summary (the reducer cuts it at 240 bytes); payload references count 0.
 * So this is a lower bound for items with json or payload parts.
 */
export function itemBytes(item: ConversationItem | undefined): number {
  if (!item) return 0;
  let n = 0;
  for (const p of item.body.parts) n += partBytes(p);
  return n;
}

/** True when the body size is a lower bound (a json summary was cut, or a payload is referenced). */
export function itemBytesIsLowerBound(item: ConversationItem | undefined): boolean {
  if (!item) return false;
  return item.body.parts.some((p) => p.type === 'payload_ref' || (p.type === 'json' && p.summary.endsWith('...')));
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

export function sizeOf(items: Readonly<Record<string, ConversationItem>>, ids: readonly string[], bytesOf: (id: string) => number = (id) => itemBytes(items[id])): SizeFigures {
  let bytes = 0;
  for (const id of ids) bytes += bytesOf(id);
  return { items: ids.length, bytes };
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
