/** The strata chart's pure geometry and view math (src/panels/request-window/strataGeometry.ts, strataZoom.ts). */
import { describe, expect, it } from 'vitest';
import { barAt, firstVisible, type StrataGeometry } from '../../src/panels/request-window/strataGeometry';
import { brushView, isZoomed, panBy, viewShowing, zoomAt } from '../../src/panels/request-window/strataZoom';

// Three bars by time: [0, 10], [20, 30], [100, 110]; domain [-1, 111].
const g: StrataGeometry = {
  n: 3,
  lo: Float64Array.from([0, 20, 100]),
  hi: Float64Array.from([10, 30, 110]),
  mid: Float64Array.from([5, 25, 105]),
  domain: [-1, 111],
};

describe('strata chart geometry', () => {
  it('finds the first bar ending at or after a position', () => {
    expect([firstVisible(g, -5), firstVisible(g, 15), firstVisible(g, 30), firstVisible(g, 200)]).toEqual([0, 1, 1, 3]);
  });
  it('picks the bar under a position, else the nearest within the tolerance', () => {
    expect(barAt(g, 25, 'time', 2)).toBe(1);
    expect(barAt(g, 31.5, 'time', 2)).toBe(1);
    expect(barAt(g, 60, 'time', 2)).toBeNull();
    expect(barAt(g, 1.7, 'calls', 0)).toBe(1);
    expect(barAt(g, 3.2, 'calls', 0)).toBeNull();
  });
});

describe('strata chart view', () => {
  it('zooms around a point and never past the domain', () => {
    const v = zoomAt([-1, 111], g.domain, 55, -400, 'time');
    expect(v[1] - v[0]).toBeLessThan(112);
    expect(isZoomed(v, g.domain)).toBe(true);
    expect(zoomAt(v, g.domain, 55, 10_000, 'time')).toEqual(g.domain);
  });
  it('pans inside the domain, keeping the span', () => {
    expect(panBy([10, 20], g.domain, 500)).toEqual([101, 111]);
    expect(panBy([10, 20], g.domain, -500)).toEqual([-1, 9]);
  });
  it('zooms to a brush only when it is wide enough, to at least the minimum span', () => {
    expect(brushView(10, 10.1, 'time')).toBeNull();
    expect(brushView(10, 10.5, 'time')).toEqual([10, 11]);
    expect(brushView(1, 5, 'calls')).toEqual([1, 5]);
  });
  it('moves the view to show a bar outside it', () => {
    expect(viewShowing([0, 40], g, 1)).toBeNull();
    expect(viewShowing([0, 40], g, 2)).toEqual([71, 111]);
  });
});
