/**
 * Full-text search over a reduced trace, run in the worker. The index is a
 * flat list of (kind, id, thread, text) built on the first search of a loaded
 * trace; a query is a case-insensitive substring match over it. Hits come in
 * index order: conversation items in creation order, then tool calls in start order.
 */
import type { RolloutTrace, ToolCall } from '../trace/schema/state';
import { itemText } from '../trace/sessions/documents';
import type { SearchHit } from './protocol';
import { own } from '../trace/indexes/refs';
import { withoutMarks } from '../trace/sessions/match';

interface Entry {
  kind: SearchHit['kind'];
  id: string;
  threadId: string;
  text: string;
  lower: string;
}

function toolText(tool: ToolCall, state: RolloutTrace): string {
  const out: string[] = [];
  const s = tool.summary;
  if (s.type === 'generic') out.push(s.label, s.input_preview ?? '', s.output_preview ?? '');
  else if (s.type === 'agent') out.push(s.target_agent_path ?? '', s.task_name ?? '', s.message_preview ?? '');
  else if (s.type === 'wait_agent') out.push(s.target_agent_path ?? '');
  out.push(tool.kind.type === 'other' ? tool.kind.name : tool.kind.type === 'mcp' ? `${tool.kind.server}.${tool.kind.tool}` : tool.kind.type);
  const opId = tool.terminal_operation_id ?? (s.type === 'terminal' ? s.operation_id : null);
  const op = opId ? own(state.terminal_operations, opId) : undefined;
  if (op) {
    if (op.request.type === 'exec_command') out.push(op.request.display_command, op.request.command.join(' '));
    else out.push(op.request.stdin);
  }
  return out.filter(Boolean).join('\n');
}

function numericSuffix(id: string): number {
  const n = Number(id.slice(id.lastIndexOf(':') + 1));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

export class SearchIndex {
  private readonly entries: Entry[] = [];

  constructor(state: RolloutTrace) {
    const push = (kind: Entry['kind'], id: string, threadId: string, text: string) => {
      if (text) this.entries.push({ kind, id, threadId, text, lower: text.toLowerCase() });
    };
    const items = Object.values(state.conversation_items).sort((a, b) => numericSuffix(a.item_id) - numericSuffix(b.item_id));
    for (const item of items) push('conversation_item', item.item_id, item.thread_id, itemText(item));
    const tools = Object.values(state.tool_calls).sort((a, b) => a.execution.started_seq - b.execution.started_seq);
    for (const tool of tools) push('tool_call', tool.tool_call_id, tool.thread_id, toolText(tool, state));
  }

  search(query: string, limit = 50): SearchHit[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const hits: SearchHit[] = [];
    for (const e of this.entries) {
      const at = e.lower.indexOf(q);
      if (at < 0) continue;
      // Lower-casing a few letters changes their length: offsets into `lower` then say nothing of `text`, and nothing is marked.
      const marked = e.lower.length === e.text.length;
      hits.push({ kind: e.kind, id: e.id, threadId: e.threadId, snippet: snippet(e.text, at, q.length, marked ? e.lower : null, q) });
      if (hits.length >= limit) break;
    }
    return hits;
  }
}

/** A piece of the snippet: one line, and no marker characters of the trace's own. */
const plain = (t: string) => withoutMarks(t).replace(/\s+/g, ' ');

/**
 * Up to ~40 characters either side of the match, on one line, with ellipses
 * where cut. Given the text lower-cased and the query, each occurrence of the
 * query in the window is wrapped in U+0001 … U+0002, as the session search's
 * snippets are (src/ui/MarkedSnippet.tsx shows them).
 */
export function snippet(text: string, at: number, len: number, lower: string | null = null, q = '', context = 40): string {
  const start = Math.max(0, at - context);
  const end = Math.min(text.length, at + len + context);
  let out = '';
  let from = start;
  if (lower !== null && q) {
    for (let m = lower.indexOf(q, start); m >= 0 && m + q.length <= end; m = lower.indexOf(q, m + q.length)) {
      out += `${plain(text.slice(from, m))}\u0001${plain(text.slice(m, m + q.length))}\u0002`;
      from = m + q.length;
    }
  }
  out += plain(text.slice(from, end));
  return `${start > 0 ? '…' : ''}${out}${end < text.length ? '…' : ''}`;
}
