import { formatClock, formatDateTime, formatDuration, formatRelative } from './format';

/** A timestamp as wall clock plus offset from the trace start. */
export function TimeText({ ms, startMs }: { ms: number | null | undefined; startMs?: number | null }) {
  if (ms == null) return <span className="dim">—</span>;
  return (
    <span className="time-text" title={`${formatDateTime(ms)} (${new Date(ms).toISOString()})`}>
      <span className="mono">{formatClock(ms)}</span>
      {startMs != null && <span className="time-rel mono">{formatRelative(ms, startMs)}</span>}
    </span>
  );
}

export function DurationText({ ms }: { ms: number | null | undefined }) {
  return <span className="mono">{formatDuration(ms)}</span>;
}
