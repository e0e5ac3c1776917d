/**
 * The incremental replay against the reference: every real bundle, its
 * trace.jsonl fed in chunks of random size (cut inside lines, inside UTF-8
 * characters' worth of text too), its payloads appearing a few at a time
 * before or after the events that need them (schema 3: each shard growing by
 * byte prefixes, cut inside records and zstd blocks), snapshots taken on the
 * way, must end byte for byte on the official state.json.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncrementalReplay, decide0165 } from '../src/trace/reducer';
import { MemorySource, type FileBody } from '../src/trace/bundle/source';
import { serializeState } from '../src/trace/serialize';
import { expectSameText } from './same-text';

const CORPORA = ['traces', 'traces-schema1', 'traces-schema3', 'traces-variants'];

function corpusBundles(corpus: string): string[] {
  const root = join(__dirname, 'fixtures', corpus);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, 'state.json'))) out.push(dir);
    for (const sub of readdirSync(dir).sort()) if (sub.startsWith('bundle-') && existsSync(join(dir, sub, 'state.json'))) out.push(join(dir, sub));
  }
  return out;
}

function payloadFiles(dir: string): string[] {
  const p = join(dir, 'payloads');
  return existsSync(p)
    ? readdirSync(p)
        .sort()
        .map((f) => `payloads/${f}`)
    : [];
}

/** A small deterministic generator, so that a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Replays `dir` as a recording would reach a follower: `steps` rounds, each
 * with a chunk of the log and more of the payloads. Returns the final live
 * snapshot's text and the one after `end`.
 */
async function follow(dir: string, seed: number): Promise<{ live: string; ended: string; completed: boolean; snapshots: number }> {
  const random = rng(seed);
  const log = readFileSync(join(dir, 'trace.jsonl'), 'utf8');
  const files = new Map<string, FileBody>([['manifest.json', readFileSync(join(dir, 'manifest.json'))]]);
  const payloads = payloadFiles(dir).map((p) => ({ path: p, bytes: readFileSync(join(dir, p)), shown: 0 }));
  // Files appear in a random order; shards grow from their start.
  for (let i = payloads.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [payloads[i], payloads[j]] = [payloads[j], payloads[i]];
  }
  const source = new MemorySource(relative(__dirname, dir), files);
  const replay = await IncrementalReplay.open(source, { live: true, unknownEvents: 'skip' });
  replay.begin(decide0165(log) ? 'schema-2-0.165.0' : null);
  const steps = 3 + Math.floor(random() * 12);
  let fed = 0;
  let snapshots = 0;
  for (let step = 1; step <= steps; step++) {
    const upTo = step === steps ? log.length : Math.min(log.length, fed + Math.floor(random() * ((2 * log.length) / steps)));
    replay.feed(log.slice(fed, upTo));
    fed = upTo;
    for (const p of payloads) {
      if (p.shown === p.bytes.length) continue;
      const last = step === steps;
      if (p.path.endsWith('.zst')) {
        p.shown = last ? p.bytes.length : Math.min(p.bytes.length, p.shown + Math.floor(random() * ((2 * p.bytes.length) / steps)));
        files.set(p.path, p.bytes.subarray(0, p.shown));
      } else if (last || random() < step / steps) {
        p.shown = p.bytes.length;
        files.set(p.path, p.bytes);
      }
    }
    replay.payloadsChanged();
    await replay.pump();
    expect(replay.failed, `stopped at an error after step ${step}: ${JSON.stringify(replay.snapshot().error)}`).toBe(false);
    if (random() < 0.5) {
      // A snapshot on the way must leave the replay as it was.
      serializeState(replay.snapshot().state!);
      snapshots++;
    }
  }
  const live = replay.snapshot();
  const liveText = serializeState(live.state!);
  const completed = replay.completed;
  replay.end();
  await replay.pump();
  const ended = replay.snapshot();
  expect(ended.error).toBeNull();
  return { live: liveText, ended: serializeState(ended.state!), completed, snapshots };
}

describe.each(CORPORA)('%s: the incremental replay fed in pieces ends on the official state.json', (corpus) => {
  const bundles = corpusBundles(corpus);
  it('covers the corpus', () => expect(bundles.length).toBeGreaterThanOrEqual(10));
  bundles.forEach((dir, i) => {
    it(dir.split(`fixtures/${corpus}/`)[1], async () => {
      const official = readFileSync(join(dir, 'state.json'), 'utf8');
      for (const seed of [i + 1, 1000 + i]) {
        const { live, ended, completed } = await follow(dir, seed);
        expectSameText(ended, official);
        // A recording that was closed is complete before `end`: following it needs no batch step.
        if (completed) expectSameText(live, official);
      }
    });
  });
});

describe('the incremental replay holds back what is not complete yet', () => {
  const dir = join(__dirname, 'fixtures', 'traces', 'single-turn-answer');
  const log = readFileSync(join(dir, 'trace.jsonl'), 'utf8');

  it('does not parse a line before its newline, and batch-ends it at end()', async () => {
    const files = new Map<string, FileBody>([['manifest.json', readFileSync(join(dir, 'manifest.json'))]]);
    for (const p of payloadFiles(dir)) files.set(p, readFileSync(join(dir, p)));
    const replay = await IncrementalReplay.open(new MemorySource('s', files), { live: true });
    replay.begin();
    const firstLine = log.indexOf('\n') + 1;
    replay.feed(log.slice(0, firstLine + 10));
    await replay.pump();
    expect(replay.eventsApplied).toBe(1);
    expect(replay.failed).toBe(false);
    replay.end();
    await replay.pump();
    // The cut line is now a line, and not JSON: the batch error, at line 2.
    expect(replay.snapshot().error).toMatchObject({ line: 2, message: 'parse trace event line 2' });
  });

  it('waits for a late payload file, then applies the event', async () => {
    const files = new Map<string, FileBody>([['manifest.json', readFileSync(join(dir, 'manifest.json'))]]);
    const replay = await IncrementalReplay.open(new MemorySource('s', files), { live: true });
    replay.begin();
    replay.feed(log);
    await replay.pump();
    const waiting = replay.waitingFor;
    expect(waiting).not.toBeNull();
    expect(replay.snapshot().error).toBeNull();
    for (const p of payloadFiles(dir)) files.set(p, readFileSync(join(dir, p)));
    await replay.pump();
    expect(replay.waitingFor).toBeNull();
    expect(replay.completed).toBe(true);
    expectSameText(serializeState(replay.snapshot().state!), readFileSync(join(dir, 'state.json'), 'utf8'));
  });

  it('reports a payload still missing at end() as the batch reduction does', async () => {
    const files = new Map<string, FileBody>([['manifest.json', readFileSync(join(dir, 'manifest.json'))]]);
    const replay = await IncrementalReplay.open(new MemorySource('s', files), { live: true });
    replay.begin();
    replay.feed(log);
    await replay.pump();
    replay.end();
    await replay.pump();
    expect(replay.snapshot().error?.message).toMatch(/payload/);
  });
});
