/** One-line previews and labels for conversation items in window lists. Pure. */
import type { ConversationItem } from '../../trace/schema/state';

function oneLine(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

export function itemPreview(item: ConversationItem, n = 180): string {
  if (item.kind === 'compaction_marker') return 'history compacted here';
  const out: string[] = [];
  for (const p of item.body.parts) {
    if (out.join(' ').length > n) break;
    switch (p.type) {
      case 'text':
      case 'summary':
        out.push(p.text);
        break;
      case 'json':
        out.push(p.summary);
        break;
      case 'code':
        out.push(p.source);
        break;
      case 'encoded':
        out.push(`[encrypted ${p.label}]`);
        break;
      case 'payload_ref':
        out.push(`[${p.label}]`);
        break;
    }
  }
  return oneLine(out.join(' '), n);
}

export function kindLabel(item: ConversationItem): string {
  if (item.agent_message) return 'agent message';
  if (item.kind === 'message') return item.channel === 'summary' ? 'summary' : 'message';
  return item.kind.replace(/_/g, ' ');
}
