import { useState } from 'react';
import { escapeInvisible } from './invisible';
import { SafeText } from './SafeText';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    try {
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      const ok = document.execCommand('copy');
      ta.remove();
      return ok;
    } catch {
      return false;
    }
  }
}

/** An id in monospace with a copy button; `short` shows only its first characters (the title and the copy have it whole). */
export function CopyId({ value, label, short }: { value: string; label?: string; short?: number }) {
  const [copied, setCopied] = useState(false);
  const shown = short !== undefined && value.length > short + 1 ? `${value.slice(0, short)}…` : value;
  return (
    <span className="copy-id">
      <code className={`copy-id-text${shown !== value ? ' is-short' : ''}`} title={escapeInvisible(value)}>
        <SafeText text={shown} mode="id" ansi={false} />
      </code>
      <button
        type="button"
        className="icon-btn copy-btn"
        aria-label={`Copy ${label ?? 'id'}`}
        title={copied ? 'Copied' : 'Copy'}
        onClick={(e) => {
          e.stopPropagation();
          void copyText(value).then((ok) => {
            if (!ok) return;
            setCopied(true);
            setTimeout(() => setCopied(false), 1200);
          });
        }}
      >
        {copied ? '✓' : '⧉'}
      </button>
    </span>
  );
}
