import { useStore } from '../store';
import { traceClient } from '../worker/client';
import { usePickerStore } from './pickerStore';
import { progressFigures, progressLabel, progressPercent } from './progressWords';
import './loader.css';

/** While a trace loads: what, how far (bytes and events), and a Cancel button. */
export function LoadProgress() {
  const load = useStore((s) => s.load);
  const picking = usePickerStore((s) => s.open);
  if (load.phase !== 'loading' || picking) return null;
  const p = load.progress;
  const pct = progressPercent(p);
  return (
    <div className="ctv-load-progress" role="status" aria-live="polite" data-testid="load-progress">
      <div className="ctv-load-progress__text">
        <span className="ctv-load-progress__label">
          {progressLabel(p)} <strong>{load.label}</strong>
        </span>
        <span className="ctv-load-progress__figures" data-testid="load-progress-figures">
          {progressFigures(p)}
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
