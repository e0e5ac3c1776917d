import { useStore, type LoadProgress as Progress } from '../store';
import { traceClient } from '../worker/client';
import { usePickerStore } from './pickerStore';
import { formatBytes } from '../ui/format';
import { formatInt } from '../ui/format';
import './loader.css';

/** How far the load is, in words: files walked, bytes read or received, events replayed. */
function figures(p: Progress | null, done: number, total: number): string {
  if (!p) return 'reading files…';
  if (p.phase === 'walking') return `reading files… ${formatInt(p.filesDone ?? 0)} so far (${formatBytes(done)})`;
  if (p.phase === 'receiving') return `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''}`;
  return `${formatBytes(done)}${total ? ` of ${p.phase === 'reading' ? '≈' : ''}${formatBytes(total)}` : ''} · ${formatInt(p.eventsDone)} events`;
}

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
          {figures(p, done, total)}
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
