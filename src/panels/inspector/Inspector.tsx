/**
 * The inspector: everything about the selected object — its fields, its links
 * to related objects (click to select), and its raw payloads (read on demand).
 */
import { payloadLocation } from '../../trace/bundle/payloads';
import { generationOf } from '../../trace/schema/generations';
import { useMemo, useState, type ReactNode } from 'react';
import { selectShownTraceError, useStore } from '../../store';
import { payloadsOf, type TraceIndexes } from '../../trace/indexes/build';
import { relatedLinks, type LinkGroup } from '../../trace/indexes/links';
import { getObject, KIND_LABEL, type ObjectRef, own } from '../../trace/indexes/refs';
import { labelOf, toolKindLabel } from '../../trace/indexes/resolve';
import type { ExecutionWindow, RolloutTrace, ToolCall } from '../../trace/schema/state';
import { Badge, StatusBadge } from '../../ui/Badge';
import { BodyParts } from '../../ui/BodyParts';
import { CopyId } from '../../ui/CopyId';
import { formatDuration, formatInt } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { DurationText, TimeText } from '../../ui/TimeText';
import { TruncatedText } from '../../ui/TruncatedText';
import { PayloadSection } from '../../ui/PayloadSection';
import { RolloutStatusBadge } from '../../ui/RolloutStatusBadge';
import './inspector.css';

const LINK_PREVIEW = 12;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="kv-row">
      <div className="kv-key">{label}</div>
      <div className="kv-val">{children}</div>
    </div>
  );
}

function Section({ title, children, count, testId }: { title: string; children: ReactNode; count?: number; testId?: string }) {
  return (
    <section className="insp-section" data-testid={testId}>
      <h3 className="insp-section-title">
        {title}
        {count != null && <span className="faint"> {count}</span>}
      </h3>
      {children}
    </section>
  );
}

function Mono({ v }: { v: string | number | null | undefined }) {
  return v == null || v === '' ? <span className="faint">—</span> : <span className="mono">{String(v)}</span>;
}

function Execution({ w, start }: { w: ExecutionWindow; start: number }) {
  const dur = w.ended_at_unix_ms != null ? w.ended_at_unix_ms - w.started_at_unix_ms : null;
  return (
    <>
      <Row label="Status">
        <StatusBadge status={w.status} />
      </Row>
      <Row label="Started">
        <TimeText ms={w.started_at_unix_ms} startMs={start} />
      </Row>
      <Row label="Ended">{w.ended_at_unix_ms != null ? <TimeText ms={w.ended_at_unix_ms} startMs={start} /> : <span className="faint">not ended</span>}</Row>
      <Row label="Duration">{dur != null ? <DurationText ms={dur} /> : <span className="faint">—</span>}</Row>
      <Row label="Seq">
        <span className="mono">
          {w.started_seq} → {w.ended_seq ?? '…'}
        </span>
      </Row>
    </>
  );
}

function ToolSummary({ t }: { t: ToolCall }) {
  const s = t.summary;
  switch (s.type) {
    case 'terminal':
      return (
        <Row label="Summary">
          terminal <RefLink target={{ kind: 'terminal_operation', id: s.operation_id }} />
        </Row>
      );
    case 'agent':
      return (
        <>
          <Row label="Target agent">
            <Mono v={s.target_agent_path} />
          </Row>
          <Row label="Task name">
            <Mono v={s.task_name} />
          </Row>
          {s.message_preview != null && (
            <Row label="Message">
              <TruncatedText text={s.message_preview} limit={300} />
            </Row>
          )}
        </>
      );
    case 'wait_agent':
      return (
        <>
          <Row label="Target agent">
            <Mono v={s.target_agent_path} />
          </Row>
          <Row label="Timeout">{s.timeout_ms != null ? formatDuration(s.timeout_ms) : <span className="faint">—</span>}</Row>
        </>
      );
    case 'generic':
      return (
        <>
          <Row label="Label">
            <Mono v={s.label} />
          </Row>
          {s.input_preview != null && (
            <Row label="Input">
              <TruncatedText text={s.input_preview} limit={400} mono />
            </Row>
          )}
          {s.output_preview != null && (
            <Row label="Output">
              <TruncatedText text={s.output_preview} limit={400} mono />
            </Row>
          )}
        </>
      );
  }
}

function Fields({ state, target: r }: { state: RolloutTrace; target: ObjectRef }) {
  const start = state.started_at_unix_ms;
  switch (r.kind) {
    case 'thread': {
      const t = getObject(state, r)!;
      return (
        <>
          <Row label="Thread id">
            <CopyId value={t.thread_id} />
          </Row>
          <Row label="Agent path">
            <Mono v={t.agent_path} />
          </Row>
          <Row label="Nickname">{t.nickname ?? <span className="faint">—</span>}</Row>
          <Row label="Origin">
            {t.origin.type === 'root' ? (
              <Badge>root</Badge>
            ) : (
              <span>
                <Badge tone="info">spawned</Badge> task <span className="mono">{t.origin.task_name}</span>
                {t.origin.agent_role && (
                  <>
                    {' '}
                    · role <span className="mono">{t.origin.agent_role}</span>
                  </>
                )}
              </span>
            )}
          </Row>
          <Row label="Model">
            <Mono v={t.default_model} />
          </Row>
          <Row label="Items">{formatInt(t.conversation_item_ids.length)}</Row>
          <Execution w={t.execution} start={start} />
        </>
      );
    }
    case 'turn': {
      const t = getObject(state, r)!;
      return (
        <>
          <Row label="Turn id">
            <CopyId value={t.codex_turn_id} />
          </Row>
          <Row label="Thread">
            <RefLink target={{ kind: 'thread', id: t.thread_id }} />
          </Row>
          <Execution w={t.execution} start={start} />
        </>
      );
    }
    case 'conversation_item': {
      const it = getObject(state, r)!;
      return (
        <>
          <Row label="Item id">
            <CopyId value={it.item_id} />
          </Row>
          {it.responses_item_id && (
            <Row label="Responses id">
              <CopyId value={it.responses_item_id} />
            </Row>
          )}
          <Row label="Role / kind">
            <span className={`role-badge role-${it.role}`}>{it.role}</span> <Badge tone="outline">{it.kind.replace(/_/g, ' ')}</Badge>
          </Row>
          <Row label="Channel">
            <Mono v={it.channel} />
          </Row>
          <Row label="Accepted">
            {it.accepted_at_unix_ms != null ? (
              <span>
                <TimeText ms={it.accepted_at_unix_ms} startMs={start} /> <span className="faint mono">seq {it.accepted_seq}</span>
              </span>
            ) : (
              <Badge tone="warn" title="No history_item_accepted event named this item">
                not accepted
              </Badge>
            )}
          </Row>
          <Row label="First seen">
            <TimeText ms={it.first_seen_at_unix_ms} startMs={start} />
          </Row>
          <Row label="Call id">{it.call_id ? <CopyId value={it.call_id} /> : <span className="faint">—</span>}</Row>
          {it.agent_message && (
            <Row label="Agent message">
              <span className="mono">{it.agent_message.author}</span> → <span className="mono">{it.agent_message.recipient}</span>
            </Row>
          )}
          <Row label="Body">
            <BodyParts parts={it.body.parts} limit={1200} />
          </Row>
        </>
      );
    }
    case 'inference_call': {
      const c = getObject(state, r)!;
      const u = c.usage;
      return (
        <>
          <Row label="Call id">
            <CopyId value={c.inference_call_id} />
          </Row>
          <Row label="Model">
            <Mono v={c.model} /> <span className="faint">{c.provider_name}</span>
          </Row>
          <Row label="Response id">{c.response_id ? <CopyId value={c.response_id} /> : <span className="faint">—</span>}</Row>
          <Row label="Upstream request">{c.upstream_request_id ? <CopyId value={c.upstream_request_id} /> : <span className="faint">—</span>}</Row>
          <Row label="Window">
            {formatInt(c.request_item_ids.length)} items in → {formatInt(c.response_item_ids.length)} out
          </Row>
          <Row label="Usage">
            {u ? (
              <span className="usage mono">
                <span title="input tokens">in {formatInt(u.input_tokens)}</span>
                <span title="cached input tokens" className="dim">
                  cached {formatInt(u.cached_input_tokens)}
                </span>
                {u.cache_write_input_tokens > 0 && <span className="dim">cache-write {formatInt(u.cache_write_input_tokens)}</span>}
                <span title="output tokens">out {formatInt(u.output_tokens)}</span>
                {u.reasoning_output_tokens > 0 && <span className="dim">reasoning {formatInt(u.reasoning_output_tokens)}</span>}
              </span>
            ) : (
              <span className="faint">no usage reported</span>
            )}
          </Row>
          <Execution w={c.execution} start={start} />
        </>
      );
    }
    case 'tool_call': {
      const t = getObject(state, r)!;
      return (
        <>
          <Row label="Tool call id">
            <CopyId value={t.tool_call_id} />
          </Row>
          <Row label="Tool">
            <span className="mono">{toolKindLabel(t.kind)}</span>
          </Row>
          <ToolSummary t={t} />
          <Row label="Requester">{t.requester.type === 'model' ? 'model' : <RefLink target={{ kind: 'code_cell', id: t.requester.code_cell_id }} />}</Row>
          {t.model_visible_call_id && (
            <Row label="Model call id">
              <CopyId value={t.model_visible_call_id} />
            </Row>
          )}
          {t.mcp_call_id && (
            <Row label="MCP call id">
              <CopyId value={t.mcp_call_id} />
            </Row>
          )}
          {t.code_mode_runtime_tool_id && (
            <Row label="Runtime tool id">
              <CopyId value={t.code_mode_runtime_tool_id} />
            </Row>
          )}
          {t.started_code_cell_id && Object.hasOwn(state.code_cells, t.started_code_cell_id) && (
            <Row label="Started cell">
              <RefLink target={{ kind: 'code_cell', id: t.started_code_cell_id }} />
            </Row>
          )}
          {t.resolved_wait_runtime_cell_id !== undefined && (
            <Row label="Waited for">
              <WaitTarget state={state} threadId={t.thread_id} runtimeCellId={t.resolved_wait_runtime_cell_id} />
            </Row>
          )}
          <Execution w={t.execution} start={start} />
        </>
      );
    }
    case 'terminal_operation': {
      const op = getObject(state, r)!;
      const req = op.request;
      const res = op.result;
      return (
        <>
          <Row label="Operation id">
            <CopyId value={op.operation_id} />
          </Row>
          <Row label="Kind">
            <Badge tone="outline">{op.kind}</Badge>
          </Row>
          {req.type === 'exec_command' ? (
            <>
              <Row label="Command">
                <TruncatedText text={req.display_command} limit={400} mono />
              </Row>
              <Row label="Cwd">
                <Mono v={req.cwd} />
              </Row>
            </>
          ) : (
            <Row label="Stdin">
              <TruncatedText text={req.stdin} limit={400} mono />
            </Row>
          )}
          <Row label="Yield / max">
            <span className="mono">
              {req.yield_time_ms ?? '—'} ms / {req.max_output_tokens ?? '—'} tok
            </span>
          </Row>
          {res ? (
            <>
              <Row label="Exit code">
                {res.exit_code == null ? <span className="faint">—</span> : <Badge tone={res.exit_code === 0 ? 'ok' : 'err'}>{res.exit_code}</Badge>}
              </Row>
              {res.stdout && (
                <Row label="Stdout">
                  <TruncatedText text={res.stdout} limit={600} mono />
                </Row>
              )}
              {res.stderr && (
                <Row label="Stderr">
                  <TruncatedText text={res.stderr} limit={600} mono />
                </Row>
              )}
              {res.formatted_output != null && (
                <Row label="Formatted output">
                  <TruncatedText text={res.formatted_output} limit={600} mono />
                </Row>
              )}
              {res.original_token_count != null && <Row label="Tokens">{formatInt(res.original_token_count)}</Row>}
              {res.chunk_id && (
                <Row label="Chunk id">
                  <CopyId value={res.chunk_id} />
                </Row>
              )}
            </>
          ) : (
            <Row label="Result">
              <span className="faint">no result</span>
            </Row>
          )}
          <Execution w={op.execution} start={start} />
        </>
      );
    }
    case 'terminal_session': {
      const s = getObject(state, r)!;
      return (
        <>
          <Row label="Terminal id">
            <CopyId value={s.terminal_id} />
          </Row>
          <Row label="Operations">{s.operation_ids.length}</Row>
          <Execution w={s.execution} start={start} />
        </>
      );
    }
    case 'code_cell': {
      const c = getObject(state, r)!;
      return (
        <>
          <Row label="Code cell id">
            <CopyId value={c.code_cell_id} />
          </Row>
          <Row label="Runtime status">
            <StatusBadge status={c.runtime_status} />
          </Row>
          {c.runtime_cell_id && (
            <Row label="Runtime cell id">
              <CopyId value={c.runtime_cell_id} />
            </Row>
          )}
          <Row label="Initial response">
            {c.initial_response_at_unix_ms != null ? (
              <span>
                <TimeText ms={c.initial_response_at_unix_ms} startMs={start} />{' '}
                {c.initial_response_status && <StatusBadge status={c.initial_response_status} />}
              </span>
            ) : (
              <span className="faint">—</span>
            )}
          </Row>
          <Row label="Yielded">{c.yielded_at_unix_ms != null ? <TimeText ms={c.yielded_at_unix_ms} startMs={start} /> : <span className="faint">—</span>}</Row>
          <Row label="Source">
            <TruncatedText text={c.source_js} limit={800} mono />
          </Row>
          <Execution w={c.execution} start={start} />
        </>
      );
    }
    case 'compaction': {
      const c = getObject(state, r)!;
      return (
        <>
          <Row label="Compaction id">
            <CopyId value={c.compaction_id} />
          </Row>
          <Row label="Installed">
            <TimeText ms={c.installed_at_unix_ms} startMs={start} />
          </Row>
          <Row label="Replaced">{c.input_item_ids.length} items</Row>
          <Row label="Installed items">{c.replacement_item_ids.length} items</Row>
          <Row label="Attempts">{c.request_ids.length}</Row>
        </>
      );
    }
    case 'compaction_request': {
      const q = getObject(state, r)!;
      return (
        <>
          <Row label="Request id">
            <CopyId value={q.compaction_request_id} />
          </Row>
          <Row label="Model">
            <Mono v={q.model} /> <span className="faint">{q.provider_name}</span>
          </Row>
          <Execution w={q.execution} start={start} />
        </>
      );
    }
    case 'interaction_edge': {
      const e = getObject(state, r)!;
      return (
        <>
          <Row label="Edge id">
            <CopyId value={e.edge_id} />
          </Row>
          <Row label="Kind">
            <Badge tone="info">{e.kind.replace(/_/g, ' ')}</Badge>
          </Row>
          <Row label="Started">
            <TimeText ms={e.started_at_unix_ms} startMs={start} />
          </Row>
          <Row label="Ended">{e.ended_at_unix_ms != null ? <TimeText ms={e.ended_at_unix_ms} startMs={start} /> : <span className="faint">—</span>}</Row>
          {e.ended_at_unix_ms != null && (
            <Row label="Duration">
              <DurationText ms={e.ended_at_unix_ms - e.started_at_unix_ms} />
            </Row>
          )}
        </>
      );
    }
    case 'raw_payload': {
      const p = getObject(state, r)!;
      return (
        <>
          <Row label="Payload id">
            <CopyId value={p.raw_payload_id} />
          </Row>
          <Row label="Kind">
            <Badge tone="outline">{p.kind.type.replace(/_/g, ' ')}</Badge>
          </Row>
          <Row label={p.path !== undefined ? 'Path' : 'Stored in'}>
            <CopyId value={payloadLocation(p)} label="location" />
          </Row>
          {p.parts && (
            <Row label="Parts">
              <span className="insp-parts" title="Schema 3 stores this payload as text fragments with these payloads spliced between them">
                {p.parts.map((part, i) => (
                  <RefLink key={`${i}:${part.raw_payload_id}`} target={{ kind: 'raw_payload', id: part.raw_payload_id }} />
                ))}
              </span>
            </Row>
          )}
        </>
      );
    }
  }
}

function LinkGroupView({ g }: { g: LinkGroup }) {
  const [all, setAll] = useState(false);
  const refs = all ? g.refs : g.refs.slice(0, LINK_PREVIEW);
  return (
    <div className="link-group" data-testid={`links-${g.key}`}>
      <div className="link-group-label">
        {g.label}
        {g.refs.length > 1 && <span className="faint"> {g.refs.length}</span>}
        {g.note && <span className="faint"> · {g.note}</span>}
      </div>
      <ul className="link-list">
        {refs.map((r) => (
          <li key={`${r.kind}:${r.id}`}>
            <RefLink target={r} />
          </li>
        ))}
      </ul>
      {g.refs.length > LINK_PREVIEW && (
        <button type="button" className="link-btn" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${g.refs.length}`}
        </button>
      )}
    </div>
  );
}

function statusOf(state: RolloutTrace, r: ObjectRef): string | null {
  const o = getObject(state, r) as { execution?: ExecutionWindow } | undefined;
  return o?.execution?.status ?? null;
}

function Overview({ state, indexes }: { state: RolloutTrace; indexes: TraceIndexes | null }) {
  const start = state.started_at_unix_ms;
  const stoppedAt = useStore(selectShownTraceError);
  return (
    <div className="insp-empty">
      <p className="dim">Nothing selected. Click a row in any panel to inspect it; links here select related objects.</p>
      <Section title="Trace">
        <div className="kv">
          <Row label="Trace id">
            <CopyId value={state.trace_id} />
          </Row>
          <Row label="Rollout id">
            <CopyId value={state.rollout_id} />
          </Row>
          <Row label="Root thread">
            <RefLink target={{ kind: 'thread', id: state.root_thread_id }} />
          </Row>
          <Row label="Status">
            <RolloutStatusBadge status={state.status} stoppedAt={stoppedAt} />
          </Row>
          <Row label="Started">
            <TimeText ms={start} />
          </Row>
          <Row label="Ended">
            {state.ended_at_unix_ms != null ? <TimeText ms={state.ended_at_unix_ms} startMs={start} /> : <span className="faint">not ended</span>}
          </Row>
          <Row label="Schema">
            <Mono v={state.schema_version} />
            {generationOf(state.schema_version) && (
              <span className="faint">
                {' '}
                written by {generationOf(state.schema_version)!.releases}; reduced as Codex {generationOf(state.schema_version)!.reference} does
              </span>
            )}
          </Row>
          <Row label="Payloads">{formatInt(Object.keys(state.raw_payloads).length)}</Row>
        </div>
      </Section>
      {indexes && (
        <Section title="Threads" count={indexes.threadTree.order.length}>
          <ul className="link-list">
            {indexes.threadTree.order.map((id) => (
              <li key={id}>
                <RefLink target={{ kind: 'thread', id }} />
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}

export function Inspector() {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  const selection = useStore((s) => s.selection);
  const select = useStore((s) => s.select);

  const links = useMemo(
    () => (state && indexes && selection && getObject(state, selection) ? relatedLinks(state, indexes, selection) : []),
    [state, indexes, selection],
  );

  if (!state) return <div className="inspector insp-empty dim">No trace loaded.</div>;
  if (!selection) {
    return (
      <div className="inspector">
        <Overview state={state} indexes={indexes} />
      </div>
    );
  }
  const obj = getObject(state, selection);
  if (!obj) {
    return (
      <div className="inspector">
        <div className="insp-head">
          <Badge tone="outline">{KIND_LABEL[selection.kind]}</Badge>
          <span className="mono">{selection.id}</span>
        </div>
        <p className="dim insp-pad">This {KIND_LABEL[selection.kind].toLowerCase()} is not in the loaded trace.</p>
        <button type="button" className="btn insp-pad" onClick={() => select(null)}>
          Clear selection
        </button>
      </div>
    );
  }
  const status = statusOf(state, selection);
  const payloads = indexes ? payloadsOf(indexes, selection) : [];
  return (
    <div className="inspector" data-testid="inspector">
      <div className="insp-head">
        <Badge tone="accent">{KIND_LABEL[selection.kind]}</Badge>
        <h2 className="insp-title" title={selection.id}>
          {labelOf(state, indexes, selection)}
        </h2>
        {status && <StatusBadge status={status} />}
      </div>
      <div className="insp-scroll">
        <Section title="Fields" testId="inspector-fields">
          <div className="kv">
            <Fields state={state} target={selection} />
          </div>
        </Section>
        {links.length > 0 && (
          <Section title="Related" testId="inspector-links">
            {links.map((g) => (
              <LinkGroupView key={g.key} g={g} />
            ))}
          </Section>
        )}
        {(payloads.length > 0 || selection.kind === 'raw_payload') && (
          <Section title="Raw payloads" count={selection.kind === 'raw_payload' ? 1 : payloads.length} testId="inspector-payloads">
            {selection.kind === 'raw_payload' ? (
              <PayloadSection key={selection.id} payloadId={selection.id} payload={own(state.raw_payloads, selection.id)} role={null} defaultOpen />
            ) : (
              payloads.map((p) => (
                <PayloadSection
                  key={`${selection.kind}:${selection.id}:${p.payloadId}`}
                  payloadId={p.payloadId}
                  payload={own(state.raw_payloads, p.payloadId)}
                  role={p.role}
                  inferred={p.inferred}
                />
              ))
            )}
          </Section>
        )}
      </div>
    </div>
  );
}

/** Schema 3 names the runtime cell a `wait` tool waited for; link it to that thread's code cell when there is one. */
function WaitTarget({ state, threadId, runtimeCellId }: { state: RolloutTrace; threadId: string; runtimeCellId: string }) {
  const cell = Object.values(state.code_cells).find((c) => c.thread_id === threadId && c.runtime_cell_id === runtimeCellId);
  return cell ? <RefLink target={{ kind: 'code_cell', id: cell.code_cell_id }} /> : <span className="mono">runtime cell {runtimeCellId}</span>;
}
