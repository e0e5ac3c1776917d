/** The trace's headline figures (data-testid="summary-<name>"). */
import { useEffect, useState } from 'react';
import { selectShownTraceError, useStore } from '../store';
import { getCompactionAnalysis } from '../trace/compaction';
import { Badge } from '../ui/Badge';
import { formatCompact, formatDuration, formatInt } from '../ui/format';
import { RolloutStatusBadge } from '../ui/RolloutStatusBadge';
import { LiveBadge } from './LiveBadge';

function Figure({ name, label, value, title }: { name: string; label: string; value: React.ReactNode; title?: string }) {
  return (
    <div className="figure" title={title}>
      <span className="figure-value" data-testid={`summary-${name}`}>
        {value}
      </span>
      <span className="figure-label">{label}</span>
    </div>
  );
}

export function SummaryBar() {
  const s = useStore((st) => st.indexes?.summary ?? null);
  const state = useStore((st) => st.state);
  const indexes = useStore((st) => st.indexes);
  const loadError = useStore(selectShownTraceError);
  /** Being recorded and followed: the Live badge stands for "recording incomplete". */
  const recording = useStore((st) => st.live !== null && st.live.status !== 'ended');
  // The analysis is cached; it runs in a task of its own (the header paints first, see staging.tsx).
  const [untraced, setUntraced] = useState(0);
  useEffect(() => {
    setUntraced(0);
    if (!state || !indexes) return;
    const t = setTimeout(() => setUntraced(getCompactionAnalysis(state, indexes).counts.untraced), 0);
    return () => clearTimeout(t);
  }, [state, indexes]);
  if (!s) return null;
  return (
    <div className="summary-bar" aria-label="Trace summary">
      <Figure name="agents" label={s.agents === 1 ? 'agent' : 'agents'} value={formatInt(s.agents)} />
      <Figure name="turns" label={s.turns === 1 ? 'turn' : 'turns'} value={formatInt(s.turns)} />
      <Figure name="items" label="items" value={formatInt(s.items)} />
      <Figure name="inference-calls" label="inference calls" value={formatInt(s.inferenceCalls)} />
      <Figure name="tool-calls" label="tool calls" value={formatInt(s.toolCalls)} />
      <Figure
        name="compactions"
        label={s.compactions === 1 ? 'compaction' : 'compactions'}
        value={formatInt(s.compactions)}
        title="Compactions the trace records (installed)"
      />
      {untraced > 0 && (
        <Figure
          name="untraced-compactions"
          label="untraced"
          value={`+${formatInt(untraced)}`}
          title={`${untraced} more compaction${untraced === 1 ? '' : 's'} with no record in the trace (e.g. local compaction, which records none), detected from the request windows; the Compactions tab lists them with the recorded ones`}
        />
      )}
      <Figure
        name="tokens"
        label="tokens"
        value={formatCompact(s.totalTokens)}
        title={`${formatInt(s.totalTokens)} tokens = ${formatInt(s.inputTokens)} input + ${formatInt(s.outputTokens)} output`}
      />
      <Figure
        name="wall-time"
        label="wall time"
        value={formatDuration(s.wallTimeMs)}
        title={s.wallTimeSource === 'ended' ? 'rollout_ended − start' : 'no rollout_ended: last recorded event − start'}
      />
      <div className="figure">
        <span data-testid="summary-status">
          <RolloutStatusBadge status={s.status} stoppedAt={loadError} />
        </span>
        {s.status !== 'running' && s.stillRunning > 0 && (
          <Badge tone="warn" title="Objects still running after rollout_ended: the trace was cut short">
            {s.stillRunning} still running
          </Badge>
        )}
      </div>
      <LiveBadge />
      {s.recordingComplete !== null && !recording && (
        <div className="figure" title="Whether a recording_completed event was written">
          <span data-testid="summary-recording">
            {s.recordingComplete ? <Badge tone="ok">recording complete</Badge> : <Badge tone="warn">recording incomplete</Badge>}
          </span>
        </div>
      )}
      <div className="figure" title={s.schemaReleases ? `Trace schema ${s.schemaVersion} is written by ${s.schemaReleases}` : undefined}>
        <span data-testid="summary-schema">
          <Badge tone="outline">
            schema {s.schemaVersion}
            {s.schemaReleases && <span className="figure-extra"> · {s.schemaReleases}</span>}
          </Badge>
        </span>
      </div>
    </div>
  );
}
