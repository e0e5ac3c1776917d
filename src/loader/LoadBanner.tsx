import { useStore } from '../store';
import { seqLabel, type Diagnostic, type TraceErrorInfo } from '../trace/errors';
import { formatLocation } from './format';
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
    </>
  );
}

function Diagnostics({ diagnostics, stopped }: { diagnostics: Diagnostic[]; stopped: boolean }) {
  const types = new Set(diagnostics.map((d) => d.message));
  const n = diagnostics.length;
  return (
    <details className="ctv-banner ctv-banner--notice" data-testid="load-diagnostics">
      <summary>
        Skipped {n} event{n === 1 ? '' : 's'} of {types.size === 1 ? 'an unknown type' : 'unknown types'}
        {stopped ? '.' : '; the rest of the trace was read.'} <span className="ctv-banner__more">Details</span>
      </summary>
      <ul className="ctv-banner__diagnostics">
        {diagnostics.map((d, i) => (
          <li key={i} data-testid="load-diagnostic">
            <span className="ctv-banner__where">
              <span>{d.file}</span>
              <span>line {d.line}</span>
              {seqLabel(d) != null && <span>seq {seqLabel(d)}</span>}
            </span>{' '}
            {d.message}
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * What went wrong with the last load. Shows, above whatever was read:
 * a failure that left nothing to show, a stop part-way (the data before it is
 * shown below the banner), skipped unknown events, or a cancelled load.
 */
export function LoadBanner() {
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
          <div className="ctv-banner__title">
            {load.label} could only be read in part: reading stopped at the problem below. Everything before it is shown.
          </div>
          <ErrorDetails error={load.error} />
        </div>
      )}
      {diagnostics.length > 0 && <Diagnostics diagnostics={diagnostics} stopped={!!load.error} />}
    </div>
  );
}
