import { traceClient } from '../worker/client';
import { usePickerStore, type BundleInfo } from './pickerStore';
import { formatBytes } from '../ui/format';
import { formatStart } from './format';
import { generationOf } from '../trace/schema/generations';
import './loader.css';

function Row({ b }: { b: BundleInfo }) {
  return (
    <li className="ctv-picker__row" data-testid="bundle-option" data-key={b.key}>
      <div className="ctv-picker__main">
        <div className="ctv-picker__name">{b.name}</div>
        <div className="ctv-picker__meta">
          <span>{formatStart(b.startedAtUnixMs)}</span>
          {b.threadCount !== null && (
            <span>
              {b.threadCount} thread{b.threadCount === 1 ? '' : 's'}
            </span>
          )}
          <span>{formatBytes(b.sizeBytes)}</span>
          {b.schemaVersion !== null && (
            <span title={generationOf(b.schemaVersion)?.releases ? `written by ${generationOf(b.schemaVersion)!.releases}` : 'no Codex release writes this schema'}>
              schema {b.schemaVersion}
            </span>
          )}
        </div>
        {b.problem && <div className="ctv-picker__problem">{b.problem.message}</div>}
      </div>
      <button type="button" className="ctv-btn" disabled={!!b.problem} onClick={() => void traceClient.pick(b.key)} aria-label={`Open ${b.name}`}>
        Open
      </button>
    </li>
  );
}

/**
 * Shown when the dropped files held several bundles: one list per rollout
 * (a resumed session writes one bundle per process, sharing the rollout id).
 */
export function BundlePicker() {
  const { groups, label } = usePickerStore();
  if (!groups) return null;
  const count = groups.reduce((n, g) => n + g.bundles.length, 0);
  return (
    <section className="ctv-picker" aria-label="Choose a trace bundle" data-testid="bundle-picker">
      <header className="ctv-picker__header">
        <div>
          <h2 className="ctv-picker__title">Choose a bundle</h2>
          <div className="ctv-picker__subtitle">
            {label} holds {count} trace bundles
            {groups.length > 1 ? ` from ${groups.length} sessions` : ' from one session'}.
          </div>
        </div>
        <button type="button" className="ctv-btn ctv-btn--small" onClick={() => traceClient.cancel()}>
          Cancel
        </button>
      </header>
      {groups.map((g) => (
        <div key={g.rolloutId ?? '(none)'} className="ctv-picker__group" data-testid="bundle-group">
          <div className="ctv-picker__group-title">
            {g.rolloutId ? (
              <>
                Rollout <code>{g.rolloutId}</code>
                {g.bundles.length > 1 && ` · ${g.bundles.length} bundles (resumed session)`}
              </>
            ) : (
              'Not loadable'
            )}
          </div>
          <ul className="ctv-picker__list">
            {g.bundles.map((b) => (
              <Row key={b.key} b={b} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
