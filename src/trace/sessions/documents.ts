/**
 * What a cross-session search finds in a bundle: one document per object a
 * reader opens (conversation item, tool call, terminal operation, inference
 * call, payload), holding its ids and its text. Built from the reduced state,
 * so a hit names an object the viewer can select. Pure.
 */
import type { ConversationItem, RolloutTrace, ToolCall } from '../schema/state';
import { own } from '../indexes/refs';

export type DocumentKind = 'conversation_item' | 'tool_call' | 'terminal_operation' | 'inference_call' | 'raw_payload';

export interface SearchDocument {
  kind: DocumentKind;
  /** The object's id (what the viewer selects). */
  ref: string;
  threadId: string | null;
  /** A short label: role and kind, tool name, command, model. */
  title: string;
  /** Its ids and the ids it carries (response, call, terminal ids), a line each: searched, but shown only when they are what matched. */
  ids: string;
  /** Its text: what a hit's snippet shows. */
  body: string;
}

/** Most characters of one document's body that are indexed: terminal output can run to megabytes. */
export const MAX_BODY = 64 * 1024;

const cap = (t: string) => (t.length > MAX_BODY ? t.slice(0, MAX_BODY) : t);
const lines = (...parts: (string | null | undefined)[]) => parts.filter((p): p is string => !!p).join('\n');

/** Item body text: text, summaries, code and JSON summaries (encoded reasoning and payload refs are skipped). */
export function itemText(item: ConversationItem): string {
  const out: string[] = [];
  for (const part of item.body.parts) {
    if (part.type === 'text' || part.type === 'summary') out.push(part.text);
    else if (part.type === 'code') out.push(part.source);
    else if (part.type === 'json') out.push(part.summary);
  }
  return out.join('\n');
}

function toolName(tool: ToolCall): string {
  return tool.kind.type === 'other' ? tool.kind.name : tool.kind.type === 'mcp' ? `${tool.kind.server}.${tool.kind.tool}` : tool.kind.type;
}

function toolText(tool: ToolCall): string {
  const s = tool.summary;
  if (s.type === 'generic') return lines(s.label, s.input_preview, s.output_preview);
  if (s.type === 'agent') return lines(s.target_agent_path, s.task_name, s.message_preview);
  if (s.type === 'wait_agent') return lines(s.target_agent_path);
  return '';
}

export function searchDocuments(state: RolloutTrace): SearchDocument[] {
  const docs: SearchDocument[] = [];
  for (const item of Object.values(state.conversation_items)) {
    docs.push({
      kind: 'conversation_item',
      ref: item.item_id,
      threadId: item.thread_id,
      title: `${item.role} ${item.kind.replace(/_/g, ' ')}`,
      ids: lines(item.item_id, item.responses_item_id, item.call_id),
      body: cap(itemText(item)),
    });
  }
  for (const tool of Object.values(state.tool_calls)) {
    docs.push({
      kind: 'tool_call',
      ref: tool.tool_call_id,
      threadId: tool.thread_id,
      title: toolName(tool),
      ids: lines(tool.tool_call_id, tool.model_visible_call_id),
      body: cap(lines(toolName(tool), toolText(tool))),
    });
  }
  for (const op of Object.values(state.terminal_operations)) {
    const command = op.request.type === 'exec_command' ? op.request.display_command : op.request.stdin;
    const tool = own(state.tool_calls, op.tool_call_id);
    docs.push({
      kind: 'terminal_operation',
      ref: op.operation_id,
      threadId: tool?.thread_id ?? null,
      title: command.split('\n')[0].slice(0, 120),
      ids: lines(op.operation_id, op.terminal_id),
      body: cap(lines(command, op.result?.stdout, op.result?.stderr, op.result?.formatted_output)),
    });
  }
  for (const call of Object.values(state.inference_calls)) {
    docs.push({
      kind: 'inference_call',
      ref: call.inference_call_id,
      threadId: call.thread_id,
      title: call.model,
      ids: lines(call.inference_call_id, call.response_id, call.upstream_request_id),
      body: lines(call.model, call.provider_name),
    });
  }
  for (const [id, p] of Object.entries(state.raw_payloads)) {
    docs.push({ kind: 'raw_payload', ref: id, threadId: null, title: p.kind.type.replace(/_/g, ' '), ids: id, body: lines(p.path ?? null, p.kind.type) });
  }
  return docs;
}
