/**
 * The page's side of a result: the state it carries, and the content hash
 * that follows it (which load it belongs to, through cancels and newer loads).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceClient, type LoadEvent, type Transport } from '../src/worker/client';
import type { WorkerRequest } from '../src/worker/protocol';
import { splitStateBytes } from '../src/trace/bundle/served-state';
import { TRACES } from './loader-helpers';

function harnessed() {
  const posted: WorkerRequest[] = [];
  let deliver: (data: unknown) => void = () => {};
  let crash: (err: Error) => void = () => {};
  const transport: Transport = {
    post: (msg) => posted.push(msg),
    listen: (onMessage, onCrash) => {
      deliver = onMessage;
      crash = onCrash;
    },
    terminate: () => {},
  };
  const client = new TraceClient(() => transport);
  const events: LoadEvent[] = [];
  client.subscribe((e) => events.push(e));
  return { client, posted, events, reply: (m: unknown) => deliver(m), crash: (e: Error) => crash(e) };
}

const state = JSON.parse(readFileSync(path.join(TRACES, 'single-turn-answer/state.json'), 'utf8')) as Record<string, unknown>;
const result = (id: number, label: string) => ({
  type: 'result',
  id,
  label,
  bundleKey: label,
  manifest: null,
  stateParts: Object.entries(state).map(([k, v]) => [k, JSON.stringify(v)]),
  error: null,
  diagnostics: [],
  eventsApplied: 1,
  hashFollows: true,
});
const settle = () => new Promise((r) => setTimeout(r, 50));
const hashes = (events: LoadEvent[]) => events.flatMap((e) => (e.type === 'hash' ? [e.hash] : []));

describe('the content hash after a result', () => {
  it('reaches the shown trace even when a newer load was cancelled in between; a superseded trace’s hash does not', async () => {
    const { client, posted, events, reply } = harnessed();
    void client.loadUrl('a', 'http://127.0.0.1:1/bundles/a/');
    const a = posted.at(-1)!.id;
    reply(result(a, 'a'));
    await settle();
    const finished = events.find((e) => e.type === 'finished');
    expect(finished).toMatchObject({ result: { hashFollows: true } });
    expect(finished).not.toHaveProperty('result.contentHash');
    // Drawn: the page tells the worker, which then hashes it.
    await expect.poll(() => posted.some((m) => m.type === 'landed' && m.target === a)).toBe(true);

    // Another load starts and is cancelled: trace a stays on screen, and its hash is still its own.
    void client.loadUrl('b', 'http://127.0.0.1:1/bundles/b/');
    client.cancel();
    reply({ type: 'hash', id: a, contentHash: 'a'.repeat(64) });
    expect(hashes(events)).toEqual(['a'.repeat(64)]);

    // A newer load lands: a late hash of the old one is not the shown trace's.
    void client.loadUrl('c', 'http://127.0.0.1:1/bundles/c/');
    const c = posted.filter((m) => m.type === 'load').at(-1)!.id;
    reply(result(c, 'c'));
    await settle();
    reply({ type: 'hash', id: a, contentHash: 'b'.repeat(64) });
    reply({ type: 'hash', id: c, contentHash: 'c'.repeat(64) });
    expect(hashes(events)).toEqual(['a'.repeat(64), 'c'.repeat(64)]);
  });

  it('a worker that stops before the hash leaves it unknown, not awaited for ever (Copy link waits on it)', async () => {
    const { client, posted, events, reply, crash } = harnessed();
    void client.loadUrl('a', 'http://127.0.0.1:1/bundles/a/');
    reply(result(posted.at(-1)!.id, 'a'));
    await settle();
    crash(new Error('gone'));
    expect(hashes(events)).toEqual([null]);
  });
});

describe('a state handed over as text', () => {
  it('lands as the state it spells, multi-byte text included, with its indexes', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(TRACES, 'long-session/state.json')));
    const parts = splitStateBytes(bytes)!;
    const { client, posted, events, reply } = harnessed();
    void client.loadUrl('a', 'http://127.0.0.1:1/bundles/a/');
    reply({ ...result(posted.at(-1)!.id, 'a'), stateParts: null, stateText: { bytes, parts } });
    await expect.poll(() => events.some((e) => e.type === 'finished')).toBe(true);
    const finished = events.find((e) => e.type === 'finished');
    if (finished?.type !== 'finished') throw new Error('no result');
    const whole = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    expect(finished.result.state).toEqual(whole);
    expect(Object.keys(finished.result.state!)).toEqual(Object.keys(whole));
    expect(finished.result.indexes).not.toBeNull();
  });
});
