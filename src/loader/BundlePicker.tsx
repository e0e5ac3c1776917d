import { useStore } from '../store';
import { traceClient } from '../worker/client';
import { setPickerOpen, usePickerStore, type BundleInfo } from './pickerStore';
import { formatBytes } from '../ui/format';
import { formatStart } from './format';
import { generationOf } from '../trace/schema/generations';
import './loader.css';

function Row({ b, current }: { b: BundleInfo; current: boolean }) {
  const open = () => {
    if (b.problem) return;
    // A served bundle opens by its URL name; a dropped folder's bundle is picked from the worker's scan.
    if (usePickerStore.getState().source === 'served') {
      setPickerOpen(false);
      void traceClient.loadUrl(b.name);
    } else void traceClient.pick(b.key);
  };
  return (
    <li
      className={`ctv-picker__row${b.problem ? '' : ' is-openable'}${current ? ' is-current' : ''}`}
      data-testid="bundle-option"
      data-key={b.key}
      aria-current={current || undefined}
      onClick={open}
    >
      <div className="ctv-picker__main">
        <div className="ctv-picker__name">{b.name}</div>
        <div className="ctv-picker__meta">
          <span>{formatStart(b.startedAtUnixMs)}</span>
          {b.sizeBytes !== null && <span>{formatBytes(b.sizeBytes)}</span>}
          {b.schemaVersion !== null && (
            <span
              title={generationOf(b.schemaVersion)?.releases ? `written by ${generationOf(b.schemaVersion)!.releases}` : 'no Codex release writes this schema'}
            >
              schema {b.schemaVersion}
            </span>
          )}
          {current && <span className="ctv-picker__current">open now</span>}
        </div>
        {b.problem && <div className="ctv-picker__problem">{b.problem.message}</div>}
      </div>
      <button
        type="button"
        className="ctv-btn"
        disabled={!!b.problem}
        onClick={(e) => {
          e.stopPropagation();
          open();
        }}
        aria-label={`Open ${b.name}`}
      >
        Open
      </button>
    </li>
  );
}

/**
 * The bundles to choose from: those of a dropped folder, archive or trace
 * root, or those `codex-trace-viewer serve` serves. One list per rollout (a
 * resumed session writes one bundle per process, sharing the rollout id).
 * After a pick the list is kept: the header's "Bundles" button reopens it.
 */
export function BundlePicker() {
  const { groups, label, open, source } = usePickerStore();
  const hasTrace = useStore((s) => s.state !== null);
  const shownName = useStore((s) => (source === 'served' ? s.servedName : s.bundleLabel));
  if (!groups || !open) return null;
  const count = groups.reduce((n, g) => n + g.bundles.length, 0);
  // Waiting for a choice on a drop: Cancel drops the list. Otherwise the list only closes.
  const closes = hasTrace || source === 'served';
  return (
    <section className="ctv-picker" aria-label="Choose a trace bundle" data-testid="bundle-picker" data-source={source ?? undefined}>
      <header className="ctv-picker__header">
        <div>
          <h2 className="ctv-picker__title">Choose a bundle</h2>
          <div className="ctv-picker__subtitle">
            {label} holds {count} trace bundles
            {groups.length > 1 ? ` from ${groups.length} sessions` : ' from one session'}.
          </div>
        </div>
        {(hasTrace || source !== 'served') && (
          <button type="button" className="ctv-btn ctv-btn--small" onClick={() => (closes ? setPickerOpen(false) : traceClient.cancel())}>
            {closes ? 'Close' : 'Cancel'}
          </button>
        )}
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
              <Row key={b.key} b={b} current={hasTrace && shownName !== null && b.name === shownName} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** The way back to the bundle list once a bundle from it is open (or failed to open). */
export function BundleListButton() {
  const { groups, open } = usePickerStore();
  if (!groups || open) return null;
  const count = groups.reduce((n, g) => n + g.bundles.length, 0);
  if (count < 2) return null;
  return (
    <button
      type="button"
      className="ctv-btn bundles-btn"
      data-testid="show-bundles"
      title="Show the list of bundles, to open another"
      onClick={() => setPickerOpen(true)}
    >
      {count} bundles
    </button>
  );
}
