/** The trace worker's handler run in-process: requests in, every posted message collected (and checked as the page checks it). */
import { parseResponse, type WorkerResponse } from '../src/worker/protocol';
import { createWorkerHandler, type HandlerDeps } from '../src/worker/handler';

export function harness(deps: HandlerDeps = {}) {
  const out: WorkerResponse[] = [];
  const onMessage = createWorkerHandler((m) => {
    // Everything the worker posts must pass the main thread's validation.
    const parsed = parseResponse(structuredClone(m));
    if (!parsed.ok) throw new Error(`invalid response: ${parsed.reason}`);
    out.push(m);
  }, deps);
  return { out, send: onMessage, of: (id: number) => out.filter((m) => m.id === id) };
}
