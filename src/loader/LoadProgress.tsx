import { useStore } from '../store';
import { traceClient } from '../worker/client';
import { usePickerStore } from './pickerStore';
import { formatBytes } from '../ui/format';
import { formatInt } from '../ui/format';
import './loader.css';

/** While a trace loads: what, how far (bytes and events), and a Cancel button. */
export function LoadProgress() {
  const load = useStore((s) => s.load);
  const picking = usePickerStore((s) => s.open);
  if (load.phase !== 'loading' || picking) return null;
  const p = load.progress;
  const total = p?.bytesTotal ?? 0;
  const done = Math.min(p?.bytesDone ?? 0, total || Infinity);
  const pct = total > 0 ? Math.round((done / total) * 100) : null;
  return (
    <div className="ctv-load-progress" role="status" aria-live="polite" data-testid="load-progress">
      <div className="ctv-load-progress__text">
        <span className="ctv-load-progress__label">
          {p?.phase === 'server' ? 'Reducing on the server' : p?.phase === 'receiving' ? 'Receiving the reduced state of' : 'Loading'}{' '}
          <strong>{load.label}</strong>
        </span>
        <span className="ctv-load-progress__figures" data-testid="load-progress-figures">
          {p
            ? p.phase === 'walking'
              ? `reading files… ${formatInt(p.filesDone ?? 0)} so far (${formatBytes(done)})`
              : p.phase === 'receiving'
                ? `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''}`
                : `${formatBytes(done)}${total ? ` of ${p.phase === 'reading' ? '≈' : ''}${formatBytes(total)}` : ''} · ${formatInt(p.eventsDone)} events`
            : 'reading files…'}
        </span>
      </div>
      <div
        className="ctv-load-progress__bar"
        role="progressbar"
        aria-label="Trace loading progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        data-indeterminate={pct === null || undefined}
      >
        <div className="ctv-load-progress__fill" style={{ width: pct === null ? undefined : `${pct}%` }} />
      </div>
      <button type="button" className="ctv-btn ctv-btn--small" onClick={() => traceClient.cancel()} data-testid="load-cancel">
        Cancel
      </button>
    </div>
  );
}
