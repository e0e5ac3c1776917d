import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { READER_SCRIPT, offThreadReader, type ReaderWorker } from '../src/worker/blob-reader';
import { readGrouped } from '../src/trace/bundle/blob-groups';
import { withBlobReadAhead } from '../src/trace/bundle/blob-read-ahead';
import { MemorySource } from '../src/trace/bundle/source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { TRACES, folderInputs } from './loader-helpers';

const started: Worker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});

/** The reader's own script, run in a Node worker thread with the two globals a browser worker gives it. */
function nodeReader(counts: { reads: number }): ReaderWorker {
  const shim = `const { parentPort } = require('node:worker_threads');
globalThis.postMessage = (m, t) => parentPort.postMessage(m, t);
parentPort.on('message', (data) => onmessage({ data }));
`;
  const w = new Worker(shim + READER_SCRIPT, { eval: true });
  started.push(w);
  return {
    postMessage: (m) => {
      counts.reads++;
      w.postMessage(m);
    },
    addEventListener: (type, listener) => w.on(type, (data: unknown) => listener(type === 'message' ? ({ data } as MessageEvent) : (data as Event))),
    terminate: () => void w.terminate(),
  };
}

/** A reader whose script never starts (refused by a page's policy, say): it reports an error and answers nothing. */
function brokenReader(): ReaderWorker {
  const listeners: ((e: Event) => void)[] = [];
  return {
    postMessage: () => setTimeout(() => listeners.forEach((l) => l(new Event('error'))), 5),
    addEventListener: (type, listener) => void (type === 'error' && listeners.push(listener)),
    terminate: () => {},
  };
}

const officialState = (name: string) => readFileSync(path.join(TRACES, name, 'state.json'), 'utf8');

/** long-session dropped as a bundle too large to hold is (read from its Files as the reducer goes), `read` reading each group's Blobs. */
async function reduceFromFiles(read: ReturnType<typeof offThreadReader>): Promise<string> {
  const files = new Map(folderInputs('long-session').map((f) => [f.path.replace(/^long-session\//, ''), f.file]));
  const result = await reduceBundle(withBlobReadAhead(new MemorySource('long-session', files), { read }), { unknownEvents: 'skip' });
  return serializeState(result.state!);
}

describe('dropped files read by a reader worker', () => {
  it('opens long-session with its official state, every group read by the reader', async () => {
    const counts = { reads: 0 };
    const text = await reduceFromFiles(offThreadReader(() => nodeReader(counts)));
    expect(text).toBe(officialState('long-session'));
    // 430-odd payloads, in groups of 64.
    expect(counts.reads).toBeGreaterThan(5);
  });

  it('gives each file its own bytes, in the order the group lists them', async () => {
    const read = offThreadReader(() => nodeReader({ reads: 0 }));
    const items = ['one', 'two', '', 'three'].map((t, i) => ({ path: `p/${i}`, file: new Blob([t]) }));
    const got: string[] = [];
    await readGrouped(items, (g) => g.forEach(({ body }) => got.push(body instanceof Error ? 'error' : new TextDecoder().decode(body))), { read });
    expect(got).toEqual(['one', 'two', '', 'three']);
  });

  it('fails a file changed on disk since the drop alone, naming why, and reads the rest', async () => {
    const read = offThreadReader(() => nodeReader({ reads: 0 }));
    const ok = (t: string) => ({ path: t, file: new Blob([t]) });
    // A file whose size no longer matches what was dropped, and whose own read fails.
    const changed = new (class extends File {
      override get size() {
        return super.size + 1;
      }
      override arrayBuffer(): Promise<ArrayBuffer> {
        return Promise.reject(new Error('NotReadableError: the file changed on disk'));
      }
    })(['gone'], 'changed');
    const got: string[] = [];
    await readGrouped(
      [ok('a'), { path: 'changed', file: changed }, ok('c')],
      (g) => g.forEach(({ body }) => got.push(body instanceof Error ? body.message : new TextDecoder().decode(body))),
      { read },
    );
    expect(got).toEqual(['a', 'NotReadableError: the file changed on disk', 'c']);
  });

  it('still opens the bundle when the reader cannot start, reading on the worker’s own thread', async () => {
    expect(await reduceFromFiles(offThreadReader(() => brokenReader()))).toBe(officialState('long-session'));
    expect(await reduceFromFiles(offThreadReader(() => null))).toBe(officialState('long-session'));
  });
});
