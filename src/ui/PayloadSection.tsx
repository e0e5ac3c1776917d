/** One raw payload, collapsible; the file is read only when the section is opened. */
import { payloadLocation } from '../trace/bundle/payloads';
import { useEffect, useState } from 'react';
import type { PayloadRole } from '../trace/indexes/build';
import type { RawPayloadRef } from '../trace/schema/common';
import { Badge } from './Badge';
import { CopyId } from './CopyId';
import { JsonTree } from './JsonTree';
import { RefLink } from './RefLink';
import { usePayloadReader } from './payloadReader';

type Load = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; value: unknown } | { status: 'error'; message: string };

const ROLE_LABEL: Record<PayloadRole, string> = {
  request: 'Request',
  prepared_prompt: 'Prepared prompt',
  response: 'Response',
  invocation: 'Invocation',
  result: 'Result',
  runtime: 'Runtime',
  initial_response: 'Initial response',
  checkpoint: 'Checkpoint',
  metadata: 'Session metadata',
  carried: 'Carried',
  body: 'Body',
};

export function PayloadSection({
  payloadId,
  payload,
  role,
  inferred,
  defaultOpen = false,
}: {
  payloadId: string;
  payload: RawPayloadRef | undefined;
  role: PayloadRole | null;
  inferred?: boolean;
  defaultOpen?: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const [load, setLoad] = useState<Load>({ status: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const { read } = usePayloadReader();
  const path = payload ? payloadLocation(payload) : null;
  // Read by id: the worker finds the payload wherever the bundle's generation keeps it.
  const id = payload?.raw_payload_id ?? null;

  useEffect(() => {
    if (!open || !id) return;
    let live = true;
    setLoad({ status: 'loading' });
    read(id).then(
      (value) => live && setLoad({ status: 'ok', value }),
      (err: unknown) => live && setLoad({ status: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [open, id, read, attempt]);

  const title = role ? ROLE_LABEL[role] : 'Payload';
  return (
    <div className={`payload${open ? ' is-open' : ''}`} data-testid={`payload-${payloadId}`}>
      <div className="payload-head">
        <button type="button" className="payload-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="caret">{open ? '▾' : '▸'}</span>
          <span className="payload-role">{title}</span>
          {payload && <span className="payload-kind">{payload.kind.type.replace(/_/g, ' ')}</span>}
          {inferred && (
            <Badge tone="outline" title="Not recorded in the reduced state; paired by order">
              inferred
            </Badge>
          )}
        </button>
        <span className="payload-id">
          {role ? <RefLink target={{ kind: 'raw_payload', id: payloadId }}>{payloadId.replace('raw_payload:', '#')}</RefLink> : <CopyId value={payloadId} />}
        </span>
      </div>
      {open && (
        <div className="payload-body">
          {!payload && <div className="dim">This payload is not listed in the trace's raw_payloads.</div>}
          {payload && (
            <div className="payload-path faint">
              <CopyId value={payloadLocation(payload)} label="location" />
            </div>
          )}
          {load.status === 'loading' && <div className="dim">Reading {path}…</div>}
          {load.status === 'error' && (
            <div className="payload-error" role="alert">
              Could not read {path}: {load.message}{' '}
              <button type="button" className="link-btn" onClick={() => setAttempt(attempt + 1)}>
                Retry
              </button>
            </div>
          )}
          {load.status === 'ok' && <JsonTree value={load.value} />}
        </div>
      )}
    </div>
  );
}
