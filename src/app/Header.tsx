import { BundleListButton, LoadControls } from '../loader';
import { selectCanGoBack, selectCanGoForward, useStore } from '../store';
import { CopyId } from '../ui/CopyId';
import { formatDateTime } from '../ui/format';
import { SearchBox } from './SearchBox';
import { ShareControls, ShareNoticeLine } from '../share/ShareControls';
import { SummaryBar } from './SummaryBar';

function Identity() {
  const state = useStore((s) => s.state);
  const label = useStore((s) => s.bundleLabel);
  if (!state) return null;
  return (
    <div className="identity" data-testid="trace-identity">
      <span className="identity-label" title={`Bundle ${label ?? ''}`.trim()} data-testid="bundle-label">
        {label ?? 'trace'}
      </span>
      <span className="identity-sep">·</span>
      <span className="identity-field" title="Rollout id">
        <span className="faint">rollout</span> <CopyId value={state.rollout_id} label="rollout id" short={8} />
      </span>
      <span className="identity-sep">·</span>
      <span className="identity-field identity-time mono" title={new Date(state.started_at_unix_ms).toISOString()}>
        {formatDateTime(state.started_at_unix_ms)}
      </span>
    </div>
  );
}

export function Header({ onHelp }: { onHelp: () => void }) {
  const hasTrace = useStore((s) => s.state !== null);
  const canBack = useStore(selectCanGoBack);
  const canForward = useStore(selectCanGoForward);
  const back = useStore((s) => s.back);
  const forward = useStore((s) => s.forward);
  return (
    <header className="app-header">
      <div className="header-row">
        <div className="brand" aria-label="Codex trace viewer">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">Codex trace viewer</span>
        </div>
        {hasTrace && (
          <div className="nav-buttons" role="group" aria-label="Selection history">
            <button type="button" className="icon-btn" aria-label="Back" title="Back  ( [  or  Alt+← )" disabled={!canBack} onClick={back}>
              ←
            </button>
            <button type="button" className="icon-btn" aria-label="Forward" title="Forward  ( ]  or  Alt+→ )" disabled={!canForward} onClick={forward}>
              →
            </button>
          </div>
        )}
        <BundleListButton />
        <Identity />
        <div className="header-spacer" />
        {hasTrace && <SearchBox />}
        {hasTrace && <ShareControls />}
        {hasTrace && <LoadControls />}
        <button type="button" className="icon-btn help-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts  ( ? )" onClick={onHelp}>
          ?
        </button>
      </div>
      {hasTrace && <SummaryBar />}
      <ShareNoticeLine />
    </header>
  );
}
