/**
 * Canvas drawing of the strata chart, from a frame the component computes:
 * the base layer (grid, axes, stacked bars, compaction marks, token lines,
 * the focused call, the selected item's lifetime) and the overlay (hover
 * column, brush) that pointer moves redraw alone.
 */
import { STRATUM_COUNT } from '../../trace/windows/sizes';
import { axisBytes, axisCount, axisTime, ordinalStep, timeStep } from './chartScale';
import { PAD, type StrataFrame } from './strataModel';
import { firstVisible } from './strataGeometry';

export interface Colors {
  strata: string[];
  input: string;
  cached: string;
  compaction: string;
  grid: string;
  axis: string;
  text: string;
  focus: string;
  lifetime: string;
  life: string;
  hover: string;
  bg: string;
}

export function drawStrata(ctx: CanvasRenderingContext2D, f: StrataFrame, colors: Colors): void {
  const {
    height,
    plotW,
    plotH,
    view,
    geometry,
    thread,
    usageOf,
    metric,
    unit,
    leftTicks,
    leftTop,
    rightTicks,
    rightTop,
    sharedAxis,
    focusedIndex,
    life,
    hidden,
    shownTotals,
    xMode,
    anyCached,
    toX,
  } = f;
  ctx.font = '10.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const y = (v: number, top: number) => PAD.top + plotH - (v / top) * plotH;

  // grid + left axis
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const t of leftTicks) {
    const yy = Math.round(y(t, leftTop)) + 0.5;
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left, yy);
    ctx.lineTo(PAD.left + plotW, yy);
    ctx.stroke();
    ctx.fillStyle = colors.axis;
    ctx.fillText(metric === 'tokens' ? axisCount(t) : axisBytes(t), PAD.left - 6, yy);
  }
  if (!sharedAxis && thread.maxInputTokens > 0) {
    ctx.textAlign = 'left';
    for (const t of rightTicks) ctx.fillText(axisCount(t), PAD.left + plotW + 6, y(t, rightTop));
  }

  const [first, last] = [Math.max(0, firstVisible(geometry, view[0]) - 1), Math.min(geometry.n, firstVisible(geometry, view[1]) + 1)];

  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, 0, plotW, height);
  ctx.clip();

  // lifetime band (behind bars)
  if (life && life.carriers.length > 0) {
    const a = life.carriers[0];
    const b = life.carriers[life.carriers.length - 1];
    const x0 = toX(geometry.lo[a]) - 3;
    const x1 = toX(geometry.hi[b]) + 3;
    ctx.fillStyle = colors.lifetime;
    ctx.fillRect(x0, PAD.top - 6, Math.max(2, x1 - x0), plotH + 6);
  }

  // bars
  const strata = thread.strata;
  const dim = life !== null;
  for (let i = first; i < last; i++) {
    let x0 = toX(geometry.lo[i]);
    let x1 = toX(geometry.hi[i]);
    if (x1 - x0 < 1) {
      const m = (x0 + x1) / 2;
      x0 = m - 0.5;
      x1 = m + 0.5;
    }
    const w = x1 - x0;
    let acc = 0;
    ctx.globalAlpha = dim && !life!.set.has(i) ? 0.32 : 1;
    for (let s = 0; s < STRATUM_COUNT; s++) {
      const v = strata[i * STRATUM_COUNT + s] * unit;
      if (v <= 0 || hidden.has(s)) continue;
      const yTop = y(acc + v, leftTop);
      const yBot = y(acc, leftTop);
      ctx.fillStyle = colors.strata[s];
      ctx.fillRect(x0, yTop, w, Math.max(0.75, yBot - yTop));
      acc += v;
    }
  }
  ctx.globalAlpha = 1;

  // compaction marks
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = colors.compaction;
  ctx.lineWidth = 1.25;
  for (const m of thread.compactions) {
    const d = xMode === 'calls' ? m.afterIndex : m.atMs - thread.startMs;
    const xx = Math.round(toX(d)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(xx, PAD.top - 4);
    ctx.lineTo(xx, PAD.top + plotH);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // token lines: input (solid) and cached (dashed)
  const drawLine = (pick: (i: number) => number | null, color: string, dash: number[]) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let open = false;
    for (let i = first; i < last; i++) {
      const v = pick(i);
      if (v === null) {
        open = false;
        continue;
      }
      const xx = toX(geometry.mid[i]);
      const yy = y(v, rightTop);
      if (open) ctx.lineTo(xx, yy);
      else ctx.moveTo(xx, yy);
      open = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    const step = toX(geometry.mid[Math.min(last - 1, first + 1)] ?? 0) - toX(geometry.mid[first] ?? 0) || plotW;
    if (step >= 7) {
      ctx.fillStyle = color;
      for (let i = first; i < last; i++) {
        const v = pick(i);
        if (v === null) continue;
        ctx.beginPath();
        ctx.arc(toX(geometry.mid[i]), y(v, rightTop), step >= 14 ? 2.2 : 1.5, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  };
  if (thread.maxInputTokens > 0) {
    drawLine((i) => usageOf(i)?.input_tokens ?? null, colors.input, []);
    if (anyCached) drawLine((i) => usageOf(i)?.cached_input_tokens ?? null, colors.cached, [4, 3]);
  }

  // focused call: outline and a caret under the axis
  if (focusedIndex !== null && focusedIndex >= first && focusedIndex < last) {
    const i = focusedIndex;
    const x0 = toX(geometry.lo[i]);
    const x1 = Math.max(x0 + 1, toX(geometry.hi[i]));
    const top = y(shownTotals[i] * unit, leftTop);
    ctx.strokeStyle = colors.focus;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0 - 1.5, top - 1.5, x1 - x0 + 3, PAD.top + plotH - top + 1.5);
    ctx.fillStyle = colors.focus;
    const cx = (x0 + x1) / 2;
    ctx.beginPath();
    ctx.moveTo(cx, PAD.top + plotH + 2);
    ctx.lineTo(cx - 4, PAD.top + plotH + 8);
    ctx.lineTo(cx + 4, PAD.top + plotH + 8);
    ctx.closePath();
    ctx.fill();
  }

  // lifetime ticks above carriers, producer marked with a ring
  if (life) {
    ctx.fillStyle = colors.life;
    for (const i of life.carriers) {
      if (i < first || i >= last) continue;
      const cx = toX(geometry.mid[i]);
      ctx.fillRect(cx - 1, PAD.top - 7, 2, 5);
    }
    if (life.producer !== null) {
      const cx = toX(geometry.mid[life.producer]);
      ctx.strokeStyle = colors.life;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(cx, PAD.top - 5, 3.2, 0, Math.PI * 2);
      ctx.stroke();
    }
  }
  ctx.restore();

  // x axis labels
  ctx.fillStyle = colors.axis;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  const maxTicks = Math.max(2, Math.floor(plotW / 70));
  if (xMode === 'calls') {
    const step = ordinalStep(view[1] - view[0], maxTicks);
    const start = Math.max(step, Math.ceil((view[0] + 0.5) / step) * step);
    for (let k = start; k - 0.5 <= view[1]; k += step) {
      if (k > geometry.n) break;
      ctx.fillText(`#${k}`, toX(k - 0.5), height - 6);
    }
    if (start > 1 && view[0] < 0.5) ctx.fillText('#1', toX(0.5), height - 6);
  } else {
    const step = timeStep(view[1] - view[0], maxTicks);
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) ctx.fillText(`+${axisTime(t)}`, toX(t), height - 6);
  }
}

export function drawStrataOverlay(
  ctx: CanvasRenderingContext2D,
  f: Pick<StrataFrame, 'geometry' | 'toX' | 'plotH'>,
  colors: Colors,
  hover: number | null,
  brush: readonly [number, number] | null,
): void {
  const { geometry, toX, plotH } = f;
  if (hover !== null && hover < geometry.n) {
    const x0 = toX(geometry.lo[hover]);
    const x1 = Math.max(x0 + 1, toX(geometry.hi[hover]));
    ctx.fillStyle = colors.hover;
    ctx.fillRect(x0 - 2, PAD.top - 6, x1 - x0 + 4, plotH + 6);
  }
  if (brush) {
    const a = Math.min(brush[0], brush[1]);
    const b = Math.max(brush[0], brush[1]);
    ctx.fillStyle = colors.lifetime;
    ctx.fillRect(a, PAD.top, b - a, plotH);
    ctx.strokeStyle = colors.life;
    ctx.strokeRect(a + 0.5, PAD.top + 0.5, b - a - 1, plotH - 1);
  }
}
