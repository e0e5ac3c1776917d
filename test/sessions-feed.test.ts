/**
 * The page's feed of a served session list (src/sessions/feed.ts): the whole
 * list once, then only the rows changed since, merged into what the page
 * shows; an older server that always sends the whole list still works.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSessionFeed } from '../src/sessions/feed';
import type { SessionList, SessionListChanges, SessionRow } from '../src/trace/sessions/list';
import { failedSummary } from '../src/trace/sessions/summary';

const row = (name: string, pending = true): SessionRow => ({
  name,
  sizeBytes: 10,
  modifiedMs: 1,
  recording: false,
  pending,
  summary: pending ? null : failedSummary('x'),
});

/** An EventSource stand-in the test fires by hand. */
class FakeEvents {
  static last: FakeEvents | null = null;
  private readonly listeners: ((e: { data: string }) => void)[] = [];
  constructor(readonly url: string) {
    FakeEvents.last = this;
  }
  addEventListener(_type: string, f: (e: { data: string }) => void) {
    this.listeners.push(f);
  }
  /** An event with the list's counts, as serve sends them. */
  fire(counts = { total: 1, summarised: 0 }) {
    for (const f of this.listeners) f({ data: JSON.stringify(counts) });
  }
  close() {}
}

function serverAnswering(answers: unknown[]) {
  const asked: URL[] = [];
  vi.stubGlobal('EventSource', FakeEvents);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: URL) => {
      asked.push(new URL(url));
      const body = answers.shift();
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }),
  );
  return asked;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the served session list feed', () => {
  it('fetches the whole list once, then only what changed, and shows the two merged', async () => {
    const full: SessionListChanges = { epoch: 'run1', version: 3, full: true, total: 3, summarised: 0, sessions: [row('a'), row('b'), row('c')], removed: [] };
    const changed: SessionListChanges = {
      epoch: 'run1',
      version: 7,
      full: false,
      total: 3,
      summarised: 1,
      sessions: [row('b', false), row('d')],
      removed: ['c'],
    };
    const asked = serverAnswering([full, changed]);
    const lists: SessionList[] = [];
    const stop = startSessionFeed('http://localhost:4180/', { onList: (l) => lists.push(l), onUnavailable: () => {}, onError: (e) => lists.push(e as never) });
    await vi.waitFor(() => expect(lists).toHaveLength(1));
    expect(lists[0].sessions.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    FakeEvents.last!.fire();
    await vi.waitFor(() => expect(lists).toHaveLength(2));
    // b summarised, c gone, d new; a as it was.
    expect(lists[1].sessions.map((r) => [r.name, r.pending])).toEqual([
      ['a', true],
      ['b', false],
      ['d', true],
    ]);
    expect(lists[1]).toMatchObject({ total: 3, summarised: 1 });
    // The second fetch asked for what changed since the version the first gave, in that server run.
    expect(asked.map((u) => [u.searchParams.get('since'), u.searchParams.get('epoch')])).toEqual([
      ['0', null],
      ['3', 'run1'],
    ]);
    stop();
  });

  it('a whole list in answer (the server restarted, or an older serve) replaces the rows', async () => {
    const full: SessionListChanges = { epoch: 'run1', version: 3, full: true, total: 2, summarised: 0, sessions: [row('a'), row('b')], removed: [] };
    const restarted: SessionListChanges = { epoch: 'run2', version: 1, full: true, total: 1, summarised: 0, sessions: [row('z')], removed: [] };
    const older: SessionList = { total: 1, summarised: 1, sessions: [row('y', false)] };
    serverAnswering([full, restarted, older]);
    const lists: SessionList[] = [];
    const stop = startSessionFeed('http://localhost:4180/', { onList: (l) => lists.push(l), onUnavailable: () => {}, onError: () => {} });
    await vi.waitFor(() => expect(lists).toHaveLength(1));
    FakeEvents.last!.fire();
    await vi.waitFor(() => expect(lists).toHaveLength(2), { timeout: 3000 });
    expect(lists[1].sessions.map((r) => r.name)).toEqual(['z']);
    FakeEvents.last!.fire();
    await vi.waitFor(() => expect(lists).toHaveLength(3), { timeout: 3000 });
    expect(lists[2]).toEqual(older);
    stop();
  });

  for (const summarising of [false, true])
    it(`change events make at most one fetch ${summarising ? 'a second while the list is being summarised' : 'every quarter second'}`, async () => {
      const full: SessionListChanges = { epoch: 'r', version: 1, full: true, total: 1, summarised: summarising ? 0 : 1, sessions: [row('a')], removed: [] };
      const none: SessionListChanges = { ...full, full: false, sessions: [] };
      const asked = serverAnswering([full, none, none, none, none]);
      let lists = 0;
      const stop = startSessionFeed('http://localhost:4180/', { onList: () => lists++, onUnavailable: () => {}, onError: () => {} });
      await vi.waitFor(() => expect(lists).toBe(1));
      // A burst right after the first fetch: one more fetch, once the interval has passed.
      for (let i = 0; i < 20; i++) FakeEvents.last!.fire();
      await new Promise((r) => setTimeout(r, 600));
      expect(asked).toHaveLength(summarising ? 1 : 2);
      await new Promise((r) => setTimeout(r, 700));
      expect(asked).toHaveLength(2);
      stop();
    });

  it('the event that says the last summary is in is fetched after the short interval, not the long one', async () => {
    const full: SessionListChanges = { epoch: 'r', version: 1, full: true, total: 2, summarised: 0, sessions: [row('a'), row('b')], removed: [] };
    const done: SessionListChanges = { ...full, version: 3, full: false, summarised: 2, sessions: [row('a', false), row('b', false)] };
    const asked = serverAnswering([full, done]);
    const lists: SessionList[] = [];
    const stop = startSessionFeed('http://localhost:4180/', { onList: (l) => lists.push(l), onUnavailable: () => {}, onError: () => {} });
    await vi.waitFor(() => expect(lists).toHaveLength(1));
    // One summary in: waits out the second; then the last one: fetched a quarter second after the first fetch.
    FakeEvents.last!.fire({ total: 2, summarised: 1 });
    FakeEvents.last!.fire({ total: 2, summarised: 2 });
    await new Promise((r) => setTimeout(r, 500));
    expect(asked).toHaveLength(2);
    expect(lists.at(-1)).toMatchObject({ total: 2, summarised: 2 });
    stop();
  });
});
