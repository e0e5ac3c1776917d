/// <reference lib="webworker" />
/**
 * Worker entry: reads and reduces bundles off the main thread.
 * Created by client.ts with `new Worker(new URL('./trace.worker.ts', import.meta.url), { type: 'module' })`.
 */
// First: it may send a request, which should not wait for the rest to be evaluated.
import { prefetching } from './prefetch';
import './zod-jitless';
import { createWorkerHandler } from './handler';
import { transferablesOf, type WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// An idle worker warms its reducer up once the page has started (its start-up would otherwise compete for the cores).
const onMessage = createWorkerHandler((msg: WorkerResponse) => self.postMessage(msg, transferablesOf(msg)), { warmUpAfterMs: prefetching() ? undefined : 300 });
self.onmessage = (e: MessageEvent) => void onMessage(e.data);
