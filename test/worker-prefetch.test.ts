/**
 * The tar a `?trace=` page's worker asks for as it starts (src/worker/prefetch.ts),
 * handed to the load as the answer to its first request: a Cancel must stop
 * it as it stops any download, and one nobody takes must be let go.
 */
import { describe, expect, it } from 'vitest';
import { answeredOnce } from '../src/worker/prefetch';
import { loadOfWorkerName, traceWorkerName } from '../src/trace/bundle/served-url';

const TAR = 'http://127.0.0.1:4180/bundles/long-session/?pack=tar';

/** A response whose body never ends, and whether its source was cancelled. */
function endless() {
  const seen = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(512)),
    cancel: () => {
      seen.cancelled = true;
    },
  });
  return { response: new Response(body, { headers: { 'content-type': 'application/x-tar' } }), seen };
}

const unused: typeof fetch = () => Promise.reject(new Error('asked the network'));

describe('the early tar request', () => {
  it('answers the first request for its URL, and a Cancel stops reading it', async () => {
    const { response, seen } = endless();
    const early = answeredOnce(unused, TAR, Promise.resolve(response));
    const cancel = new AbortController();
    const res = await early.fetch(TAR, { signal: cancel.signal });
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const reader = res.body!.getReader();
    expect((await reader.read()).value?.length).toBe(512);
    cancel.abort();
    // What was already passed along may still come; then the read fails, where an endless body would go on.
    let stopped: unknown = null;
    for (let i = 0; i < 100 && stopped === null; i++) await reader.read().catch((e: unknown) => (stopped = e));
    expect(String(stopped)).toMatch(/abort/i);
    await expect.poll(() => seen.cancelled).toBe(true);
  });

  it('goes to the network for any other request, and for its URL a second time', async () => {
    const asked: string[] = [];
    const net: typeof fetch = async (input) => (asked.push(String(input)), new Response('net'));
    const early = answeredOnce(net, TAR, Promise.resolve(new Response('early')));
    expect(await (await early.fetch('http://127.0.0.1:4180/bundles/long-session/trace.jsonl')).text()).toBe('net');
    expect(await (await early.fetch(TAR)).text()).toBe('early');
    expect(await (await early.fetch(TAR)).text()).toBe('net');
    expect(asked).toEqual(['http://127.0.0.1:4180/bundles/long-session/trace.jsonl', TAR]);
  });

  it('asks again when the early request failed', async () => {
    const early = answeredOnce(async () => new Response('again'), TAR, Promise.reject(new TypeError('connection refused')));
    expect(await (await early.fetch(TAR)).text()).toBe('again');
  });

  it('lets an answer nobody took go, so the server stops sending it', async () => {
    const { response, seen } = endless();
    answeredOnce(unused, TAR, Promise.resolve(response)).release();
    await expect.poll(() => seen.cancelled).toBe(true);
  });
});

describe("the worker's name", () => {
  it('tells the worker the bundle to load, whatever its label and URL hold, and a plain or foreign name tells it nothing', () => {
    const plain = { label: 'long-session', baseUrl: 'http://127.0.0.1:4180/bundles/long-session/' };
    const odd = { label: 'a b#c %20 é', baseUrl: 'http://127.0.0.1:4180/bundles/a%20b%23c%20%2520%20%C3%A9/' };
    expect(loadOfWorkerName(traceWorkerName(plain))).toEqual(plain);
    expect(loadOfWorkerName(traceWorkerName(odd))).toEqual(odd);
    expect(loadOfWorkerName(traceWorkerName(null))).toBeNull();
    expect(loadOfWorkerName('trace load=%E0%A4%A http://x/')).toBeNull();
    expect(loadOfWorkerName('trace load=a b c')).toBeNull();
    expect(loadOfWorkerName('reader')).toBeNull();
  });
});
