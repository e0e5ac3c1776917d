/** The trace's headline figures (data-testid="summary-<name>"). */
import { useStore } from '../store';
import { Badge, StatusBadge } from '../ui/Badge';
import { formatCompact, formatDuration, formatInt } from '../ui/format';

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
  if (!s) return null;
  return (
    <div className="summary-bar" aria-label="Trace summary">
      <Figure name="agents" label={s.agents === 1 ? 'agent' : 'agents'} value={formatInt(s.agents)} />
      <Figure name="turns" label={s.turns === 1 ? 'turn' : 'turns'} value={formatInt(s.turns)} />
      <Figure name="items" label="items" value={formatInt(s.items)} />
      <Figure name="inference-calls" label="inference calls" value={formatInt(s.inferenceCalls)} />
      <Figure name="tool-calls" label="tool calls" value={formatInt(s.toolCalls)} />
      <Figure name="compactions" label={s.compactions === 1 ? 'compaction' : 'compactions'} value={formatInt(s.compactions)} />
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
          <StatusBadge status={s.status} />
        </span>
        {s.status !== 'running' && s.stillRunning > 0 && (
          <Badge tone="warn" title="Objects still running after rollout_ended: the trace was cut short">
            {s.stillRunning} still running
          </Badge>
        )}
      </div>
      {s.recordingComplete !== null && (
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
            {s.schemaReleases ? ` · ${s.schemaReleases}` : ''}
          </Badge>
        </span>
      </div>
    </div>
  );
}
