import type { ReactElement } from 'react';

/**
 * A search hit's snippet: plain text whose matched words come wrapped in
 * U+0001 … U+0002 (by `serve`'s index, a dropped root's scan, or the trace's
 * own search), shown as <mark> elements around text nodes. Never HTML.
 */
export function MarkedSnippet({ text, className }: { text: string; className?: string }) {
  const parts: ReactElement[] = [];
  let rest = text;
  for (let i = 0; rest.length; i++) {
    const a = rest.indexOf('\u0001');
    if (a < 0) {
      parts.push(<span key={i}>{rest}</span>);
      break;
    }
    const b = rest.indexOf('\u0002', a);
    parts.push(<span key={`t${i}`}>{rest.slice(0, a)}</span>);
    parts.push(<mark key={`m${i}`}>{rest.slice(a + 1, b < 0 ? undefined : b)}</mark>);
    rest = b < 0 ? '' : rest.slice(b + 1);
  }
  return <span className={className}>{parts}</span>;
}
