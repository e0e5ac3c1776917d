import { formatLocation, type TraceErrorInfo } from '../trace/errors';
import { Badge, StatusBadge } from './Badge';
import { formatInt } from './format';

/**
 * A rollout's status, or, for a state the reducer stopped short of, where it
 * stopped: that state is what was read before the bad event, so the rollout
 * it records as running is not running.
 */
export function RolloutStatusBadge({ status, stoppedAt }: { status: string; stoppedAt: TraceErrorInfo | null }) {
  if (!stoppedAt) return <StatusBadge status={status} />;
  return (
    <Badge tone="warn" title={`The reducer stopped at ${formatLocation(stoppedAt)}: ${stoppedAt.message}. Everything before it is shown.`}>
      partial · stopped at {stoppedAt.line != null ? `line ${formatInt(stoppedAt.line)}` : stoppedAt.file || 'an error'}
    </Badge>
  );
}
