/** The timeline toolbar: store filters (kinds, status, text), window readout, zoom/fit, collapse, legend. */
import { memo, useEffect, useRef, useState } from 'react';
import { useStore } from '../../store';
import type { ObjectKind } from '../../trace/indexes/refs';
import { clampWindow, EDGE_KIND_LABEL, fullWindow, TOOL_CATEGORIES, type TimelineModel } from '../../trace/timeline';
import { formatDuration, formatInt } from '../../ui/format';

/** Kind chips: each toggles one or more ObjectKinds in the store's kinds filter. */
export const KIND_CHIPS: { id: string; label: string; kinds: ObjectKind[]; swatch: string }[] = [
  { id: 'turns', label: 'Turns', kinds: ['turn'], swatch: 'turn' },
  { id: 'inference', label: 'Inference', kinds: ['inference_call'], swatch: 'inference' },
  { id: 'tools', label: 'Tools', kinds: ['tool_call'], swatch: 'tool-agent' },
  { id: 'terminal', label: 'Terminal', kinds: ['terminal_operation', 'terminal_session'], swatch: 'tool-terminal' },
  { id: 'code', label: 'Code cells', kinds: ['code_cell'], swatch: 'tool-code' },
  { id: 'compaction', label: 'Compaction', kinds: ['compaction_request', 'compaction'], swatch: 'compaction' },
];

export const STATUS_OPTIONS = ['completed', 'failed', 'cancelled', 'running', 'aborted'] as const;

const TOOL_CATEGORY_LABEL: Record<(typeof TOOL_CATEGORIES)[number], string> = {
  terminal: 'exec / stdin',
  patch: 'apply_patch',
  mcp: 'MCP',
  web: 'web / image',
  agent: 'agent tools',
  code: 'code mode (exec, wait)',
  other: 'other tools',
};

function Legend() {
  return (
    <div className="tl-legend" role="dialog" aria-label="Timeline legend" data-testid="timeline-legend">
      <div className="tl-legend-col">
        <div className="tl-legend-title">Inference (by status)</div>
        <div>
          <i className="tl-swatch tl-sw-inference" />
          completed
        </div>
        <div>
          <i className="tl-swatch tl-sw-err" />
          failed
        </div>
        <div>
          <i className="tl-swatch tl-sw-warn" />
          cancelled / aborted
        </div>
        <div>
          <i className="tl-swatch tl-sw-run" />
          running
        </div>
        <div className="tl-legend-title">Other</div>
        <div>
          <i className="tl-swatch tl-sw-turn" />
          turn
        </div>
        <div>
          <i className="tl-swatch tl-sw-session" />
          terminal session
        </div>
        <div>
          <i className="tl-swatch tl-sw-compaction" />
          compaction request · <span className="tl-diamond" /> install
        </div>
        <div>
          <i className="tl-swatch tl-sw-outline-err" />
          failed tool / op (outline)
        </div>
      </div>
      <div className="tl-legend-col">
        <div className="tl-legend-title">Tools (by kind)</div>
        {TOOL_CATEGORIES.map((c) => (
          <div key={c}>
            <i className={`tl-swatch tl-sw-tool-${c}`} />
            {TOOL_CATEGORY_LABEL[c]}
          </div>
        ))}
        <div className="tl-legend-title">Edges</div>
        {(Object.keys(EDGE_KIND_LABEL) as (keyof typeof EDGE_KIND_LABEL)[]).map((k) => (
          <div key={k}>
            <i className={`tl-edge-swatch tl-edge-${k.replace(/_/g, '-')}`} />
            {EDGE_KIND_LABEL[k]}
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * The visible window's length. Follows the store's viewport on its own (so
 * panning does not re-render the toolbar), at most every 100 ms: repainting
 * DOM text every animation frame would cost more than drawing the canvas.
 */
function WindowReadout({ model }: { model: TimelineModel }) {
  const [viewport, setViewport] = useState(() => useStore.getState().viewport);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    setViewport(useStore.getState().viewport);
    const unsub = useStore.subscribe((s, prev) => {
      if (s.viewport === prev.viewport || timer) return;
      timer = setTimeout(() => {
        timer = null;
        setViewport(useStore.getState().viewport);
      }, 100);
    });
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
    };
  }, []);
  const w = viewport ? clampWindow(viewport, model) : fullWindow(model);
  return (
    <span className="tl-window mono" data-testid="timeline-window" title="Visible window / whole trace">
      {formatDuration(w.endMs - w.startMs)}
      <span className="faint"> / {formatDuration(model.endMs - model.startMs)}</span>
    </span>
  );
}

export const TimelineToolbar = memo(function TimelineToolbar({
  model,
  kindsPresent,
  matchCount,
  filtered,
  onZoom,
  onReset,
  anyCollapsed,
  onCollapseAll,
}: {
  model: TimelineModel;
  kindsPresent: ReadonlySet<ObjectKind>;
  matchCount: number;
  filtered: boolean;
  onZoom: (dir: 1 | -1) => void;
  onReset: () => void;
  /** True when some group is collapsed: the button then expands all. */
  anyCollapsed: boolean;
  onCollapseAll: (collapse: boolean) => void;
}) {
  const filters = useStore((s) => s.filters);
  const setFilters = useStore((s) => s.setFilters);
  const resetFilters = useStore((s) => s.resetFilters);
  const [legend, setLegend] = useState(false);
  const legendRef = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!legend) return;
    const onDown = (e: PointerEvent) => {
      if (!legendRef.current?.contains(e.target as Node)) setLegend(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setLegend(false);
        e.preventDefault();
      }
    };
    document.addEventListener('pointerdown', onDown);
    window.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [legend]);

  const chips = KIND_CHIPS.filter((c) => c.kinds.some((k) => kindsPresent.has(k)));
  const isOn = (c: (typeof KIND_CHIPS)[number]) => c.kinds.every((k) => filters.kinds.includes(k));
  const toggle = (c: (typeof KIND_CHIPS)[number]) => {
    const on = isOn(c);
    const rest = filters.kinds.filter((k) => !c.kinds.includes(k as ObjectKind));
    setFilters({ kinds: on ? rest : [...rest, ...c.kinds] });
  };

  return (
    <div className="tl-toolbar" role="toolbar" aria-label="Timeline controls">
      <div className="tl-filters">
        <div className="tl-chips" role="group" aria-label="Show only kinds">
          {chips.map((c) => (
            <button
              key={c.id}
              type="button"
              className={`tl-chip${isOn(c) ? ' is-on' : ''}`}
              aria-pressed={isOn(c)}
              title={`Show only ${c.label.toLowerCase()} (others are dimmed)`}
              onClick={() => toggle(c)}
            >
              <i className={`tl-swatch tl-sw-${c.swatch}`} />
              {c.label}
            </button>
          ))}
        </div>
        <select
          className="tl-select"
          aria-label="Status filter"
          value={filters.statuses.length === 1 ? filters.statuses[0] : filters.statuses.length ? '__multi' : ''}
          onChange={(e) => setFilters({ statuses: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">Any status</option>
          {filters.statuses.length > 1 && <option value="__multi">{filters.statuses.join(', ')}</option>}
          {STATUS_OPTIONS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input
          className="tl-search"
          type="search"
          placeholder="Filter spans…"
          aria-label="Filter spans by text"
          value={filters.text}
          onChange={(e) => setFilters({ text: e.target.value })}
        />
        {filters.threadIds.length > 0 && (
          <button type="button" className="tl-chip is-on" title="Clear the thread filter" onClick={() => setFilters({ threadIds: [] })}>
            {filters.threadIds.length} thread{filters.threadIds.length === 1 ? '' : 's'} ×
          </button>
        )}
      </div>
      {filtered && (
        <span
          className="tl-match"
          data-testid="timeline-match"
          title={`${formatInt(matchCount)} of ${formatInt(model.spans.count)} spans match the filters; the rest are dimmed`}
        >
          <b>{formatInt(matchCount)}</b>/{formatInt(model.spans.count)}
          <button type="button" className="icon-btn tl-clear" aria-label="Clear filters" title="Clear filters" onClick={resetFilters}>
            ×
          </button>
        </span>
      )}
      <WindowReadout model={model} />
      <span className="tl-btns">
        <button type="button" className="icon-btn" title="Zoom out (S)" aria-label="Zoom out" onClick={() => onZoom(-1)}>
          −
        </button>
        <button type="button" className="icon-btn" title="Zoom in (W)" aria-label="Zoom in" onClick={() => onZoom(1)}>
          +
        </button>
        <button type="button" className="icon-btn tl-text-btn" title="Show the whole trace (0)" onClick={onReset}>
          Fit
        </button>
        {model.groups.length > 1 && (
          <button
            type="button"
            className="icon-btn tl-text-btn"
            onClick={() => onCollapseAll(!anyCollapsed)}
            title={anyCollapsed ? 'Expand every agent' : 'Collapse every agent to one summary row'}
          >
            {anyCollapsed ? 'Expand all' : 'Collapse all'}
          </button>
        )}
        <span className="tl-legend-wrap" ref={legendRef}>
          <button type="button" className={`icon-btn tl-text-btn${legend ? ' is-on' : ''}`} aria-expanded={legend} onClick={() => setLegend((v) => !v)}>
            Legend
          </button>
          {legend && <Legend />}
        </span>
      </span>
      <span className="tl-keys faint" aria-hidden="true">
        <kbd>W</kbd>
        <kbd>S</kbd> zoom · <kbd>A</kbd>
        <kbd>D</kbd> pan · <kbd>F</kbd> fit · <kbd>0</kbd> reset · drag axis to measure
      </span>
    </div>
  );
});
