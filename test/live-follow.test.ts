/**
 * The worker's follower against a real `serve`, in-process (no browser):
 * a recording appended to is followed to the reference state, paused updates
 * carry no state, and a bundle abandoned part way through a line ends on the
 * batch reduction's error rather than being followed forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServeHandle } from '../src/cli/serve';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { createWorkerHandler } from '../src/worker/handler';
import type { WorkerResponse } from '../src/worker/protocol';
import { applyStateChange } from '../src/worker/state-change';
import { TRACES } from './loader-helpers';

let tmp: string;
let root: string;
let h: ServeHandle;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-follow-'));
  root = path.join(tmp, 'traces');
  mkdirSync(root, { recursive: true });
  const dist = path.join(tmp, 'dist');
  mkdirSync(dist);
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  h = await serve({ roots: [root], port: 0, distDir: dist, log: () => {} });
});

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Live = Extract<WorkerResponse, { type: 'live' }>;
type Result = Extract<WorkerResponse, { type: 'result' }>;

/** The state the page holds after the messages so far: the load's, changed by each live update in turn, as state.json text. */
function pageState(out: WorkerResponse[]): string {
  const result = out.find((m): m is Result => m.type === 'result')!;
  let state: Record<string, unknown> | null = Object.fromEntries(result.stateParts!.map(([k, json]) => [k, JSON.parse(json) as unknown]));
  for (const m of out) if (m.type === 'live' && m.state) state = applyStateChange(state, m.state);
  return JSON.stringify(state, null, 2);
}

async function until<T>(find: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the worker follows a served bundle', () => {
  it('to the reference state, and holds the state while paused', async () => {
    const src = path.join(TRACES, 'tools-one-turn');
    const dir = path.join(root, 'rec');
    mkdirSync(path.join(dir, 'payloads'), { recursive: true });
    copyFileSync(path.join(src, 'manifest.json'), path.join(dir, 'manifest.json'));
    for (const f of readdirSync(path.join(src, 'payloads'))) copyFileSync(path.join(src, 'payloads', f), path.join(dir, 'payloads', f));
    const log = readFileSync(path.join(src, 'trace.jsonl'));
    const third = Math.floor(log.length / 3);
    writeFileSync(path.join(dir, 'trace.jsonl'), log.subarray(0, third));

    const out: WorkerResponse[] = [];
    const handler = createWorkerHandler((m) => out.push(m));
    await handler({ type: 'load', id: 1, label: 'traces/rec', input: { kind: 'url', baseUrl: `${h.url}bundles/traces/rec/` } });
    const result = out.find((m) => m.type === 'result');
    expect(result).toMatchObject({ type: 'result', error: null });
    await until(() => out.find((m): m is Live => m.type === 'live' && m.status === 'following'));

    await handler({ type: 'livePause', id: 2, target: 1, paused: true });
    appendFileSync(path.join(dir, 'trace.jsonl'), log.subarray(third, 2 * third));
    const held = await until(() =>
      out.find((m): m is Live => m.type === 'live' && m.status === 'paused' && m.eventsApplied > (result as { eventsApplied: number }).eventsApplied),
    );
    expect(held.state).toBeNull();

    await handler({ type: 'livePause', id: 3, target: 1, paused: false });
    appendFileSync(path.join(dir, 'trace.jsonl'), log.subarray(2 * third));
    const ended = await until(() => out.find((m): m is Live => m.type === 'live' && m.status === 'ended'));
    expect(ended.error).toBeNull();
    expect(ended.note).toBeNull();
    expect(pageState(out)).toBe(readFileSync(path.join(src, 'state.json'), 'utf8'));
    // Updates carry what changed: the records the page holds are not sent again whole.
    const updates = out.filter((m): m is Live => m.type === 'live' && m.state !== null);
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.state!.whole.map(([k]) => k)).not.toContain('raw_payloads');
    expect(updates.some((u) => u.state!.records.some((r) => r.key === 'conversation_items' && r.changed.length > 0))).toBe(true);
  });

  it('a bundle cut inside a line and not written for long ends on the batch error', async () => {
    const dir = path.join(root, 'cut');
    cpSync(path.join(TRACES, 'broken', 'truncated-mid-file'), dir, { recursive: true });
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(path.join(dir, 'trace.jsonl'), old, old);
    utimesSync(path.join(dir, 'payloads'), old, old);
    const batch = await reduceBundle(new DirectorySource(dir), { unknownEvents: 'skip' });
    expect(batch.error).not.toBeNull();

    const out: WorkerResponse[] = [];
    const handler = createWorkerHandler((m) => out.push(m));
    await handler({ type: 'load', id: 1, label: 'traces/cut', input: { kind: 'url', baseUrl: `${h.url}bundles/traces/cut/` } });
    const ended = await until(() => out.find((m): m is Live => m.type === 'live' && m.status === 'ended'));
    expect(ended.error).toEqual(batch.error);
    expect(pageState(out)).toBe(JSON.stringify(batch.state, null, 2));
  });
});
