/**
 * A followed bundle's state travels to the page as what changed: the page,
 * applying each change to the state it holds, must hold exactly the state the
 * worker's replay has, at every update, while parsing only what changed and
 * keeping the records nothing changed in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncrementalReplay } from '../src/trace/reducer';
import { MemorySource, type FileBody } from '../src/trace/bundle/source';
import { StateChangeTracker, applyStateChange } from '../src/worker/state-change';
import { TraceClient, type LoadEvent, type Transport } from '../src/worker/client';
import type { WorkerRequest } from '../src/worker/protocol';
import { TRACES } from './loader-helpers';

const FIXTURES = path.dirname(TRACES);

/** The bundle's log fed in `steps` pieces (payloads all there), the replay's state after each. */
async function* statesOf(dir: string, steps: number): AsyncGenerator<object> {
  const files = new Map<string, FileBody>([['manifest.json', readFileSync(path.join(dir, 'manifest.json'))]]);
  for (const f of readdirSync(path.join(dir, 'payloads'))) files.set(`payloads/${f}`, readFileSync(path.join(dir, 'payloads', f)));
  const log = readFileSync(path.join(dir, 'trace.jsonl'), 'utf8');
  const replay = await IncrementalReplay.open(new MemorySource('b', files), { live: true, unknownEvents: 'skip' });
  replay.begin();
  let fed = 0;
  for (let step = 1; step <= steps; step++) {
    const upTo = step === steps ? log.length : Math.floor((log.length * step) / steps);
    replay.feed(log.slice(fed, upTo));
    fed = upTo;
    await replay.pump();
    yield replay.snapshot().state!;
  }
}

describe('live state changes', () => {
  for (const bundle of ['traces/long-session', 'traces/multi-agent', 'traces-schema3/multi-turn-manual-compact', 'traces-schema1/mcp-tools']) {
    it(`${bundle}: the page's state equals the replay's after every update, records nothing changed in kept`, async () => {
      const tracker = new StateChangeTracker();
      let page: Record<string, unknown> | null = null;
      let sentChars = 0;
      let wholeChars = 0;
      let kept = 0;
      for await (const state of statesOf(path.join(FIXTURES, bundle), 12)) {
        const change = tracker.change(state);
        const before: Record<string, unknown> | null = page;
        page = applyStateChange(before, change);
        expect(JSON.stringify(page)).toBe(JSON.stringify(state));
        // What the worker would parse back for its own requests is that state too.
        expect(JSON.stringify(tracker.state())).toBe(JSON.stringify(state));
        if (before) {
          sentChars += JSON.stringify(change).length;
          wholeChars += JSON.stringify(state).length;
          for (const key of Object.keys(page)) if (typeof page[key] === 'object' && page[key] !== null && page[key] === before[key]) kept++;
        }
      }
      // Updates after the first carry a fraction of the state, and leave the records they do not touch as they were.
      expect(sentChars).toBeLessThan(wholeChars / 2);
      expect(kept).toBeGreaterThan(0);
    });
  }

  it('entries added in id order, removed, or reordered arrive in the order the state has them', () => {
    const tracker = new StateChangeTracker();
    const states = [
      { n: 1, items: { 'item:1': { a: 1 }, 'item:3': { a: 3 } } },
      { n: 1, items: { 'item:1': { a: 1 }, 'item:2': { a: 2 }, 'item:3': { a: 3 } } },
      { n: 2, items: { 'item:3': { a: 33 }, 'item:1': { a: 1 } } },
      { n: 2, items: {} },
    ];
    let page: Record<string, unknown> | null = null;
    for (const state of states) {
      page = applyStateChange(page, tracker.change(state));
      expect(JSON.stringify(page)).toBe(JSON.stringify(state));
    }
  });

  it('an id "__proto__" is an entry like any other, and pollutes nothing', () => {
    const tracker = new StateChangeTracker();
    const first = JSON.parse('{"items":{"a":{"v":1}}}') as object;
    const second = JSON.parse('{"items":{"a":{"v":1},"__proto__":{"polluted":true}},"__proto__":{"x":1}}') as object;
    let page = applyStateChange(null, tracker.change(first));
    page = applyStateChange(page, tracker.change(second));
    expect(JSON.stringify(page)).toBe(JSON.stringify(second));
    expect(Object.hasOwn(page.items as object, '__proto__')).toBe(true);
    expect(Object.hasOwn(page, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('a change that does not fit the state held is refused, not guessed at', () => {
    const tracker = new StateChangeTracker();
    tracker.change({ items: { a: 1 } });
    const change = tracker.change({ items: { a: 2 } });
    expect(() => applyStateChange(null, change)).toThrow(/does not have/);
    expect(() => applyStateChange({ items: 'text' }, change)).toThrow(/not a record/);
  });
});

describe('the page applying live changes', () => {
  /** A client whose worker is this test: what it posts is kept, and `reply` answers as the worker would. */
  function harnessed() {
    const posted: WorkerRequest[] = [];
    let deliver: (data: unknown) => void = () => {};
    const transport: Transport = {
      post: (msg) => posted.push(msg),
      listen: (onMessage) => (deliver = onMessage),
      terminate: () => {},
    };
    const client = new TraceClient(() => transport);
    const events: LoadEvent[] = [];
    client.subscribe((e) => events.push(e));
    return { client, posted, events, reply: (m: unknown) => deliver(m) };
  }
  const live = (id: number, state: unknown) => ({
    type: 'live',
    id,
    status: 'following',
    eventsApplied: 5,
    state,
    error: null,
    diagnostics: [],
    note: null,
    writtenAt: null,
  });
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('shows each update on the state it holds, and stops following, saying so, at a change that does not fit', async () => {
    const { client, posted, events, reply } = harnessed();
    void client.loadUrl('rec', 'http://127.0.0.1:1/bundles/rec/');
    const id = posted[0].id;
    const start = JSON.parse(readFileSync(path.join(TRACES, 'single-turn-answer/state.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const [firstId, firstItem] = Object.entries(start.conversation_items)[0];
    const next = { ...start, conversation_items: { ...start.conversation_items, [`${firstId}0`]: firstItem } };
    const tracker = new StateChangeTracker();
    tracker.change(start);
    reply({
      type: 'result',
      id,
      label: 'rec',
      bundleKey: 'k',
      manifest: null,
      stateParts: Object.entries(start).map(([k, v]) => [k, JSON.stringify(v)]),
      error: null,
      diagnostics: [],
      eventsApplied: 4,
    });
    await settle();
    const change = tracker.change(next);
    // Only the entry added travels.
    expect(change.whole).toEqual([]);
    expect(change.records.map((r) => [r.key, r.changed.length])).toEqual([['conversation_items', 1]]);
    reply(live(id, change));
    await settle();
    const shown = events.filter((e): e is Extract<LoadEvent, { type: 'live' }> => e.type === 'live');
    expect(JSON.stringify(shown.at(-1)?.live.update?.state)).toBe(JSON.stringify(next));
    expect(shown.at(-1)?.live.update?.indexes).not.toBeNull();

    // A change made against another state (the worker and the page out of step): not applied, following ends with a note.
    reply(live(id, { keys: ['schema_version', 'gone'], whole: [], records: [{ key: 'gone', changed: [['x', '1']], ids: null }] }));
    await settle();
    const last = events.at(-1) as Extract<LoadEvent, { type: 'live' }>;
    expect(last.live.status).toBe('ended');
    expect(last.live.note).toMatch(/could not be applied/);
    expect(last.live.update).toBeNull();
  });
});
