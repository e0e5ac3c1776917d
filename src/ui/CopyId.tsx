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

/** An id in monospace with a copy button. */
export function CopyId({ value, label }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-id">
      <code className="copy-id-text" title={escapeInvisible(value)}>
        <SafeText text={value} mode="id" ansi={false} />
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
