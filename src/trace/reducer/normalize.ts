/** Turning Responses-API items (from requests, responses, checkpoints) into conversation item data. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { isJsonObject, asI64, canonicalStringify, hasIntegralNumber, parseJson, serdeStringify, type JsonValue } from '../json/lossless';
import type { RawPayloadRef } from '../schema/common';
import type { WindowParse } from '../json/window';
import type { ConversationItem, ConversationPart, TokenUsage } from '../schema/state';
import { fail } from './core';
import type { ReductionRules } from './rules';

export interface NormalizedItem {
  role: ConversationItem['role'];
  channel: ConversationItem['channel'];
  kind: ConversationItem['kind'];
  agent_message: { author: string; recipient: string } | null;
  parts: ConversationPart[];
  call_id: string | null;
  /** The Responses item `id`, kept as `responses_item_id` (schema 2). */
  responsesId: string | null;
}

type Obj = { [k: string]: JsonValue };

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

/**
 * `exactItems` gives the same array parsed with serde-exact numbers; it is
 * consulted only for items holding an integral number, whose text (`1` or
 * `1.0`) decides how the item's JSON summary or content hash reads.
 */
export function normalizeItems(items: JsonValue[], ref: RawPayloadRef, rules: ReductionRules, exactItems?: () => JsonValue[]): NormalizedItem[] {
  const out: NormalizedItem[] = [];
  const ctx: Ctx = { ref, rules };
  for (let i = 0; i < items.length; i++) {
    const n = normalizeInput(exactItems && hasIntegralNumber(items[i]) ? exactItems()[i] : items[i], ctx);
    if (n !== null) out.push(n);
  }
  return out;
}

/** A request window's items, as normalizeItems gives them, each derived once while it stays in the thread's window. */
export function normalizeWindow(
  items: JsonValue[],
  ref: RawPayloadRef,
  rules: ReductionRules,
  window: WindowParse,
  exactItems: () => JsonValue[],
): NormalizedItem[] {
  const out: NormalizedItem[] = [];
  const ctx: Ctx = { ref, rules };
  const derived = window.derived!;
  for (let i = 0; i < items.length; i++) {
    let d = derived[i] as Derived | undefined;
    if (d === undefined) {
      const item = hasIntegralNumber(items[i]) ? (window.exactElement(i) ?? exactItems()[i]) : items[i];
      d = { item: normalizeInput(item, ctx), payloadId: ref.raw_payload_id };
      derived[i] = d;
    }
    if (d.item !== null) out.push(d.payloadId === ref.raw_payload_id ? d.item : rebind(d.item, ref.raw_payload_id));
  }
  return out;
}

/** A window item as normalized while reading another payload. */
interface Derived {
  item: NormalizedItem | null;
  payloadId: string;
}

/** The item as normalizing it from the payload `payloadId` gives: only the parts that name their payload differ. */
function rebind(item: NormalizedItem, payloadId: string): NormalizedItem {
  if (!item.parts.some((p) => 'raw_payload_id' in p)) return item;
  return { ...item, parts: item.parts.map((p) => ('raw_payload_id' in p ? { ...p, raw_payload_id: payloadId } : p)) };
}

/** One input item; null for those that are not conversation items (`additional_tools`). */
function normalizeInput(item: JsonValue, ctx: Ctx): NormalizedItem | null {
  if (isJsonObject(item)) {
    if (item.type === 'additional_tools') return null;
    if ('internal_chat_message_metadata_passthrough' in item) {
      const copy: Obj = { ...item };
      delete copy.internal_chat_message_metadata_passthrough;
      return normalizeItem(copy, ctx);
    }
  }
  return normalizeItem(item, ctx);
}

/** The payload being read and the generation's rules for what an item keeps. */
interface Ctx {
  ref: RawPayloadRef;
  rules: ReductionRules;
}

function normalizeItem(item: JsonValue, ctx: Ctx): NormalizedItem {
  const ref = ctx.ref;
  const P = ref.raw_payload_id;
  const o: Obj = isJsonObject(item) ? item : {};
  const type = str(o.type);
  if (type === null) fail(`model item in payload ${P} did not contain a string type`);
  const callId = str(o.call_id);
  const responsesId = ctx.rules.responsesItemIdentity ? str(o.id) : null;
  const base = { agent_message: null, responsesId };
  switch (type) {
    case 'message': {
      const roleText = str(o.role);
      if (roleText === null) fail(`message item in payload ${P} did not contain a string role`);
      if (!ROLES.has(roleText)) fail(`unsupported message role ${roleText} in payload ${P}`);
      const phase = str(o.phase);
      return {
        ...base,
        role: roleText as NormalizedItem['role'],
        channel: phase === 'commentary' ? 'commentary' : phase === 'final_answer' ? 'final' : phase === 'summary' ? 'summary' : null,
        kind: 'message',
        parts: contentParts(o.content, ctx),
        call_id: null,
      };
    }
    case 'agent_message':
      return normalizeAgentMessage(o, ref, responsesId);
    case 'reasoning':
      return { ...base, role: 'assistant', channel: 'analysis', kind: 'reasoning', parts: reasoningParts(o, ref), call_id: null };
    case 'function_call':
      return { ...base, role: 'assistant', channel: 'commentary', kind: 'function_call', parts: argumentsBody(o.arguments, ref), call_id: callId };
    case 'function_call_output':
      return { ...base, role: 'tool', channel: 'commentary', kind: 'function_call_output', parts: toolOutputBody(o.output, ctx), call_id: callId };
    case 'custom_tool_call': {
      const input = o.input;
      const parts: ConversationPart[] =
        typeof input !== 'string'
          ? [jsonPart(o, ref)]
          : o.name === 'exec'
            ? [{ type: 'code', language: 'javascript', source: input }]
            : [{ type: 'text', text: input }];
      return { ...base, role: 'assistant', channel: 'commentary', kind: 'custom_tool_call', parts, call_id: callId };
    }
    case 'custom_tool_call_output':
      return { ...base, role: 'tool', channel: 'commentary', kind: 'custom_tool_call_output', parts: toolOutputBody(o.output, ctx), call_id: callId };
    case 'tool_search_call':
    case 'web_search_call':
    case 'image_generation_call':
    case 'local_shell_call':
      return { ...base, role: 'assistant', channel: 'commentary', kind: 'function_call', parts: [jsonPart(o, ref)], call_id: callId };
    case 'tool_search_output':
    case 'mcp_tool_call_output':
      return { ...base, role: 'tool', channel: 'commentary', kind: 'function_call_output', parts: [jsonPart(o, ref)], call_id: callId };
    case 'compaction':
    case 'compaction_summary':
    case 'context_compaction': {
      const enc = str(o.encrypted_content);
      if (enc === null) fail(`compaction item in payload ${P} did not contain string encrypted_content`);
      return {
        ...base,
        role: 'assistant',
        channel: 'summary',
        kind: 'message',
        parts: [{ type: 'encoded', label: 'encrypted_content', value: enc }],
        call_id: null,
      };
    }
    default:
      return fail(`unsupported model item type ${type} in payload ${P}`);
  }
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/**
 * `agent_message` items are deserialized by the official reducer into a typed
 * protocol struct, so every field it requires must be there with the right type.
 */
function normalizeAgentMessage(o: Obj, ref: RawPayloadRef, responsesId: string | null): NormalizedItem {
  const P = ref.raw_payload_id;
  const bad = (why: string) => fail(`failed to parse agent_message item in payload ${P}`, why);
  const author = o.author;
  const recipient = o.recipient;
  if (typeof author !== 'string') bad('missing or invalid field `author`');
  if (typeof recipient !== 'string') bad('missing or invalid field `recipient`');
  if (!Array.isArray(o.content)) bad('missing or invalid field `content`');
  const parts: ConversationPart[] = [];
  for (const c of o.content as JsonValue[]) {
    if (!isJsonObject(c)) bad('invalid content entry');
    const t = (c as Obj).type;
    if (t === 'input_text') {
      if (typeof (c as Obj).text !== 'string') bad('missing field `text`');
      parts.push({ type: 'text', text: (c as Obj).text as string });
    } else if (t === 'encrypted_content') {
      if (typeof (c as Obj).encrypted_content !== 'string') bad('missing field `encrypted_content`');
      parts.push({ type: 'encoded', label: 'encrypted_content', value: (c as Obj).encrypted_content as string });
    } else bad(`unknown content variant ${String(t)}`);
  }
  if (parts.length === 0) fail(`agent_message item in payload ${P} contained no content`);
  return {
    role: 'assistant',
    channel: 'analysis',
    kind: 'message',
    agent_message: { author: author as string, recipient: recipient as string },
    parts,
    call_id: null,
    responsesId,
  };
}

function reasoningParts(o: Obj, ref: RawPayloadRef): ConversationPart[] {
  const P = ref.raw_payload_id;
  const parts: ConversationPart[] = [];
  for (const key of ['content', 'summary'] as const) {
    if (!(key in o)) continue;
    const entries = o[key];
    if (key === 'content' && entries === null) continue;
    if (!Array.isArray(entries)) fail(`reasoning item in payload ${P} had non-array ${key}`);
    for (const e of entries) {
      const t = isJsonObject(e) ? str(e.type) : null;
      if (t === null) fail(`reasoning item in payload ${P} had ${key} entry without string type`);
      if (key === 'content' && t !== 'reasoning_text' && t !== 'text') fail(`reasoning item in payload ${P} had unsupported content type ${t}`);
      if (key === 'summary' && t !== 'summary_text') fail(`reasoning item in payload ${P} had unsupported summary type ${t}`);
      const text = str((e as Obj).text);
      if (text === null) fail(`reasoning item in payload ${P} had ${key} entry without string text`);
      parts.push(key === 'content' ? { type: 'text', text } : { type: 'summary', text });
    }
  }
  if ('encrypted_content' in o) {
    const enc = o.encrypted_content;
    if (typeof enc === 'string') parts.push({ type: 'encoded', label: 'encrypted_content', value: enc });
    else if (enc !== null) fail(`reasoning item in payload ${P} had non-string encrypted_content`);
  }
  if (parts.length === 0) fail(`reasoning item in payload ${P} contained no content, summary, or encrypted_content`);
  return parts;
}

function payloadRef(label: string, ref: RawPayloadRef): ConversationPart {
  return { type: 'payload_ref', label, raw_payload_id: ref.raw_payload_id };
}

/** SHA-256 of an entry's canonical JSON: schema 2 identifies images and files by content, not by payload. */
function contentHash(entry: JsonValue): string {
  return bytesToHex(sha256(utf8.encode(canonicalStringify(entry))));
}

function contentParts(content: JsonValue | undefined, ctx: Ctx): ConversationPart[] {
  const ref = ctx.ref;
  if (!Array.isArray(content)) return [payloadRef('content', ref)];
  const parts: ConversationPart[] = [];
  for (const p of content) {
    const t = isJsonObject(p) ? p.type : undefined;
    if (t === 'input_text' || t === 'output_text' || t === 'text') {
      const text = (p as Obj).text;
      if (typeof text === 'string') parts.push({ type: 'text', text });
    } else {
      parts.push({
        type: 'payload_ref',
        label: typeof t === 'string' ? t : 'content',
        raw_payload_id: ref.raw_payload_id,
        content_sha256: ctx.rules.contentSha256 ? contentHash(p) : undefined,
      });
    }
  }
  if (parts.length === 0 && ctx.rules.emptyContentRef) parts.push(payloadRef('empty_content', ref));
  return parts;
}

function argumentsBody(args: JsonValue | undefined, ref: RawPayloadRef): ConversationPart[] {
  if (args === undefined) return [payloadRef('payload', ref)];
  if (typeof args === 'string') {
    let parsed: JsonValue;
    try {
      parsed = parseJson(args);
    } catch {
      return [{ type: 'text', text: args }];
    }
    return [jsonPart(parsed, ref)];
  }
  return [jsonPart(args, ref)];
}

function toolOutputBody(output: JsonValue | undefined, ctx: Ctx): ConversationPart[] {
  if (output === undefined) return [payloadRef('tool_output', ctx.ref)];
  if (typeof output === 'string') return [{ type: 'text', text: output }];
  if (Array.isArray(output)) return contentParts(output, ctx);
  return [jsonPart(output, ctx.ref)];
}

const MAX_SUMMARY_BYTES = 240;
const utf8 = new TextEncoder();

/** Compact JSON cut to 240 UTF-8 bytes plus "...", as the official reducer writes it. */
export function summarizeJson(v: JsonValue): string {
  const s = serdeStringify(v);
  if (s.length <= MAX_SUMMARY_BYTES / 3) return s;
  const bytes = utf8.encode(s);
  if (bytes.length <= MAX_SUMMARY_BYTES) return s;
  // The official cut panics mid-character; we cut back to the last whole character.
  let end = MAX_SUMMARY_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end)) + '...';
}

function jsonPart(v: JsonValue, ref: RawPayloadRef): ConversationPart {
  return { type: 'json', summary: summarizeJson(v), raw_payload_id: ref.raw_payload_id };
}

/** `token_usage` → usage, only when the four required counters are integers. */
export function tokenUsage(v: JsonValue | undefined): TokenUsage | null {
  if (!isJsonObject(v)) return null;
  const f = (k: string) => {
    const n = asI64(v[k]);
    return n === null ? null : Math.max(0, n);
  };
  const input = f('input_tokens');
  const cached = f('cached_input_tokens');
  const output = f('output_tokens');
  const reasoning = f('reasoning_output_tokens');
  if (input === null || cached === null || output === null || reasoning === null) return null;
  return {
    input_tokens: input,
    cached_input_tokens: cached,
    cache_write_input_tokens: f('cache_write_input_tokens') ?? 0,
    output_tokens: output,
    reasoning_output_tokens: reasoning,
  };
}
