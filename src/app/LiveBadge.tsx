import { useStore } from '../store';
import { formatInt } from '../ui/format';
import { traceClient } from '../worker/client';

/**
 * The header's sign that the trace follows its bundle while Codex records it,
 * with the way to hold updates (a reader in the middle of something) and to
 * take them again.
 */
export function LiveBadge() {
  const live = useStore((s) => s.live);
  if (!live) return null;
  const held = Math.max(0, live.eventsApplied - live.shownEvents);
  // Once the recording completed, the summary's "recording complete" says it all.
  if (live.status === 'ended')
    return live.note ? (
      <span className="live-badge live-ended" data-testid="live-badge" data-status="ended" title={live.note}>
        Live · stopped · {formatInt(live.shownEvents)} events
      </span>
    ) : null;
  const paused = live.status === 'paused';
  return (
    <span className={`live-badge ${paused ? 'live-paused' : 'live-following'}`} data-testid="live-badge" data-status={live.status} role="status">
      <span className="live-dot" aria-hidden="true" />
      <span>
        Live · {paused ? 'paused' : 'following'} · <span data-testid="live-events">{formatInt(live.shownEvents)}</span> events
      </span>
      {paused && held > 0 && (
        <span className="live-held" data-testid="live-held">
          · {formatInt(held)} new {held === 1 ? 'event' : 'events'}
        </span>
      )}
      <button
        type="button"
        className="live-toggle"
        data-testid="live-toggle"
        title={paused ? 'Apply what was recorded meanwhile and follow again' : 'Hold updates; the recording goes on being read'}
        onClick={() => traceClient.setLivePaused(!paused)}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
    </span>
  );
}
