/**
 * A served `?trace=` page names the bundle in its worker's name from its
 * first script, and the worker loads it as it starts, before the app has
 * (src/worker/early.ts, prefetch.ts): the app's own load of that bundle takes
 * over the one under way, with whatever the worker has said of it meanwhile,
 * and any other first load stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServeHandle } from '../src/cli/serve';
import { servedBundleUrl } from '../src/trace/bundle/served-url';
import { TraceClient, type LoadEvent, type Transport } from '../src/worker/client';
import { keepEarlyLoad } from '../src/worker/early';
import { createWorkerHandler } from '../src/worker/handler';
import { EARLY_LOAD_ID, type WorkerRequest } from '../src/worker/protocol';
import { fixtureState, TRACES } from './loader-helpers';

let tmp: string;
let h: ServeHandle;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-early-'));
  mkdirSync(path.join(tmp, 'assets'), { recursive: true });
  writeFileSync(path.join(tmp, 'index.html'), '<!doctype html><title>app</title>');
  h = await serve({ roots: [path.join(TRACES, 'single-turn-answer'), path.join(TRACES, 'multi-turn-resume')], port: 0, distDir: tmp, log: () => {} });
});

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The in-process worker behind a stand-in for its Worker object, as the page's first script and the client each see it. */
function page() {
  const worker = new EventTarget();
  const received: WorkerRequest[] = [];
  const handle = createWorkerHandler((msg) => worker.dispatchEvent(new MessageEvent('message', { data: msg })), { recent: null });
  const postMessage = (msg: WorkerRequest) => {
    received.push(msg);
    void handle(msg);
  };
  const base = `http://127.0.0.1:${h.port}/`;
  const baseUrl = servedBundleUrl('single-turn-answer', base);
  const early = keepEarlyLoad(worker, 'single-turn-answer', baseUrl);
  // What the worker does first, named for the bundle (src/worker/trace.worker.ts).
  void handle({ type: 'load', id: EARLY_LOAD_ID, label: 'single-turn-answer', input: { kind: 'url', baseUrl } });
  const transport: Transport = {
    post: postMessage,
    listen: (onMessage) => worker.addEventListener('message', (e) => onMessage((e as MessageEvent).data)),
    terminate: () => {},
    earlyLoad: early,
  };
  const client = new TraceClient(() => transport);
  const events: LoadEvent[] = [];
  client.subscribe((e) => events.push(e));
  const finished = () => events.flatMap((e) => (e.type === 'finished' ? [e.result] : []));
  return { client, received, base, finished };
}

describe('the load asked for by the page’s first script', () => {
  it('is the one the app’s load of that bundle gets: the bundle opens from the work already done, read and reduced once', async () => {
    const { client, received, base, finished } = page();
    // The app starts while the worker is at work, here once the worker has answered.
    await new Promise((r) => setTimeout(r, 300));
    client.warmUp();
    expect(await client.loadUrl('single-turn-answer', servedBundleUrl('single-turn-answer', base))).toBe('ready');
    expect(finished().map((r) => r.label)).toEqual(['single-turn-answer']);
    expect(JSON.parse(JSON.stringify(finished()[0].state))).toEqual(fixtureState('single-turn-answer'));
    // The client asked the worker for no load of its own.
    expect(received.filter((m) => m.type === 'load')).toEqual([]);
  });

  it('is stopped by a first load of anything else, which alone reaches the page', async () => {
    const { client, received, base, finished } = page();
    expect(await client.loadUrl('multi-turn-resume', servedBundleUrl('multi-turn-resume', base))).toBe('ready');
    expect(received.some((m) => m.type === 'cancel' && m.target === EARLY_LOAD_ID)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(finished().map((r) => r.label)).toEqual(['multi-turn-resume']);
    expect(JSON.parse(JSON.stringify(finished()[0].state))).toEqual(fixtureState('multi-turn-resume'));
  });
});
