/**
 * A draggable splitter between two regions. It reports a new size for the
 * region it controls; keyboard arrows nudge it too.
 */
import { useCallback, useRef } from 'react';

export function Splitter({
  orientation,
  size,
  min,
  max,
  onResize,
  invert = false,
  label,
  defaultSize,
}: {
  /** 'vertical' = a vertical bar resizing widths; 'horizontal' = a horizontal bar resizing heights. */
  orientation: 'vertical' | 'horizontal';
  size: number;
  min: number;
  max: number;
  onResize: (size: number) => void;
  /** True when the controlled region is after the splitter (dragging toward it grows it). */
  invert?: boolean;
  label: string;
  /** Double-click resets to this size. */
  defaultSize?: number;
}) {
  const start = useRef<{ pos: number; size: number } | null>(null);
  const clamp = useCallback((v: number) => Math.max(min, Math.min(max, Math.round(v))), [min, max]);
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    start.current = { pos: orientation === 'vertical' ? e.clientX : e.clientY, size };
    document.body.classList.add(orientation === 'vertical' ? 'resizing-x' : 'resizing-y');
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!start.current) return;
    const pos = orientation === 'vertical' ? e.clientX : e.clientY;
    const delta = (pos - start.current.pos) * (invert ? -1 : 1);
    onResize(clamp(start.current.size + delta));
  };
  const end = () => {
    start.current = null;
    document.body.classList.remove('resizing-x', 'resizing-y');
  };
  return (
    <div
      className={`splitter splitter-${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={size}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onDoubleClick={() => defaultSize != null && onResize(clamp(defaultSize))}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 40 : 10;
        const grow = orientation === 'vertical' ? (invert ? 'ArrowLeft' : 'ArrowRight') : invert ? 'ArrowUp' : 'ArrowDown';
        const shrink = orientation === 'vertical' ? (invert ? 'ArrowRight' : 'ArrowLeft') : invert ? 'ArrowDown' : 'ArrowUp';
        if (e.key === grow) onResize(clamp(size + step));
        else if (e.key === shrink) onResize(clamp(size - step));
        else return;
        e.preventDefault();
      }}
    />
  );
}
