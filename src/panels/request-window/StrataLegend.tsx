import { STRATA, STRATUM_LABEL, STRATUM_SHORT } from '../../trace/windows/sizes';
import { NONE_HIDDEN } from './strataModel';

/** The chart legend (DOM); each stratum is a toggle that shows or hides it in the bars. */
export function StrataLegend({ hidden = NONE_HIDDEN, onToggle }: { hidden?: ReadonlySet<number>; onToggle?(stratum: number): void }) {
  return (
    <div className="rw-legend" aria-label="Legend">
      {STRATA.map((s, i) => (
        <button
          key={s}
          type="button"
          className={`rw-legend-item rw-legend-toggle${hidden.has(i) ? ' is-hidden' : ''}`}
          aria-pressed={!hidden.has(i)}
          data-testid={`rw-legend-${s}`}
          title={`${STRATUM_LABEL[s]}: ${hidden.has(i) ? 'hidden; click to show it in the bars' : 'click to hide it, so the axis scales to the rest'}`}
          onClick={() => onToggle?.(i)}
        >
          <span className={`rw-swatch rw-sw-${s}`} />
          {STRATUM_SHORT[s]}
        </button>
      ))}
      <span className="rw-legend-item" title="Input tokens reported by the call's usage">
        <span className="rw-line rw-line-input" />
        input tokens
      </span>
      <span className="rw-legend-item" title="Cached input tokens reported by the call's usage">
        <span className="rw-line rw-line-cached" />
        cached
      </span>
      <span className="rw-legend-item">
        <span className="rw-line rw-line-compaction" />
        compaction
      </span>
    </div>
  );
}
