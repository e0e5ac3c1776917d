/**
 * A 2D canvas context that records what is drawn instead of drawing it, so a
 * test can assert the picture a user would see: which rects were filled in
 * which colour, which text was written where, what was outlined. happy-dom has
 * no 2D context; the e2e tests only count painted pixels. (Firefox Profiler
 * tests its charts the same way.)
 *
 * Paths are flattened: `rect` / `moveTo` / `lineTo` / `arc` calls are kept
 * with the path and reported with the fill or stroke that paints them.
 */

export interface DrawnRect {
  op: 'fillRect' | 'strokeRect' | 'clearRect' | 'fill' | 'stroke';
  x: number;
  y: number;
  w: number;
  h: number;
  style: string;
  alpha: number;
}

export interface DrawnText {
  text: string;
  x: number;
  y: number;
  style: string;
  font: string;
  align: string;
  alpha: number;
}

type PathPart =
  { kind: 'rect'; x: number; y: number; w: number; h: number } | { kind: 'point'; x: number; y: number } | { kind: 'arc'; x: number; y: number; r: number };

/** The draw calls a test reads, in order. */
export interface Recording {
  rects: DrawnRect[];
  texts: DrawnText[];
  /** Every call by name, for the rarer assertions (setLineDash, clip…). */
  calls: { name: string; args: unknown[] }[];
}

interface StyleState {
  fillStyle: string;
  strokeStyle: string;
  globalAlpha: number;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  transform: [number, number, number, number, number, number];
}

/** Average glyph width used by `measureText`: enough for layout code that fits labels to a width. */
export const GLYPH_W = 6;

export function recordingContext(canvas: { width: number; height: number } = { width: 1200, height: 600 }): {
  ctx: CanvasRenderingContext2D;
  recording: Recording;
} {
  const recording: Recording = { rects: [], texts: [], calls: [] };
  let st: StyleState = {
    fillStyle: '#000000',
    strokeStyle: '#000000',
    globalAlpha: 1,
    lineWidth: 1,
    font: '10px sans-serif',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    transform: [1, 0, 0, 1, 0, 0],
  };
  const stack: StyleState[] = [];
  let path: PathPart[] = [];

  const pathBounds = (): { x: number; y: number; w: number; h: number } => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const add = (x: number, y: number) => {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    };
    for (const p of path) {
      if (p.kind === 'rect') {
        add(p.x, p.y);
        add(p.x + p.w, p.y + p.h);
      } else if (p.kind === 'arc') {
        add(p.x - p.r, p.y - p.r);
        add(p.x + p.r, p.y + p.r);
      } else add(p.x, p.y);
    }
    return Number.isFinite(x0) ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : { x: 0, y: 0, w: 0, h: 0 };
  };
  /** Each rect of the path as its own entry (batched fills draw many rects in one path), else the path's bounds. */
  const paintPath = (op: 'fill' | 'stroke') => {
    const style = op === 'fill' ? st.fillStyle : st.strokeStyle;
    const rects = path.filter((p): p is Extract<PathPart, { kind: 'rect' }> => p.kind === 'rect');
    if (rects.length > 0 && rects.length === path.length)
      for (const r of rects) recording.rects.push({ op, x: r.x, y: r.y, w: r.w, h: r.h, style, alpha: st.globalAlpha });
    else recording.rects.push({ op, ...pathBounds(), style, alpha: st.globalAlpha });
  };

  const target: Record<string, unknown> = {
    canvas,
    save: () => stack.push({ ...st, transform: [...st.transform] }),
    restore: () => {
      st = stack.pop() ?? st;
    },
    setTransform: (...a: number[]) => {
      st.transform = [a[0], a[1], a[2], a[3], a[4], a[5]];
    },
    resetTransform: () => {
      st.transform = [1, 0, 0, 1, 0, 0];
    },
    beginPath: () => {
      path = [];
    },
    closePath: () => {},
    rect: (x: number, y: number, w: number, h: number) => path.push({ kind: 'rect', x, y, w, h }),
    roundRect: (x: number, y: number, w: number, h: number) => path.push({ kind: 'rect', x, y, w, h }),
    moveTo: (x: number, y: number) => path.push({ kind: 'point', x, y }),
    lineTo: (x: number, y: number) => path.push({ kind: 'point', x, y }),
    bezierCurveTo: (_a: number, _b: number, _c: number, _d: number, x: number, y: number) => path.push({ kind: 'point', x, y }),
    quadraticCurveTo: (_a: number, _b: number, x: number, y: number) => path.push({ kind: 'point', x, y }),
    arc: (x: number, y: number, r: number) => path.push({ kind: 'arc', x, y, r }),
    ellipse: (x: number, y: number, rx: number) => path.push({ kind: 'arc', x, y, r: rx }),
    fill: () => paintPath('fill'),
    stroke: () => paintPath('stroke'),
    clip: () => {},
    fillRect: (x: number, y: number, w: number, h: number) => recording.rects.push({ op: 'fillRect', x, y, w, h, style: st.fillStyle, alpha: st.globalAlpha }),
    strokeRect: (x: number, y: number, w: number, h: number) =>
      recording.rects.push({ op: 'strokeRect', x, y, w, h, style: st.strokeStyle, alpha: st.globalAlpha }),
    clearRect: (x: number, y: number, w: number, h: number) => recording.rects.push({ op: 'clearRect', x, y, w, h, style: '', alpha: 1 }),
    fillText: (text: string, x: number, y: number) =>
      recording.texts.push({ text: String(text), x, y, style: st.fillStyle, font: st.font, align: st.textAlign, alpha: st.globalAlpha }),
    strokeText: () => {},
    measureText: (text: string) => ({ width: String(text).length * GLYPH_W, actualBoundingBoxAscent: 8, actualBoundingBoxDescent: 2 }),
    setLineDash: () => {},
    getLineDash: () => [],
    createLinearGradient: () => ({ addColorStop: () => {} }),
    drawImage: () => {},
  };
  const styleKeys = new Set(['fillStyle', 'strokeStyle', 'globalAlpha', 'lineWidth', 'font', 'textAlign', 'textBaseline']);
  const ctx = new Proxy(target, {
    get(t, key: string) {
      if (styleKeys.has(key)) return st[key as keyof StyleState];
      const v = t[key];
      if (typeof v === 'function')
        return (...args: unknown[]) => {
          recording.calls.push({ name: key, args });
          return (v as (...a: unknown[]) => unknown)(...args);
        };
      return v;
    },
    set(t, key: string, value) {
      if (styleKeys.has(key)) (st as unknown as Record<string, unknown>)[key] = value;
      else t[key] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, recording };
}
