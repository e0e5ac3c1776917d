/** Rendering of a conversation item's body parts, shared by the transcript and the inspector. */
import type { ConversationPart } from '../trace/schema/state';
import { RefLink } from './RefLink';
import { TruncatedText } from './TruncatedText';
import { encodedByteLength, formatInt } from './format';

function jsonSummary(summary: string): string {
  // Summaries are often compact JSON (function arguments): pretty-print when they parse.
  try {
    const v = JSON.parse(summary);
    if (v && typeof v === 'object') return JSON.stringify(v, null, 2);
  } catch {
    /* not JSON: show as is */
  }
  return summary;
}

export function BodyPart({ part, limit = 600, maxLines = 8 }: { part: ConversationPart; limit?: number; maxLines?: number }) {
  switch (part.type) {
    case 'text':
      return <TruncatedText className="part part-text" text={part.text} limit={limit} maxLines={maxLines} />;
    case 'summary':
      return (
        <div className="part part-summary">
          <span className="part-tag">summary</span>
          <TruncatedText text={part.text} limit={limit} maxLines={maxLines} />
        </div>
      );
    case 'encoded':
      return (
        <div className="part part-encoded" title={`${part.label}: ${formatInt(part.value.length)} encoded characters`}>
          <span className="mono">[encrypted {formatInt(encodedByteLength(part.value))} bytes]</span>
          {part.label && <span className="faint"> {part.label}</span>}
        </div>
      );
    case 'json':
      return (
        <div className="part part-json">
          <TruncatedText text={jsonSummary(part.summary)} limit={limit} maxLines={maxLines} mono />
          <div className="part-ref">
            <RefLink target={{ kind: 'raw_payload', id: part.raw_payload_id }}>raw {part.raw_payload_id.replace('raw_payload:', '#')}</RefLink>
          </div>
        </div>
      );
    case 'code':
      return (
        <div className="part part-code">
          <span className="part-tag">{part.language || 'code'}</span>
          <TruncatedText text={part.source} limit={limit} maxLines={maxLines} mono />
        </div>
      );
    case 'payload_ref':
      return (
        <div className="part part-payload-ref">
          <span className="part-tag">payload</span>
          <RefLink target={{ kind: 'raw_payload', id: part.raw_payload_id }}>{part.label || part.raw_payload_id}</RefLink>
        </div>
      );
  }
}

export function BodyParts({ parts, limit, maxLines }: { parts: ConversationPart[]; limit?: number; maxLines?: number }) {
  if (parts.length === 0) return <div className="part faint">(empty body)</div>;
  return (
    <div className="parts">
      {parts.map((p, i) => (
        <BodyPart key={i} part={p} limit={limit} maxLines={maxLines} />
      ))}
    </div>
  );
}
