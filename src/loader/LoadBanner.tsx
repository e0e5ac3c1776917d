import { useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useStore } from '../store';
import { formatLocation, seqLabel, type TraceErrorInfo } from '../trace/errors';
import { diagnosticCount, diagnosticRange, type DiagnosticGroup } from '../trace/diagnostics';
import { formatInt } from '../ui/format';
import './loader.css';

function ErrorDetails({ error }: { error: TraceErrorInfo }) {
  const where = formatLocation(error);
  return (
    <>
      {where && (
        <div className="ctv-banner__where" data-testid="load-error-location">
          {error.file && <span data-testid="load-error-file">{error.file}</span>}
          {error.line != null && <span data-testid="load-error-line">line {error.line}</span>}
          {seqLabel(error) != null && <span data-testid="load-error-seq">seq {seqLabel(error)}</span>}
        </div>
      )}
      <div className="ctv-banner__message" data-testid="load-error-message">
        {error.message}
      </div>
      {error.causes.length > 0 && (
        <ul className="ctv-banner__causes">
          {error.causes.map((c, i) => (
            <li key={i}>caused by: {c}</li>
          ))}
        </ul>
      )}
      {error.advice && error.advice.length > 0 && (
        <div className="ctv-banner__advice" data-testid="load-error-advice">
          What to do instead:
          <ul>
            {error.advice.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** Height of one occurrence row (fixed, so the list needs no measuring). */
const OCCURRENCE_ROW_H = 18;

/** A group's kept occurrences, virtualized: a group may keep a thousand, and only a window of them is in the DOM. */
function Occurrences({ group }: { group: DiagnosticGroup }) {
  const ref = useRef<HTMLDivElement>(null);
  const rows = group.sample;
  const height = Math.min(rows.length, 12) * OCCURRENCE_ROW_H + 2;
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => ref.current,
    estimateSize: () => OCCURRENCE_ROW_H,
    initialRect: { width: 0, height },
    overscan: 10,
  });
  return (
    <>
      <div
        className="ctv-banner__occurrences"
        ref={ref}
        role="list"
        aria-label={`Skipped lines of ${group.eventType ?? 'further types'}`}
        data-testid="load-diagnostic-occurrences"
        data-count={rows.length}
        tabIndex={0}
        style={{ height }}
      >
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const o = rows[it.index];
            return (
              <div
                key={it.key}
                role="listitem"
                className="ctv-banner__occurrence"
                data-testid="load-diagnostic-occurrence"
                style={{ height: OCCURRENCE_ROW_H, transform: `translateY(${it.start}px)` }}
              >
                {group.file} line {formatInt(o.line)}
                {o.seq != null && <>, seq {formatInt(o.seq)}</>}
              </div>
            );
          })}
        </div>
      </div>
      {group.omitted > 0 && (
        <div className="ctv-banner__omitted" data-testid="load-diagnostic-omitted">
          The first {formatInt(rows.length)} are listed; {formatInt(group.omitted)} more are not (the last is{' '}
          {diagnosticRange({ ...group, count: 1, first: group.last }, formatInt)}).
        </div>
      )}
    </>
  );
}

/** One row per group; its occurrences are mounted only while the row is open. */
function DiagnosticRow({ group }: { group: DiagnosticGroup }) {
  const [open, setOpen] = useState(false);
  const what =
    group.eventType === null ? (
      `${group.count === 1 ? 'event' : 'events'} of ${group.message}`
    ) : (
      <>
        event{group.count === 1 ? '' : 's'} of type <code>{group.eventType}</code>
      </>
    );
  return (
    <li data-testid="load-diagnostic" data-count={group.count}>
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          Skipped {formatInt(group.count)} {what}, {diagnosticRange(group, formatInt)}
        </summary>
        {open && <Occurrences group={group} />}
      </details>
    </li>
  );
}

function Diagnostics({ diagnostics, stopped }: { diagnostics: DiagnosticGroup[]; stopped: boolean }) {
  const [open, setOpen] = useState(false);
  const n = diagnosticCount(diagnostics);
  const oneType = diagnostics.length === 1 && diagnostics[0].eventType !== null;
  return (
    <details className="ctv-banner ctv-banner--notice" data-testid="load-diagnostics" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        Skipped {formatInt(n)} event{n === 1 ? '' : 's'} of {oneType ? 'an unknown type' : 'unknown types'}
        {stopped ? '.' : '; the rest of the trace was read.'} <span className="ctv-banner__more">Details</span>
      </summary>
      {open && (
        <ul className="ctv-banner__diagnostics">
          {diagnostics.map((g, i) => (
            <DiagnosticRow key={i} group={g} />
          ))}
        </ul>
      )}
    </details>
  );
}

/**
 * What went wrong with the last load. Shows, above whatever was read:
 * a failure that left nothing to show, a stop part-way (the data before it is
 * shown below the banner), skipped unknown events, or a cancelled load.
 */
export function LoadBanner() {
  const openFailure = useStore((s) => s.openFailure);
  return (
    <>
      {openFailure && <OpenFailure label={openFailure.label} error={openFailure.error} />}
      <ShownLoadBanner />
    </>
  );
}

/** A load that failed while a trace was shown: that trace stays, under this. */
function OpenFailure({ label, error }: { label: string; error: TraceErrorInfo }) {
  const shown = useStore((s) => s.bundleLabel);
  const dismiss = useStore((s) => s.dismissOpenFailure);
  return (
    <div className="ctv-banner ctv-banner--error" role="alert" data-testid="load-banner" data-kind="open-failed">
      <div className="ctv-banner__title">
        Could not open {label}; {shown ? <strong>{shown}</strong> : 'the trace'} is still shown.
        <button type="button" className="ctv-banner__dismiss" aria-label="Dismiss" title="Dismiss" onClick={dismiss}>
          ×
        </button>
      </div>
      <ErrorDetails error={error} />
    </div>
  );
}

/** What went wrong with the shown trace's load (or a cancelled one). */
function ShownLoadBanner() {
  const load = useStore((s) => s.load);
  // finishLoad with an error keeps the partial state (phase 'failed'); failLoad leaves none.
  const hasState = useStore((s) => s.state !== null);
  if (load.phase === 'cancelled') {
    return (
      <div className="ctv-banner ctv-banner--notice" role="status" data-testid="load-banner" data-kind="cancelled">
        Loading {load.label ? <strong>{load.label}</strong> : 'the trace'} was cancelled.
      </div>
    );
  }
  if (load.phase === 'failed' && load.error && !hasState) {
    return (
      <div className="ctv-banner ctv-banner--error" role="alert" data-testid="load-banner" data-kind="failed">
        <div className="ctv-banner__title">Could not open {load.label}</div>
        <ErrorDetails error={load.error} />
      </div>
    );
  }
  if (load.phase !== 'ready' && load.phase !== 'failed') return null;
  const diagnostics = load.diagnostics ?? [];
  if (!load.error && diagnostics.length === 0) return null;
  return (
    <div className="ctv-banner-stack">
      {load.error && (
        <div className="ctv-banner ctv-banner--error" role="alert" data-testid="load-banner" data-kind="partial">
          <div className="ctv-banner__title">{load.label} could only be read in part: reading stopped at the problem below. Everything before it is shown.</div>
          <ErrorDetails error={load.error} />
        </div>
      )}
      {diagnostics.length > 0 && <Diagnostics diagnostics={diagnostics} stopped={!!load.error} />}
    </div>
  );
}
