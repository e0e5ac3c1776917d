/** The strata chart's tooltip: one call's window by stratum, its usage and what it added or dropped (text nodes only). */
import type { RolloutTrace } from '../../trace/schema/state';
import type { ThreadWindows, WindowAnalysis } from '../../trace/windows/analysis';
import { STRATA, STRATUM_COUNT, STRATUM_LABEL, estimateTokens } from '../../trace/windows/sizes';
import { formatBytes, formatDuration, formatInt, formatRelative } from '../../ui/format';
import type { ChartMetric } from './strataModel';

export function StrataTip({
  state,
  analysis,
  thread,
  index,
  metric,
}: {
  state: RolloutTrace;
  analysis: WindowAnalysis;
  thread: ThreadWindows;
  index: number;
  metric: ChartMetric;
}) {
  const c = analysis.calls.get(thread.calls[index])!;
  const fmt = (b: number) => (metric === 'tokens' ? `≈${formatInt(estimateTokens(b))}` : formatBytes(b));
  return (
    <>
      <div className="rw-tip-head">
        <strong>Inference {c.ordinal}</strong>
        <span className="faint">{formatRelative(c.startMs, state.started_at_unix_ms)}</span>
        <span className="faint">{formatDuration(c.durationMs)}</span>
      </div>
      <div className="rw-tip-grid">
        {STRATA.map((s, k) => {
          const v = thread.strata[index * STRATUM_COUNT + k];
          if (v <= 0) return null;
          return (
            <div key={s} className="rw-tip-row">
              <span className={`rw-swatch rw-sw-${s}`} />
              <span>{STRATUM_LABEL[s]}</span>
              <span className="mono">{fmt(v)}</span>
            </div>
          );
        })}
        <div className="rw-tip-row rw-tip-total">
          <span />
          <span>{c.items} items</span>
          <span className="mono">{fmt(c.bytes)}</span>
        </div>
      </div>
      <div className="rw-tip-foot">
        {c.usage ? (
          <span>
            input <b className="mono">{formatInt(c.usage.input_tokens)}</b> · cached <b className="mono">{formatInt(c.usage.cached_input_tokens)}</b> · out{' '}
            <b className="mono">{formatInt(c.usage.output_tokens)}</b>
          </span>
        ) : (
          <span className="faint">no usage reported</span>
        )}
        <span>
          <span className="rw-plus">+{c.added}</span> <span className="rw-minus">−{c.dropped}</span>
          {c.compactionsBefore.length > 0 && <span className="rw-tip-comp"> after compaction</span>}
          {c.unexplained > 0 && <span className="rw-warn-text"> · {c.unexplained} unexplained</span>}
        </span>
      </div>
    </>
  );
}
