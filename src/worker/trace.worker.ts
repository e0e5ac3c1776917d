/// <reference lib="webworker" />
/**
 * Worker entry: reads and reduces bundles off the main thread.
 * Created by client.ts with `new Worker(new URL('./trace.worker.ts', import.meta.url), { type: 'module' })`.
 */
// First: it may send a request, which should not wait for the rest to be evaluated.
import './prefetch';
import './zod-jitless';
import { createWorkerHandler } from './handler';
import type { WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const onMessage = createWorkerHandler((msg: WorkerResponse) => self.postMessage(msg));
self.onmessage = (e: MessageEvent) => void onMessage(e.data);
