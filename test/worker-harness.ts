/** The trace worker's handler run in-process: requests in, every posted message collected (and checked as the page checks it). */
import type { WorkerResponse } from '../src/worker/protocol';
import { parseResponse } from '../src/worker/responses';
import { createWorkerHandler, type HandlerDeps } from '../src/worker/handler';

/**
 * `onPost` hears each message as it is posted (to answer the worker's own requests, as the page does).
 * `land`: answer each result with `landed`, as the page does once it has drawn it.
 */
export function harness(deps: HandlerDeps = {}, onPost?: (m: WorkerResponse) => void, land = true) {
  const out: WorkerResponse[] = [];
  const onMessage = createWorkerHandler((m) => {
    // Everything the worker posts must pass the main thread's validation.
    const parsed = parseResponse(structuredClone(m));
    if (!parsed.ok) throw new Error(`invalid response: ${parsed.reason}`);
    out.push(m);
    // As the page does once it has drawn a result: the hash and the recent-bundles copy follow.
    if (land && m.type === 'result' && m.hashFollows) void onMessage({ type: 'landed', id: 1e9 + out.length, target: m.id });
    onPost?.(m);
  }, deps);
  const of = (id: number) => out.filter((m) => m.id === id);
  /** Load `id`'s content hash: its `hash` message, which follows the result. */
  const hashOf = (id: number) => {
    const msgs = of(id);
    const at = msgs.findIndex((m) => m.type === 'hash');
    if (at < msgs.findIndex((m) => m.type === 'result')) throw new Error(`no hash after load ${id}'s result`);
    return (msgs[at] as Extract<WorkerResponse, { type: 'hash' }>).contentHash;
  };
  return { out, send: onMessage, of, hashOf };
}
