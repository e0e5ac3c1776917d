/**
 * Frame timing in the page, for the benchmarks that drive a panel one input
 * per animation frame (bench-timeline, bench-huge).
 */
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    /** Calls `step(i)` once per animation frame for `frames` frames; resolves with the intervals between them (ms). */
    __everyFrame?: (frames: number, step: (i: number) => void) => Promise<number[]>;
  }
}

/** Defines `window.__everyFrame` in the page (once per page; again after a navigation). */
export async function installFrameLoop(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__everyFrame = (frames, step) =>
      new Promise<number[]>((resolve) => {
        const intervals: number[] = [];
        let last = performance.now();
        let i = 0;
        const tick = (now: number) => {
          if (i > 0) intervals.push(now - last);
          last = now;
          if (i >= frames) return resolve(intervals);
          step(i++);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
  });
}
