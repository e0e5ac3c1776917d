/** The hover card (what is under the cursor) and the range card (what a selected time range contains). */
import type { ReactNode } from 'react';
import { useStore } from '../../store';
import type { ObjectKind } from '../../trace/indexes/refs';
import { KIND_LABEL, own } from '../../trace/indexes/refs';
import { toolKindLabel } from '../../trace/indexes/resolve';
import {
  EDGE_KIND_LABEL,
  HEADER_H,
  isUntracedCompaction,
  SPAN_OBJECT_KIND,
  spanLabel,
  STATUSES,
  timeToX,
  trackScale,
  type Geometry,
  type RangeSummary,
  type TimelineModel,
  type ViewWindow,
} from '../../trace/timeline';
import { Badge, StatusBadge } from '../../ui/Badge';
import { formatClock, formatCompact, formatDuration, formatInt } from '../../ui/format';

export interface HoverInfo {
  span: number;
  edge: number;
  x: number;
  y: number;
}

const CARD_W = 320;

/** Offset from the trace start with a precision that suits its size: `+36.4 ms`, `+1.015 s`, `+2m 05s`. */
export function formatOffset(ms: number, originMs: number): string {
  const d = ms - originMs;
  const sign = d < 0 ? '−' : '+';
  const a = Math.abs(d);
  if (a < 10) return `${sign}${a.toFixed(2)} ms`;
  if (a < 1000) return `${sign}${a.toFixed(a < 100 ? 1 : 0)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(3)} s`;
  return `${sign}${formatDuration(a)}`;
}

function Row({ k, children }: { k: string; children: ReactNode }) {
  return (
    <div className="tl-card-row">
      <span className="tl-card-k">{k}</span>
      <span className="tl-card-v">{children}</span>
    </div>
  );
}

function When({ model, ms }: { model: TimelineModel; ms: number }) {
  return (
    <>
      <span className="mono">{formatClock(ms)}</span> <span className="faint mono">{formatOffset(ms, model.originMs)}</span>
    </>
  );
}

function SpanCard({ model, i }: { model: TimelineModel; i: number }) {
  const { state, indexes } = model;
  const ref = model.spans.refs[i];
  const start = model.spans.start[i];
  const open = model.spans.open[i] === 1;
  const dur = model.spans.end[i] - start;
  const status = STATUSES[model.spans.status[i]];
  const group = model.groups[model.spans.group[i]];
  const untraced = isUntracedCompaction(model, i);
  const instant = ref.kind === 'compaction' || untraced;
  let details: ReactNode = null;
  if (untraced) {
    return (
      <>
        <div className="tl-card-title">{spanLabel(model, i)}</div>
        <div className="tl-card-badges">
          <Badge tone="warn" title="No compaction record in the trace (e.g. local compaction): detected from the request windows">
            untraced
          </Badge>
        </div>
        <Row k="at">
          <When model={model} ms={start} />
        </Row>
        <Row k="agent">
          <span className="mono dim">{group.agentPath}</span>
        </Row>
        <Row k="history">shrank before {spanLabel(model, model.spanIndex[SPAN_OBJECT_KIND.indexOf('inference_call')].get(ref.id) ?? i)}</Row>
      </>
    );
  }
  switch (ref.kind) {
    case 'inference_call': {
      const c = own(state.inference_calls, ref.id);
      if (c) {
        const u = c.usage;
        details = (
          <>
            <Row k="model">{c.model}</Row>
            <Row k="tokens">
              {u ? (
                <span className="mono">
                  {formatInt(u.input_tokens)} in{u.cached_input_tokens ? ` (${formatCompact(u.cached_input_tokens)} cached)` : ''} ·{' '}
                  {formatInt(u.output_tokens)} out
                  {u.reasoning_output_tokens ? ` · ${formatInt(u.reasoning_output_tokens)} reasoning` : ''}
                </span>
              ) : (
                <span className="faint">no usage</span>
              )}
            </Row>
            <Row k="window">
              {c.request_item_ids.length} items in · {c.response_item_ids.length} out
            </Row>
          </>
        );
      }
      break;
    }
    case 'tool_call': {
      const t = own(state.tool_calls, ref.id);
      if (t) {
        details = (
          <>
            <Row k="tool">{toolKindLabel(t.kind)}</Row>
            {t.requester.type === 'code_cell' && <Row k="requester">code cell</Row>}
            {t.summary.type === 'generic' && t.summary.input_preview && (
              <Row k="input">
                <span className="mono tl-clip">{t.summary.input_preview}</span>
              </Row>
            )}
          </>
        );
      }
      break;
    }
    case 'terminal_operation': {
      const op = own(state.terminal_operations, ref.id);
      if (op) {
        details = (
          <>
            <Row k="kind">{op.kind}</Row>
            {op.request.type === 'exec_command' && (
              <Row k="cwd">
                <span className="mono tl-clip">{op.request.cwd}</span>
              </Row>
            )}
            {op.result && <Row k="exit">{op.result.exit_code ?? '—'}</Row>}
          </>
        );
      }
      break;
    }
    case 'terminal_session': {
      const s = own(state.terminal_sessions, ref.id);
      if (s) details = <Row k="operations">{s.operation_ids.length}</Row>;
      break;
    }
    case 'code_cell': {
      const c = own(state.code_cells, ref.id);
      if (c) {
        details = (
          <>
            <Row k="runtime">{c.runtime_status}</Row>
            {c.initial_response_at_unix_ms != null && (
              <Row k="first reply">+{formatDuration(c.initial_response_at_unix_ms - c.execution.started_at_unix_ms)}</Row>
            )}
            <Row k="nested tools">{c.nested_tool_call_ids.length}</Row>
          </>
        );
      }
      break;
    }
    case 'compaction': {
      const c = own(state.compactions, ref.id);
      if (c)
        details = (
          <Row k="history">
            {c.input_item_ids.length} items → {c.replacement_item_ids.length}
          </Row>
        );
      break;
    }
    case 'compaction_request': {
      const r = own(state.compaction_requests, ref.id);
      if (r) details = <Row k="model">{r.model}</Row>;
      break;
    }
    case 'turn': {
      const n = indexes?.inferenceCallsByTurn.get(ref.id)?.length ?? 0;
      const t = indexes?.toolCallsByTurn.get(ref.id)?.length ?? 0;
      details = (
        <Row k="contains">
          {n} inference · {t} tool calls
        </Row>
      );
      break;
    }
  }
  return (
    <>
      <div className="tl-card-title">{spanLabel(model, i)}</div>
      <div className="tl-card-badges">
        <Badge tone="outline">{KIND_LABEL[ref.kind]}</Badge>
        {!instant && <StatusBadge status={status} />}
        {!instant && <span className="mono">{open ? `≥ ${formatDuration(dur)}` : formatDuration(dur)}</span>}
      </div>
      <Row k={instant ? 'at' : 'start'}>
        <When model={model} ms={start} />
      </Row>
      <Row k="agent">
        {group.nickname ? `${group.nickname} ` : ''}
        <span className="mono dim">{group.agentPath}</span>
      </Row>
      {details}
    </>
  );
}

function EdgeCard({ model, e }: { model: TimelineModel; e: number }) {
  const edge = model.edges[e];
  const from = model.groups[edge.srcGroup];
  const to = model.groups[edge.dstGroup];
  return (
    <>
      <div className="tl-card-title">
        {EDGE_KIND_LABEL[edge.kind]} <span className="dim">edge</span>
      </div>
      <Row k="from">
        <span className="mono">{from.agentPath}</span>
      </Row>
      <Row k="to">
        <span className="mono">{to.agentPath}</span>
      </Row>
      <Row k="at">
        <When model={model} ms={edge.srcT} />
      </Row>
      {edge.dstT !== edge.srcT && <Row k="arrived">+{formatDuration(edge.dstT - edge.srcT)}</Row>}
    </>
  );
}

export function HoverCard({ model, info, geo }: { model: TimelineModel; info: HoverInfo; geo: Geometry }) {
  const left = info.x + 16 + CARD_W > geo.width ? Math.max(4, info.x - 16 - CARD_W) : info.x + 16;
  const top = Math.min(info.y + 16, Math.max(HEADER_H, geo.height - 170));
  return (
    <div className="tl-card tl-tooltip" data-testid="timeline-tooltip" style={{ left, top, width: CARD_W }} role="tooltip">
      {info.span >= 0 ? <SpanCard model={model} i={info.span} /> : <EdgeCard model={model} e={info.edge} />}
    </div>
  );
}

const PLURAL: Record<string, string> = {
  turn: 'turns',
  inference_call: 'inference calls',
  tool_call: 'tool calls',
  terminal_operation: 'terminal ops',
  terminal_session: 'terminals',
  code_cell: 'code cells',
  compaction_request: 'compaction requests',
  compaction: 'compactions',
};
const ORDER: ObjectKind[] = ['turn', 'inference_call', 'tool_call', 'terminal_operation', 'code_cell', 'compaction_request', 'compaction', 'terminal_session'];

export function RangeCard({
  summary,
  model,
  geo,
  toWindow,
  onZoom,
  onClear,
}: {
  summary: RangeSummary;
  model: TimelineModel;
  geo: Geometry;
  /** The store viewport → the window shown (the card follows the range as the window moves). */
  toWindow: (v: ViewWindow | null) => ViewWindow;
  onZoom: () => void;
  onClear: () => void;
}) {
  const viewport = useStore((s) => s.viewport);
  const s = trackScale(geo, toWindow(viewport));
  const mid = (timeToX(s, summary.startMs) + timeToX(s, summary.endMs)) / 2;
  const width = 340;
  const left = Math.max(geo.trackX0 + 4, Math.min(geo.width - width - 14, mid - width / 2));
  return (
    <div className="tl-card tl-range" data-testid="timeline-range" style={{ left, bottom: 10, width }}>
      <div className="tl-range-head">
        <strong className="mono" data-testid="timeline-range-duration">
          {formatDuration(summary.endMs - summary.startMs)}
        </strong>
        <span className="faint mono">
          {formatOffset(summary.startMs, model.originMs)} → {formatOffset(summary.endMs, model.originMs)}
        </span>
        <span className="tl-spacer" />
        <button type="button" className="link-btn" onClick={onZoom} title="Zoom to this range (F)">
          Zoom
        </button>
        <button type="button" className="icon-btn" onClick={onClear} aria-label="Clear range" title="Clear range (Esc)">
          ×
        </button>
      </div>
      <div className="tl-range-counts" data-testid="timeline-range-counts">
        {summary.total === 0 ? (
          <span className="faint">Nothing runs in this range.</span>
        ) : (
          ORDER.filter((k) => summary.byKind[k]).map((k) => (
            <span key={k} className="tl-count" data-kind={k}>
              <b>{formatInt(summary.byKind[k]!)}</b> {summary.byKind[k] === 1 ? PLURAL[k].replace(/s$/, '') : PLURAL[k]}
            </span>
          ))
        )}
      </div>
      {(summary.failed > 0 || summary.running > 0 || summary.inputTokens > 0) && (
        <div className="tl-range-foot faint">
          {summary.failed > 0 && <span className="tl-failed">{summary.failed} failed</span>}
          {summary.running > 0 && <span>{summary.running} running</span>}
          {summary.inputTokens > 0 && (
            <span className="mono">
              {formatCompact(summary.inputTokens)} in · {formatCompact(summary.outputTokens)} out tokens
            </span>
          )}
        </div>
      )}
    </div>
  );
}
