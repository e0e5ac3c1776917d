/**
 * Long synchronous work cut into slices: run until a slice's budget is spent,
 * then `pause` (let a page paint, a worker take its messages, a server answer
 * its other requests), then go on. Each caller says how it pauses.
 */
export function timeSlicer(budgetMs: number, pause: () => Promise<void>) {
  let start = performance.now();
  return {
    /** Pauses when this slice has run for its budget; otherwise returns at once. */
    async maybeYield(): Promise<void> {
      if (performance.now() - start < budgetMs) return;
      await pause();
      start = performance.now();
    },
  };
}
