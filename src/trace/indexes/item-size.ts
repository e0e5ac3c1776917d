/**
 * How big a conversation item's body is: UTF-8 bytes of the body as the
 * reduced state records it — text, summary and code parts in full, encoded
 * (encrypted) values as sent (their base64 text), JSON parts by their summary
 * (which the reducer cuts at 240 bytes) and payload references (images,
 * files) as 0, since their size is only in the raw payload. Shared by the
 * compaction and request-window analyses. Pure TS, no DOM.
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
