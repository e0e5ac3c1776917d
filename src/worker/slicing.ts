/**
 * Cooperative scheduling for long work on one thread: time slices (run until
 * a slice's budget is spent, then let the browser paint and handle input, or
 * the worker take its queued messages) and a gate that bounds how many
 * operations are in flight at once.
 */
import { timeSlicer as slices } from '../trace/time-slicer';

/** Milliseconds of work per slice: well under the 50 ms that make a long task. */
const SLICE_MS = 12;

/** Resolves in a new task queued behind those already waiting (a message to self: no 4 ms timer clamp), so that queued messages run first. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Lets the browser paint and handle input, then resumes: `scheduler.yield()` where there is one (it keeps this work's place ahead of ordinary tasks), else `nextTask`. */
export function yieldToMain(): Promise<void> {
  const sched = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return sched?.yield ? sched.yield() : nextTask();
}

/** A time slicer (../trace/time-slicer.ts) that by default lets the browser paint and handle input between slices. */
export function timeSlicer(budgetMs = SLICE_MS, pause: () => Promise<void> = yieldToMain) {
  return slices(budgetMs, pause);
}

/** At most `limit` holders at once: `await gate.enter()` before the operation, `gate.leave()` after it. Waiters enter in order. */
export function gate(limit: number) {
  let inside = 0;
  const waiting: (() => void)[] = [];
  return {
    async enter(): Promise<void> {
      while (inside >= limit) await new Promise<void>((r) => waiting.push(r));
      inside++;
    },
    leave(): void {
      inside--;
      waiting.shift()?.();
    },
  };
}
