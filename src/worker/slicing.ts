/**
 * Cooperative time slicing for work the page must do itself (parsing and
 * indexing a loaded trace): run until a slice's budget is spent, then let the
 * browser paint and handle input before going on.
 */

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

export function timeSlicer(budgetMs = SLICE_MS) {
  let start = performance.now();
  return {
    /** Yields when this slice has run for its budget; otherwise returns at once. */
    async maybeYield(): Promise<void> {
      if (performance.now() - start < budgetMs) return;
      await yieldToMain();
      start = performance.now();
    },
  };
}
