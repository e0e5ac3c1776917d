/**
 * A collapsible JSON tree for untrusted payloads. Every key and value is a
 * React text node: nothing is ever interpreted as HTML.
 */
import { useState, type ReactNode } from 'react';
import { SafeText } from './SafeText';
import { formatInt } from './format';

const STRING_LIMIT = 160;
const CHILD_PAGE = 100;

function typeLabel(v: unknown): string {
  if (Array.isArray(v)) return `[${v.length}]`;
  if (v && typeof v === 'object') {
    const n = Object.keys(v).length;
    return `{${n}}`;
  }
  return '';
}

/** One-line preview of a collapsed object/array. */
function preview(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.length} item${v.length === 1 ? '' : 's'} ]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    const head = keys.slice(0, 4).join(', ');
    return `{ ${head}${keys.length > 4 ? ', …' : ''} }`;
  }
  return '';
}

function StringValue({ value }: { value: string }) {
  const [open, setOpen] = useState(false);
  const long = value.length > STRING_LIMIT || value.includes('\n');
  if (!long)
    return (
      <span className="json-string">
        "<SafeText text={value} ansi={false} />"
      </span>
    );
  if (!open) {
    const firstLine = value.split('\n', 1)[0];
    return (
      <span className="json-string">
        "<SafeText text={firstLine.slice(0, STRING_LIMIT)} ansi={false} />
        …"
        <button type="button" className="link-btn json-more" onClick={() => setOpen(true)}>
          expand ({formatInt(value.length)} chars)
        </button>
      </span>
    );
  }
  return (
    <span className="json-string json-string-open">
      <button type="button" className="link-btn json-more" onClick={() => setOpen(false)}>
        collapse
      </button>
      <pre className="json-long">
        <SafeText text={value} />
      </pre>
    </span>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <StringValue value={value} />;
    case 'number':
      return <span className="json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="json-bool">{String(value)}</span>;
    default:
      return <span className="json-other">{String(value)}</span>;
  }
}

function Node({ name, value, depth, defaultDepth }: { name: ReactNode; value: unknown; depth: number; defaultDepth: number }) {
  const container = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < defaultDepth);
  const [limit, setLimit] = useState(CHILD_PAGE);
  if (!container) {
    return (
      <div className="json-row" style={{ paddingLeft: depth * 14 + 14 }}>
        {name !== null && <span className="json-key">{name}: </span>}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as object);
  return (
    <>
      <div className="json-row" style={{ paddingLeft: depth * 14 }}>
        <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="caret">{open ? '▾' : '▸'}</span>
          {name !== null && <span className="json-key">{name}: </span>}
          <span className="json-meta">{open ? typeLabel(value) : preview(value)}</span>
        </button>
      </div>
      {open &&
        entries
          .slice(0, limit)
          .map(([k, v]) => <Node key={k} name={<SafeText text={k} mode="id" ansi={false} />} value={v} depth={depth + 1} defaultDepth={defaultDepth} />)}
      {open && entries.length > limit && (
        <div className="json-row" style={{ paddingLeft: (depth + 1) * 14 + 14 }}>
          <button type="button" className="link-btn" onClick={() => setLimit(limit + CHILD_PAGE)}>
            show {Math.min(CHILD_PAGE, entries.length - limit)} more of {entries.length - limit}
          </button>
        </div>
      )}
    </>
  );
}

export function JsonTree({ value, defaultDepth = 2 }: { value: unknown; defaultDepth?: number }) {
  return (
    <div className="json-tree mono" role="group">
      <Node name={null} value={value} depth={0} defaultDepth={defaultDepth} />
    </div>
  );
}
