/// <reference lib="webworker" />
/**
 * Worker entry: reads and reduces bundles off the main thread. Started by
 * the page's first script (early.ts), else by the client (client.ts).
 */
// First: it may send a request, which should not wait for the rest to be evaluated.
import { namedLoad } from './prefetch';
import './zod-jitless';
import { createWorkerHandler } from './handler';
import { EARLY_LOAD_ID, transferablesOf, type WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// An idle worker warms its reducer up once the page has started (its start-up would otherwise compete for the cores).
const onMessage = createWorkerHandler((msg: WorkerResponse) => self.postMessage(msg, transferablesOf(msg)), { warmUpAfterMs: namedLoad ? undefined : 300 });
self.onmessage = (e: MessageEvent) => void onMessage(e.data);
// The bundle this worker was named for, loaded as if the page had asked (its client takes that load over).
if (namedLoad) void onMessage({ type: 'load', id: EARLY_LOAD_ID, label: namedLoad.label, input: { kind: 'url', baseUrl: namedLoad.baseUrl } });
