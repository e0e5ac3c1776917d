/**
 * What the timeline paints, read from a recording 2D context: every span in
 * view is a rect where the layout puts it, in its kind's colour; agents and
 * spans are labelled; the selection is outlined; spans a filter leaves out
 * are dimmed, not dropped.
 */
import { describe, expect, it } from 'vitest';
import { buildTraceIndexes } from '../../src/trace/indexes/build';
import { buildTimelineModel, edgePaths, findSpan, fullWindow, geometry, layoutRows, overviewBins, spanRect, SK } from '../../src/trace/timeline';
import { drawTimeline, type Frame } from '../../src/panels/timeline/draw';
import { readPalette } from '../../src/panels/timeline/palette';
import { loadState } from '../panels/helpers';
import { recordingContext, type DrawnRect } from '../recording-context';

function frameFor(name: string, patch: Partial<Frame> = {}): Frame {
  const state = loadState(name);
  const model = buildTimelineModel(state, buildTraceIndexes(state));
  const layout = layoutRows(model, new Set());
  const geo = geometry(1200, 600);
  const window = fullWindow({ startMs: model.startMs, endMs: model.endMs });
  return {
    model,
    layout,
    geo,
    window,
    scrollTop: 0,
    palette: readPalette(null),
    mask: null,
    selectedSpan: -1,
    selectedEdge: -1,
    selectedGroup: -1,
    hoverSpan: -1,
    hoverEdge: -1,
    activeGroup: 0,
    range: null,
    cursorX: null,
    overview: overviewBins(model, 400),
    edges: edgePaths(model, layout, geo, window, 0),
    ...patch,
  };
}

const near = (a: number, b: number, tol = 1.01) => Math.abs(a - b) <= tol;
/** The filled rects covering (x, y) of the span's rect, in paint order. */
function fillsAt(rects: DrawnRect[], r: { x: number; y: number; w: number; h: number }) {
  const cx = r.x + Math.min(r.w, 4) / 2;
  const cy = r.y + r.h / 2;
  return rects.filter((d) => (d.op === 'fill' || d.op === 'fillRect') && d.x <= cx && cx <= d.x + d.w && d.y <= cy && cy <= d.y + d.h && d.w < 1000);
}

describe('drawTimeline, recorded', () => {
  it('multi-agent: each span in view is filled where the layout puts it; both agents and the turns are labelled', () => {
    const f = frameFor('multi-agent');
    const { ctx, recording } = recordingContext();
    drawTimeline(ctx, f);
    const { model, layout, geo, window } = f;
    let checked = 0;
    for (let i = 0; i < model.spans.count; i++) {
      const r = spanRect(model, layout, geo, window, 0, i);
      if (!r || r.y < geo.bodyTop || r.y + r.h > geo.height) continue;
      const fills = fillsAt(recording.rects, r);
      expect(fills.length, `span ${i} (${model.spans.kind[i]}) at ${JSON.stringify(r)}`).toBeGreaterThan(0);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    const texts = recording.texts.map((t) => t.text);
    expect(texts).toContain('/root');
    expect(texts.some((t) => t.startsWith('Anscombe'))).toBe(true);
    expect(texts).toContain('Turn 1');
  });

  it('inference spans are painted in the inference colour', () => {
    const f = frameFor('multi-agent');
    const { ctx, recording } = recordingContext();
    drawTimeline(ctx, f);
    const call = Object.keys(loadState('multi-agent').inference_calls)[0];
    const i = findSpan(f.model, { kind: 'inference_call', id: call });
    const r = spanRect(f.model, f.layout, f.geo, f.window, 0, i)!;
    expect(fillsAt(recording.rects, r).map((d) => d.style)).toContain(f.palette.inference);
  });

  it('the selected span is outlined; nothing is outlined without a selection', () => {
    const base = frameFor('multi-agent');
    const call = Object.keys(loadState('multi-agent').inference_calls)[1];
    const i = findSpan(base.model, { kind: 'inference_call', id: call });
    const r = spanRect(base.model, base.layout, base.geo, base.window, 0, i)!;
    const outlinesAround = (rects: DrawnRect[]) =>
      rects.filter((d) => (d.op === 'stroke' || d.op === 'strokeRect') && near(d.x, r.x, 3) && near(d.y, r.y, 3) && near(d.w, r.w, 6));
    const plain = recordingContext();
    drawTimeline(plain.ctx, base);
    expect(outlinesAround(plain.recording.rects)).toEqual([]);
    const picked = recordingContext();
    drawTimeline(picked.ctx, { ...base, selectedSpan: i });
    expect(outlinesAround(picked.recording.rects).length).toBeGreaterThan(0);
  });

  it('spans a filter leaves out are drawn dimmed, the others at full strength', () => {
    const base = frameFor('multi-agent');
    const mask = new Uint8Array(base.model.spans.count);
    const keep = findSpan(base.model, { kind: 'inference_call', id: Object.keys(loadState('multi-agent').inference_calls)[0] });
    mask[keep] = 1;
    const { ctx, recording } = recordingContext();
    drawTimeline(ctx, { ...base, mask });
    const kept = spanRect(base.model, base.layout, base.geo, base.window, 0, keep)!;
    expect(fillsAt(recording.rects, kept).some((d) => d.alpha === 1 && d.style === base.palette.inference)).toBe(true);
    let dimmed = 0;
    for (let i = 0; i < base.model.spans.count; i++) {
      if (i === keep || base.model.spans.kind[i] !== SK.inference) continue;
      const r = spanRect(base.model, base.layout, base.geo, base.window, 0, i);
      if (!r) continue;
      const fills = fillsAt(recording.rects, r).filter((d) => d.style === base.palette.inference);
      expect(fills.length).toBeGreaterThan(0);
      expect(fills.every((d) => d.alpha < 0.5)).toBe(true);
      dimmed++;
    }
    expect(dimmed).toBeGreaterThan(2);
  });
});
