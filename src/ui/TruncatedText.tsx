import { useState } from 'react';
import { SafeText } from './SafeText';
import { formatInt } from './format';

/** Where to cut `text` to show at most `limit` chars and `maxLines` lines. */
export function clipPoint(text: string, limit: number, maxLines: number): number {
  const cut = Math.min(text.length, limit);
  let from = 0;
  for (let line = 0; line < maxLines; line++) {
    const nl = text.indexOf('\n', from);
    if (nl < 0 || nl >= cut) return cut;
    from = nl + 1;
  }
  return Math.min(cut, from - 1);
}

/**
 * Long text shown clipped with an expand control. Text is rendered as a text
 * node only (never as HTML), so untrusted content is always literal; ANSI
 * colours are shown as colours and hidden characters as markers (SafeText).
 */
export function TruncatedText({
  text,
  limit = 600,
  maxLines = 8,
  mono = false,
  className,
}: {
  text: string;
  /** Characters shown while collapsed. */
  limit?: number;
  /** Lines shown while collapsed. */
  maxLines?: number;
  mono?: boolean;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const cut = clipPoint(text, limit, maxLines);
  const long = cut < text.length;
  const shown = long && !open ? text.slice(0, cut).trimEnd() : text;
  const Tag = mono ? 'pre' : 'div';
  return (
    <div className={`trunc${className ? ` ${className}` : ''}`}>
      <Tag className={mono ? 'trunc-text mono' : 'trunc-text prose'}>
        <SafeText text={shown} />
        {long && !open ? '…' : null}
      </Tag>
      {long && (
        <button type="button" className="link-btn trunc-toggle" onClick={(e) => (e.stopPropagation(), setOpen(!open))}>
          {open ? 'Show less' : `Show all (${formatInt(text.length)} chars${lineCount(text) > 1 ? `, ${formatInt(lineCount(text))} lines` : ''})`}
        </button>
      )}
    </div>
  );
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
