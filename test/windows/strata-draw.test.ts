/**
 * What the strata chart paints, read from a recording 2D context: one stacked
 * bar per call, as tall as its window; a hidden stratum leaves no trace in
 * the bars and the axis scales to the rest; the focused call is outlined.
 */
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../../src/trace/indexes/build';
import { getWindowAnalysis } from '../../src/trace/windows/analysis';
import { STRATA, STRATUM_COUNT } from '../../src/trace/windows/sizes';
import { buildStrataGeometry } from '../../src/panels/request-window/strataGeometry';
import { NONE_HIDDEN, PAD, defaultHiddenStrata, strataFrame } from '../../src/panels/request-window/strataModel';
import { drawStrata, type Colors } from '../../src/panels/request-window/strataDraw';
import { loadState } from '../panels/helpers';
import { recordingContext } from '../recording-context';

const COLORS: Colors = {
  strata: STRATA.map((_, i) => `#s${i}`),
  input: '#input',
  cached: '#cached',
  compaction: '#compaction',
  grid: '#grid',
  axis: '#axis',
  text: '#text',
  focus: '#focus',
  lifetime: '#lifetime',
  life: '#life',
  hover: '#hover',
  bg: '#bg',
};

function setup(name: string, opts: { hidden?: ReadonlySet<number>; focus?: number } = {}) {
  const state = loadState(name);
  const analysis = getWindowAnalysis(state, buildTraceIndexes(state));
  const thread = analysis.threads.get(state.root_thread_id)!;
  const geometry = buildStrataGeometry(analysis, thread, 'calls');
  const frame = strataFrame({
    width: 800,
    height: 200,
    view: geometry.domain,
    geometry,
    thread,
    analysis,
    metric: 'bytes',
    xMode: 'calls',
    focusedCallId: opts.focus !== undefined ? thread.calls[opts.focus] : null,
    lifetime: null,
    hidden: opts.hidden ?? NONE_HIDDEN,
  });
  const { ctx, recording } = recordingContext({ width: 800, height: 200 });
  drawStrata(ctx, frame, COLORS);
  return { thread, frame, recording };
}

const INSTRUCTIONS = STRATA.indexOf('instructions');

describe('drawStrata, recorded', () => {
  it('long-session: each call is a stack as tall as its window, on the left axis', () => {
    const { thread, frame, recording } = setup('long-session');
    const bars = recording.rects.filter((r) => r.op === 'fillRect' && r.style.startsWith('#s'));
    for (let i = 0; i < thread.calls.length; i++) {
      const x = frame.toX(frame.geometry.mid[i]);
      const mine = bars.filter((r) => r.x <= x && x <= r.x + r.w);
      const painted = mine.reduce((h, r) => h + r.h, 0);
      const expected = (thread.totals[i] / frame.leftTop) * frame.plotH;
      expect(Math.abs(painted - expected), `call ${i + 1}`).toBeLessThanOrEqual(mine.length * 0.75 + 0.01);
      // Stacked from the axis up: the lowest segment starts at the plot's bottom.
      expect(Math.max(...mine.map((r) => r.y + r.h))).toBeCloseTo(PAD.top + frame.plotH, 5);
    }
  });

  it('multi-agent: the instructions start hidden; hidden, they are not painted and the tallest bar fills the axis', () => {
    const hiddenByDefault = setup('multi-agent').thread;
    expect([...defaultHiddenStrata(hiddenByDefault)]).toEqual([INSTRUCTIONS]);
    const all = setup('multi-agent');
    const without = setup('multi-agent', { hidden: new Set([INSTRUCTIONS]) });
    expect(all.recording.rects.some((r) => r.style === `#s${INSTRUCTIONS}`)).toBe(true);
    expect(without.recording.rects.some((r) => r.style === `#s${INSTRUCTIONS}`)).toBe(false);
    // The axis follows what is shown: without 21 KB of instructions the top tick is far lower.
    expect(without.frame.leftTop).toBeLessThan(all.frame.leftTop / 10);
    const t = without.thread;
    let tallest = 0;
    for (let i = 0; i < t.calls.length; i++) {
      let v = 0;
      for (let s = 0; s < STRATUM_COUNT; s++) if (s !== INSTRUCTIONS) v += t.strata[i * STRATUM_COUNT + s];
      tallest = Math.max(tallest, v);
    }
    expect(tallest / without.frame.leftTop).toBeGreaterThan(0.5);
  });

  it('the focused call is outlined, and only it', () => {
    const none = setup('long-session');
    expect(none.recording.rects.filter((r) => r.op === 'strokeRect' && r.style === '#focus')).toEqual([]);
    const { frame, recording } = setup('long-session', { focus: 3 });
    const outlines = recording.rects.filter((r) => r.op === 'strokeRect' && r.style === '#focus');
    expect(outlines).toHaveLength(1);
    const x = frame.toX(frame.geometry.mid[3]);
    expect(outlines[0].x).toBeLessThan(x);
    expect(outlines[0].x + outlines[0].w).toBeGreaterThan(x);
  });
});
