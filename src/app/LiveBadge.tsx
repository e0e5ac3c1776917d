import { useEffect, useState } from 'react';
import { useStore } from '../store';
import { formatInt } from '../ui/format';
import { traceClient } from '../worker/client';

/**
 * The header's sign that the trace follows its bundle while Codex records it,
 * with the way to hold updates (a reader in the middle of something) and to
 * take them again.
 */
/** No write for this long: the bundle is followed still, but nothing is being recorded (Codex waits, or is gone). */
const IDLE_MS = 60_000;

export function LiveBadge() {
  const live = useStore((s) => s.live);
  const now = useNow(live !== null && live.status !== 'ended' && live.writtenAt !== null);
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
  const idleMin = live.writtenAt !== null && now - live.writtenAt >= IDLE_MS ? Math.floor((now - live.writtenAt) / 60_000) : null;
  return (
    <span
      className={`live-badge ${paused ? 'live-paused' : idleMin !== null ? 'live-idle' : 'live-following'}`}
      data-testid="live-badge"
      data-status={live.status}
      title={
        idleMin !== null
          ? `Nothing was written to this bundle for ${idleMin} min: Codex is waiting, or no longer recording it. New writes still show.`
          : undefined
      }
    >
      <span className="live-dot" aria-hidden="true" />
      <span>
        Live · {paused ? 'paused' : idleMin !== null ? `idle ${idleMin} min` : 'following'} ·{' '}
        <span data-testid="live-events">{formatInt(live.shownEvents)}</span> events
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

/** The time now, again every few seconds while `ticking`. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, [ticking]);
  return now;
}
