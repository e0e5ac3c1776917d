/**
 * The idle worker's warm-up (src/worker/warm-up.ts): it reduces a small real
 * recording whose result nobody sees, so that the first bundle a user drops
 * is reduced by warm code. The bundle must stay that recording, and any job
 * must stop the warm-up at once, so that it never delays or touches a load.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkerHandler, type ReduceFn } from '../src/worker/handler';
import { warmUpBundle } from '../src/worker/warm-up';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import type { WorkerResponse } from '../src/worker/protocol';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/traces-schema3/compaction-local');

describe('the worker warm-up', () => {
  it('reduces the recording it carries exactly as the fixture it was copied from', async () => {
    const r = await reduceBundle(warmUpBundle(), { unknownEvents: 'skip' });
    expect(r.error).toBeNull();
    expect(serializeState(r.state!)).toBe(readFileSync(path.join(FIXTURE, 'state.json'), 'utf8'));
  });

  it('stops as soon as a job begins, and posts nothing of its own', async () => {
    const signals: AbortSignal[] = [];
    let release: () => void = () => {};
    const reduce: ReduceFn = async (source, options) => {
      signals.push(options!.signal!);
      // The first reduction waits, so that the job arrives while the warm-up is under way.
      if (signals.length === 1) await new Promise<void>((r) => (release = r));
      return reduceBundle(source, options);
    };
    const out: WorkerResponse[] = [];
    const handler = createWorkerHandler((m) => out.push(m), { reduce, warmUpAfterMs: 0, recent: null });
    await expect.poll(() => signals.length).toBe(1);
    await handler({ type: 'searchSessions', id: 1, query: 'x' });
    expect(signals[0].aborted).toBe(true);
    release();
    await new Promise((r) => setTimeout(r, 50));
    // No second round began, and the only messages are the job's.
    expect(signals).toHaveLength(1);
    expect(out.every((m) => m.id === 1)).toBe(true);
  });
});
