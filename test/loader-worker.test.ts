import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerResponse } from '../src/worker/protocol';
import { parseRequest } from '../src/worker/requests';
import { parseResponse } from '../src/worker/responses';
import type { HandlerDeps } from '../src/worker/handler';
import { harness } from './worker-harness';
import { SearchIndex, snippet } from '../src/worker/search';
import { singleBundleFiles } from '../src/trace/bundle/scan';
import type { RolloutTrace } from '../src/trace/schema/state';
import { formatTraceError } from '../src/trace/errors';
import { formatLocation } from '../src/trace/errors';
import { TRACES, fixtureState, folderInputs, handleFor, listFiles, officialCounts, stateOf, tgzOf, zipOf } from './loader-helpers';

const counts = (s: RolloutTrace) => ({
  threads: Object.keys(s.threads).length,
  turns: Object.keys(s.codex_turns).length,
  items: Object.keys(s.conversation_items).length,
  inferenceCalls: Object.keys(s.inference_calls).length,
  toolCalls: Object.keys(s.tool_calls).length,
  compactions: Object.keys(s.compactions).length,
});

describe('protocol', () => {
  it('accepts well-formed requests and rejects malformed ones with a reason', () => {
    expect(parseRequest({ type: 'search', id: 3, query: 'ls', limit: 10 }).ok).toBe(true);
    expect(parseRequest({ type: 'cancel', id: 4, target: 3 }).ok).toBe(true);
    expect(parseRequest({ type: 'files', id: 5, target: 1, files: [{ path: 'a/payloads/1.json', file: new Blob(['{}']) }] }).ok).toBe(true);
    expect(parseRequest({ type: 'files', id: 5, target: 1, files: [] }).ok).toBe(false);
    expect(parseRequest({ type: 'load', id: 1, label: 'x', input: { kind: 'files', files: [{ path: 'a/trace.jsonl', file: new Blob(['']) }] } }).ok).toBe(true);
    expect(parseRequest({ type: 'load', id: 1, label: 'x', input: { kind: 'url', baseUrl: 'http://127.0.0.1:1/bundles/a/' } }).ok).toBe(true);

    const bad = [
      { type: 'search', id: 3, query: 'ls' }, // no limit
      { type: 'search', id: -1, query: 'ls', limit: 1 },
      { type: 'load', id: 1, label: 'x', input: { kind: 'files', files: [{ path: 'a', file: 'not a blob' }] } },
      { type: 'load', id: 1, label: 'x', input: { kind: 'url', baseUrl: 'not a url' } },
      { type: 'readPayload', id: 2, path: '' },
      { type: 'frobnicate', id: 2 },
      null,
    ];
    for (const b of bad) {
      const r = parseRequest(b);
      expect(r.ok, JSON.stringify(b)).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    }
  });

  it('validates responses, including error locations', () => {
    expect(parseResponse({ type: 'progress', id: 1, bytesDone: 1, bytesTotal: 2, eventsDone: 1 }).ok).toBe(true);
    expect(parseResponse({ type: 'progress', id: 1, bytesDone: -1, bytesTotal: 2, eventsDone: 1 }).ok).toBe(false);
    expect(parseResponse({ type: 'error', id: 1, error: { file: 'trace.jsonl', line: 3, seq: 2, message: 'x', causes: [] } }).ok).toBe(true);
    expect(parseResponse({ type: 'error', id: 1, error: { file: 'trace.jsonl', line: '3', seq: 2, message: 'x', causes: [] } }).ok).toBe(false);
    expect(parseResponse({ type: 'searchResult', id: 1, hits: [{ kind: 'thread', id: 'a', threadId: 't', snippet: '' }] }).ok).toBe(false);
    expect(
      parseResponse({
        type: 'result',
        id: 1,
        label: 'x',
        bundleKey: 'k',
        manifest: null,
        stateParts: [['threads', 3]],
        error: null,
        diagnostics: [],
        eventsApplied: 0,
      }).ok,
    ).toBe(false);
    expect(
      parseResponse({
        type: 'result',
        id: 1,
        label: 'x',
        bundleKey: 'k',
        manifest: null,
        stateParts: [['threads', '{}']],
        error: null,
        diagnostics: [],
        eventsApplied: 0,
      }).ok,
    ).toBe(true);
  });
});

describe('worker handler', () => {
  it('loads a dropped folder and matches the official state', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'tools-one-turn', input: { kind: 'files', files: folderInputs('tools-one-turn') } });
    const result = h.of(1).find((m) => m.type === 'result');
    expect(result?.type).toBe('result');
    if (result?.type !== 'result') return;
    expect(result.error).toBeNull();
    expect(result.label).toBe('tools-one-turn');
    expect(result.bundleKey).toBe(JSON.parse(readFileSync(path.join(TRACES, 'tools-one-turn/manifest.json'), 'utf8')).trace_id);
    expect(JSON.stringify(stateOf(result), null, 2)).toBe(readFileSync(path.join(TRACES, 'tools-one-turn/state.json'), 'utf8'));
  });

  it('loads a zip and a tar.gz', async () => {
    const h = harness();
    await h.send({
      type: 'load',
      id: 1,
      label: 'x.zip',
      input: { kind: 'files', files: [{ path: 'x.zip', file: new File([zipOf(['compaction-remote']) as Uint8Array<ArrayBuffer>], 'x.zip') }] },
    });
    await h.send({
      type: 'load',
      id: 2,
      label: 'y.tgz',
      input: { kind: 'files', files: [{ path: 'y.tgz', file: new File([tgzOf('multi-agent') as Uint8Array<ArrayBuffer>], 'y.tgz') }] },
    });
    for (const [id, name] of [
      [1, 'compaction-remote'],
      [2, 'multi-agent'],
    ] as const) {
      const r = h.of(id).find((m) => m.type === 'result');
      if (r?.type !== 'result') throw new Error(`no result for ${name}: ${JSON.stringify(h.of(id))}`);
      expect(counts(stateOf(r)!)).toEqual(officialCounts(name));
    }
  });

  it('takes a large selection in chunks: the load waits for the announced files', async () => {
    const h = harness();
    const all = folderInputs('tools-one-turn');
    const first = all.slice(0, 10);
    const running = h.send({ type: 'load', id: 1, label: 'tools-one-turn', input: { kind: 'files', files: first, more: all.length - 10 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(h.of(1)).toEqual([]); // still waiting for the rest
    let id = 2;
    for (let i = 10; i < all.length; i += 25) await h.send({ type: 'files', id: id++, target: 1, files: all.slice(i, i + 25) });
    await running;
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'tools-one-turn/state.json'), 'utf8'));
  });

  it('takes a large selection whose remaining files follow right behind the load message', async () => {
    const h = harness();
    const all = folderInputs('tools-one-turn');
    // As the page posts them: one after the other, none waiting for the worker to have begun the load.
    const sent = [h.send({ type: 'load', id: 1, label: 'tools-one-turn', input: { kind: 'files', files: all.slice(0, 10), more: all.length - 10 } })];
    for (let i = 10, id = 2; i < all.length; i += 25) sent.push(h.send({ type: 'files', id: id++, target: 1, files: all.slice(i, i + 25) }));
    await Promise.race([Promise.all(sent), new Promise((_, reject) => setTimeout(() => reject(new Error('the load never got its files')), 10_000))]);
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'tools-one-turn/state.json'), 'utf8'));
  });

  it('a load cancelled while its files are still arriving ends as cancelled', async () => {
    const h = harness();
    const all = folderInputs('single-turn-answer');
    const running = h.send({ type: 'load', id: 1, label: 's', input: { kind: 'files', files: all.slice(0, 2), more: all.length - 2 } });
    await h.send({ type: 'cancel', id: 2, target: 1 });
    await running;
    expect(h.of(1)).toEqual([{ type: 'cancelled', id: 1 }]);
  });

  /** A bundle's files as the main thread streams them: bundle-relative paths and bytes, in the client's reading order. */
  function streamed(name: string) {
    const files = singleBundleFiles(folderInputs(name))!;
    const dir = path.join(TRACES, name);
    return files.map((f) => ({ path: f.path, data: new Uint8Array(readFileSync(path.join(dir, f.path))) }));
  }

  it('reduces a streamed bundle while its bytes arrive, in any order and batching, to the official state', async () => {
    const h = harness();
    const files = streamed('compaction-remote');
    expect(files.slice(0, 2).map((f) => f.path)).toEqual(['manifest.json', 'trace.jsonl']);
    const running = h.send({ type: 'load', id: 1, label: 'compaction-remote', input: { kind: 'stream', paths: files.map((f) => f.path) } });
    // Payloads first and backwards, the event log last: the reducer waits for what it needs.
    const order = [...files].reverse();
    let id = 2;
    for (let i = 0; i < order.length; i += 3) {
      await new Promise((r) => setTimeout(r, 1));
      await h.send({ type: 'bytes', id: id++, target: 1, files: order.slice(i, i + 3) });
    }
    await running;
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'compaction-remote/state.json'), 'utf8'));
    // The same content hash as the same bundle dropped as files (share links name bundles by it).
    const h2 = harness();
    await h2.send({ type: 'load', id: 1, label: 'compaction-remote', input: { kind: 'files', files: folderInputs('compaction-remote') } });
    expect(h2.hashOf(1)).toBe(h.hashOf(1));
    expect(h.hashOf(1)).toMatch(/^[0-9a-f]{64}$/);
    // Progress while files still arrive says so; the last report has the exact total.
    const progress = h.of(1).filter((m) => m.type === 'progress');
    const last = progress.at(-1);
    expect(last?.type === 'progress' && [last.phase, last.bytesTotal]).toEqual(['reducing', files.reduce((n, f) => n + f.data.byteLength, 0)]);
    // Payloads are then served from the streamed bytes.
    await h.send({ type: 'readPayload', id: 99, path: 'payloads/1.json' });
    expect(h.of(99)[0]).toMatchObject({ type: 'payload', path: 'payloads/1.json' });
  });

  it('a streamed file the page could not read fails the load naming that file', async () => {
    const h = harness();
    const files = streamed('single-turn-answer');
    const running = h.send({ type: 'load', id: 1, label: 's', input: { kind: 'stream', paths: files.map((f) => f.path) } });
    const broken = files.find((f) => f.path.startsWith('payloads/'))!;
    await h.send({
      type: 'bytes',
      id: 2,
      target: 1,
      files: files.map((f) => (f === broken ? { path: f.path, error: 'NotReadableError: the file changed on disk' } : f)),
    });
    await running;
    // It fails before the first thread: an error, with no result to replace the trace shown before.
    const r = h.of(1).find((m) => m.type === 'error');
    if (r?.type !== 'error') throw new Error(JSON.stringify(h.of(1)));
    expect(h.of(1).some((m) => m.type === 'result')).toBe(false);
    expect(r.error.file).toBe(broken.path);
    expect(r.error.causes.join(' ')).toContain('the file changed on disk');
  });

  it('a load that fails before any thread leaves the bundle shown before as the one payloads are read from', async () => {
    const h = harness();
    const first = streamed('compaction-remote');
    const loading = h.send({ type: 'load', id: 1, label: 'first', input: { kind: 'stream', paths: first.map((f) => f.path) } });
    await h.send({ type: 'bytes', id: 2, target: 1, files: first });
    await loading;
    expect(h.of(1).some((m) => m.type === 'result')).toBe(true);
    // The next drop lacks its payloads: it stops at the first one, before its first thread.
    const second = streamed('single-turn-answer').filter((f) => !f.path.startsWith('payloads/'));
    const failing = h.send({ type: 'load', id: 3, label: 'second', input: { kind: 'stream', paths: second.map((f) => f.path) } });
    await h.send({ type: 'bytes', id: 4, target: 3, files: second });
    await failing;
    expect(h.of(3).map((m) => m.type)).toContain('error');
    await h.send({ type: 'readPayload', id: 5, path: 'payloads/1.json' });
    expect(h.of(5)[0]).toMatchObject({
      type: 'payload',
      data: JSON.parse(readFileSync(path.join(TRACES, 'compaction-remote', 'payloads/1.json'), 'utf8')),
    });
  });

  it('refuses a bundle over the size limit, dropped or streamed, with the way out', async () => {
    const files = streamed('compaction-remote');
    const total = files.reduce((n, f) => n + f.data.byteLength, 0);
    const h = harness({ maxBundleBytes: Math.floor(total / 2) });
    const running = h.send({ type: 'load', id: 1, label: 'c', input: { kind: 'stream', paths: files.map((f) => f.path) } });
    let id = 2;
    for (const f of files) await h.send({ type: 'bytes', id: id++, target: 1, files: [f] });
    await running;
    const streamedError = h.of(1).find((m) => m.type === 'error');
    expect(streamedError?.type === 'error' && streamedError.error.message).toMatch(
      /too large for a browser tab: [\d.]+ [KMG]iB of events and payloads, over the [\d.]+ [KMG]iB limit; nothing was read/,
    );
    expect(streamedError?.type === 'error' && (streamedError.error.advice ?? []).join(' ')).toContain('codex-trace-viewer reduce <bundle>');
    expect(h.of(1).some((m) => m.type === 'result')).toBe(false);
  });

  it('hashes and keeps a dropped bundle only once the page has drawn it, or after a while when it never says', async () => {
    const kept: string[] = [];
    const recent = { put: async (m: { hash: string }) => void kept.push(m.hash) } as unknown as HandlerDeps['recent'];
    const h = harness({ recent, landedWaitMs: 60_000 }, undefined, false);
    const loading = h.send({ type: 'load', id: 1, label: 'single-turn-answer', input: { kind: 'files', files: folderInputs('single-turn-answer') } });
    await expect.poll(() => h.of(1).some((m) => m.type === 'result')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.of(1).some((m) => m.type === 'hash')).toBe(false);
    expect(kept).toEqual([]);
    await h.send({ type: 'landed', id: 2, target: 1 });
    await loading;
    expect(h.hashOf(1)).toMatch(/^[0-9a-f]{64}$/);
    expect(kept).toEqual([h.hashOf(1)]);

    // A page that never says: the hash comes after the longest wait.
    const quiet = harness({ landedWaitMs: 50 }, undefined, false);
    await quiet.send({ type: 'load', id: 1, label: 'single-turn-answer', input: { kind: 'files', files: folderInputs('single-turn-answer') } });
    expect(quiet.hashOf(1)).toBe(h.hashOf(1));
  });

  it('opens a dropped or picked bundle too large to hold by reading its files as it reduces, to the official state', async () => {
    const files = folderInputs('long-session');
    const total = files.filter((f) => !/(manifest|state)\.json$|scenario\.md$/.test(f.path)).reduce((n, f) => n + f.file.size, 0);
    const official = readFileSync(path.join(TRACES, 'long-session/state.json'), 'utf8');
    const h = harness({ maxBundleBytes: Math.floor(total / 4) });
    await h.send({ type: 'load', id: 1, label: 'long-session', input: { kind: 'files', files } });
    await h.send({ type: 'load', id: 2, label: 'long-session', input: { kind: 'handles', handles: [handleFor(path.join(TRACES, 'long-session'))] } });
    for (const id of [1, 2]) {
      const r = h.of(id).find((m) => m.type === 'result');
      if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(id)));
      expect(JSON.stringify(stateOf(r), null, 2)).toBe(official);
      // Not hashed, not kept among the recent bundles: either would mean reading and holding all of it.
      expect(r.hashFollows).toBe(false);
      expect(h.of(id).some((m) => m.type === 'hash')).toBe(false);
    }
    // Its payloads are still shown: read again from the files when asked for.
    const ref = Object.values(stateOf(h.of(2).find((m) => m.type === 'result') as Extract<WorkerResponse, { type: 'result' }>)!.raw_payloads)[0];
    await h.send({ type: 'readPayload', id: 3, path: ref.path });
    expect(h.of(3).find((m) => m.type === 'payload')).toMatchObject({
      path: ref.path,
      data: JSON.parse(readFileSync(path.join(TRACES, 'long-session', ref.path!), 'utf8')),
    });
    // Packing it into one file would mean holding it: refused, saying what to share instead.
    await h.send({ type: 'exportBundle', id: 4 });
    expect(h.of(4).find((m) => m.type === 'error')).toMatchObject({
      error: { message: expect.stringMatching(/too large for a browser tab to hold.*Share the bundle folder/) },
    });
  });

  it('refuses a dropped or picked bundle whose event log is over the tab’s limit, before reading it, however small its payloads', async () => {
    const files = folderInputs('compaction-remote');
    const log = files.find((f) => f.path.endsWith('trace.jsonl'))!.file.size;
    for (const maxBundleBytes of [1000, undefined]) {
      const h = harness({ maxBundleBytes, maxDroppedLogBytes: Math.floor(log / 2) });
      await h.send({ type: 'load', id: 1, label: 'c', input: { kind: 'files', files } });
      await h.send({ type: 'load', id: 2, label: 'c', input: { kind: 'handles', handles: [handleFor(path.join(TRACES, 'compaction-remote'))] } });
      for (const id of [1, 2]) {
        const err = h.of(id).find((m) => m.type === 'error');
        expect(err?.type === 'error' && err.error.message).toMatch(
          /event log is too large for a browser tab to reduce: [\d.]+ [KMG]?i?B, over the [\d.]+ [KMG]?i?B limit; nothing was read/,
        );
        expect(err?.type === 'error' && (err.error.advice ?? []).join(' ')).toContain('codex-trace-viewer serve <bundle>');
        expect(h.of(id).some((m) => m.type === 'result')).toBe(false);
      }
    }
  });

  it('a streamed load cancelled before its files arrive ends as cancelled', async () => {
    const h = harness();
    const files = streamed('single-turn-answer');
    const running = h.send({ type: 'load', id: 1, label: 's', input: { kind: 'stream', paths: files.map((f) => f.path) } });
    await h.send({ type: 'bytes', id: 2, target: 1, files: files.slice(0, 1) });
    await h.send({ type: 'cancel', id: 3, target: 1 });
    await running;
    expect(h.of(1).filter((m) => m.type !== 'progress')).toEqual([{ type: 'cancelled', id: 1 }]);
  });

  it('walks and reads dropped file-system handles itself: one bundle to the official state, several to a choice', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'compaction-remote', input: { kind: 'handles', handles: [handleFor(path.join(TRACES, 'compaction-remote'))] } });
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'compaction-remote/state.json'), 'utf8'));
    // The same bundle, the same content hash, however it came.
    const h2 = harness();
    await h2.send({ type: 'load', id: 1, label: 'compaction-remote', input: { kind: 'files', files: folderInputs('compaction-remote') } });
    expect(h2.hashOf(1)).toBe(h.hashOf(1));

    const reads: string[] = [];
    await h.send({
      type: 'load',
      id: 2,
      label: 'multi-turn-resume',
      input: { kind: 'handles', handles: [handleFor(path.join(TRACES, 'multi-turn-resume'), reads)] },
    });
    const bundles = h.of(2).find((m) => m.type === 'bundles');
    expect(bundles?.type === 'bundles' && bundles.groups[0].bundles.map((b) => b.key)).toEqual([
      'multi-turn-resume',
      'multi-turn-resume/bundle-2',
      'multi-turn-resume/bundle-3',
    ]);
    // A root: once two bundles are met, only manifests are read to list it; a bundle's files when it is opened.
    const payloadsOf = (b: string) => reads.filter((p) => p.startsWith(`multi-turn-resume/${b}/payloads/`));
    expect(reads).toContain('multi-turn-resume/bundle-3/manifest.json');
    expect(payloadsOf('bundle-2')).toEqual([]);
    expect(reads).not.toContain('list:multi-turn-resume/bundle-2/payloads');
    await h.send({ type: 'select', id: 3, scanId: 2, key: 'multi-turn-resume/bundle-2' });
    const picked = h.of(3).find((m) => m.type === 'result');
    if (picked?.type !== 'result') throw new Error(JSON.stringify(h.of(3)));
    expect(JSON.stringify(stateOf(picked), null, 2)).toBe(readFileSync(path.join(TRACES, 'multi-turn-resume/bundle-2/state.json'), 'utf8'));
    expect(payloadsOf('bundle-2').length).toBeGreaterThan(0);
    expect(payloadsOf('bundle-3')).toEqual([]);
    expect(reads).not.toContain('list:multi-turn-resume/bundle-3/payloads');
  });

  it('throttles progress to one message per interval, and always sends the last one', async () => {
    let t = 0;
    const reduce: HandlerDeps['reduce'] = async (source, opts) => {
      for (let i = 1; i <= 100; i++) {
        t += 5; // 100 reports 5 ms apart: 500 ms in all
        opts?.onProgress?.({ bytesDone: i, bytesTotal: 100, eventsDone: i });
      }
      const real = await import('../src/trace/reducer');
      return real.reduceBundle(source);
    };
    const h2 = harness({ now: () => t, progressIntervalMs: 50, reduce });
    await h2.send({ type: 'load', id: 7, label: 's', input: { kind: 'files', files: folderInputs('single-turn-answer') } });
    const progress = h2.of(7).filter((m) => m.type === 'progress');
    expect(progress.length).toBeLessThanOrEqual(11); // ≤ 20 per second of (fake) time, plus the final one
    expect(progress.length).toBeGreaterThanOrEqual(9);
    expect(progress[progress.length - 1]).toMatchObject({ bytesDone: 100, eventsDone: 100 });
  });

  it('a progress report held back by the interval still arrives when no other follows it', async () => {
    let release: () => void = () => {};
    const reduce: HandlerDeps['reduce'] = (_source, opts) =>
      new Promise((_resolve, reject) => {
        opts?.onProgress?.({ bytesDone: 1, bytesTotal: 100, eventsDone: 1 });
        opts?.onProgress?.({ bytesDone: 60, bytesTotal: 100, eventsDone: 60 }); // within the interval: held back
        release = () => reject(new Error('done'));
      });
    const h = harness({ progressIntervalMs: 30, reduce });
    void h.send({ type: 'load', id: 1, label: 's', input: { kind: 'files', files: folderInputs('single-turn-answer') } });
    await new Promise((r) => setTimeout(r, 120));
    const progress = h.of(1).filter((m) => m.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ eventsDone: 60 });
    release();
  });

  it('reports progress against the bytes of trace.jsonl and the payloads, not the trace alone', async () => {
    const h = harness({ progressIntervalMs: 0 });
    await h.send({ type: 'load', id: 1, label: 'long', input: { kind: 'files', files: folderInputs('long-session') } });
    const progress = h.of(1).filter((m) => m.type === 'progress');
    const dir = path.join(TRACES, 'long-session');
    const expected = listFiles(dir, dir)
      .filter((p) => p === 'trace.jsonl' || p.startsWith('payloads/'))
      .reduce((n, p) => n + readFileSync(path.join(dir, p)).byteLength, 0);
    expect(progress.length).toBeGreaterThan(3);
    for (const p of progress) if (p.type === 'progress') expect(p.bytesTotal).toBe(expected);
    const ratios = progress.map((p) => (p.type === 'progress' ? p.bytesDone / p.bytesTotal : 0));
    expect(ratios[0]).toBeLessThan(0.5);
    expect(ratios[ratios.length - 1]).toBeGreaterThan(0.95);
    expect(ratios).toEqual([...ratios].sort((a, b) => a - b));
  });

  it('asks to pick when the drop holds several bundles, then loads the chosen one', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'multi-turn-resume', input: { kind: 'files', files: folderInputs('multi-turn-resume') } });
    const bundles = h.of(1).find((m) => m.type === 'bundles');
    if (bundles?.type !== 'bundles') throw new Error('expected a bundle list');
    expect(bundles.groups).toHaveLength(1);
    expect(bundles.groups[0].bundles.map((b) => b.key)).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    await h.send({ type: 'select', id: 2, scanId: 1, key: 'multi-turn-resume/bundle-3' });
    const r = h.of(2).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(2)));
    expect(r.label).toBe('multi-turn-resume/bundle-3');
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'multi-turn-resume/bundle-3/state.json'), 'utf8'));
    // A stale scan id is refused.
    await h.send({ type: 'select', id: 3, scanId: 99, key: 'multi-turn-resume' });
    expect(h.of(3)[0]).toMatchObject({ type: 'error' });
  });

  it('summarises every bundle of a dropped root for the session list, as serve does; skips what the page has', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'multi-turn-resume', input: { kind: 'files', files: folderInputs('multi-turn-resume') } });
    await h.send({ type: 'summarizeScan', id: 2, scanId: 1, skip: [] });
    const got = h.of(2).filter((m) => m.type === 'scanSummary');
    expect(got.at(-1)).toMatchObject({ done: true, summary: null });
    const summaries = new Map(got.flatMap((m) => (m.type === 'scanSummary' && m.summary ? [[m.key, m.summary] as const] : [])));
    expect([...summaries.keys()].sort()).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    for (const [key, summary] of summaries) {
      const ref = JSON.parse(readFileSync(path.join(TRACES, key, 'state.json'), 'utf8'));
      expect(summary.status).toBe('complete');
      expect(summary.rolloutId).toBe(ref.rollout_id);
      expect(summary.inferenceCalls).toBe(Object.keys(ref.inference_calls).length);
    }
    // Reopened after a pick: only what the page does not have yet.
    await h.send({ type: 'summarizeScan', id: 3, scanId: 1, skip: ['multi-turn-resume', 'multi-turn-resume/bundle-2'] });
    expect(
      h
        .of(3)
        .filter((m) => m.type === 'scanSummary' && !m.done)
        .map((m) => m.type === 'scanSummary' && m.key),
    ).toEqual(['multi-turn-resume/bundle-3']);
    // A scan that is gone ends at once.
    await h.send({ type: 'summarizeScan', id: 4, scanId: 99, skip: [] });
    expect(h.of(4)).toEqual([{ type: 'scanSummary', id: 4, key: '', summary: null, done: true }]);
  });

  it('a dropped root whose files are unread but for its manifests: listed at once, each bundle read when summarised or opened', async () => {
    const all = folderInputs('multi-turn-resume');
    // Each read of a File of its own is a round trip to the browser's process: the worker reads them a group at a time.
    let ownReads = 0;
    class DroppedFile extends File {
      override arrayBuffer() {
        ownReads++;
        return super.arrayBuffer();
      }
    }
    const manifests = all
      .filter((f) => f.path.endsWith('/manifest.json'))
      .map((f) => ({ path: f.path, file: new DroppedFile([readFileSync(path.join(TRACES, f.path))], 'manifest.json') }));
    // The walk named the event logs, and did not enter the payloads/ folders.
    const unread = all.filter((f) => !f.path.endsWith('/manifest.json') && !f.path.includes('/payloads/')).map((f) => f.path);
    const unreadFolders = ['multi-turn-resume/payloads', 'multi-turn-resume/bundle-2/payloads', 'multi-turn-resume/bundle-3/payloads'];
    const asked: string[][] = [];
    // The page's part: the Files the worker asks for, a folder's files then the folder done; one file it cannot get (moved since the drop).
    const gone = 'multi-turn-resume/bundle-3/trace.jsonl';
    let nextId = 1000;
    const h = harness({}, (m) => {
      if (m.type !== 'needFiles') return;
      const inFolders = m.folders.flatMap((f) => listFiles(path.join(TRACES, f), path.join(TRACES, f)).map((rel) => `${f}/${rel}`));
      asked.push([...m.paths, ...inFolders]);
      const files = [...m.paths, ...inFolders].map((p) =>
        p === gone ? { path: p, error: 'NotFoundError' } : { path: p, file: new DroppedFile([readFileSync(path.join(TRACES, p))], path.basename(p)) },
      );
      queueMicrotask(
        () =>
          void h
            .send({ type: 'unreadFiles', id: nextId++, target: m.id, files })
            .then(() => h.send({ type: 'unreadFiles', id: nextId++, target: m.id, files: [], done: m.folders })),
      );
    });
    await h.send({ type: 'load', id: 1, label: 'multi-turn-resume', input: { kind: 'files', files: manifests, unread, unreadFolders } });
    const bundles = h.of(1).find((m) => m.type === 'bundles');
    if (bundles?.type !== 'bundles') throw new Error(JSON.stringify(h.of(1)));
    const listed = bundles.groups.flatMap((g) => g.bundles);
    expect(listed.map((b) => [b.key, b.problem, b.sizeBytes])).toEqual([
      ['multi-turn-resume', null, null],
      ['multi-turn-resume/bundle-2', null, null],
      ['multi-turn-resume/bundle-3', null, null],
    ]);
    expect(asked).toEqual([]);
    expect(ownReads).toBe(0);

    await h.send({ type: 'summarizeScan', id: 2, scanId: 1, skip: [] });
    const got = new Map(h.of(2).flatMap((m) => (m.type === 'scanSummary' && !m.done ? [[m.key, m] as const] : [])));
    // Each bundle's own bytes, as a drop read whole measures them (a nested bundle's files are its own).
    const eager = harness();
    await eager.send({ type: 'load', id: 1, label: 'multi-turn-resume', input: { kind: 'files', files: all } });
    const measured = eager.of(1).find((m) => m.type === 'bundles');
    if (measured?.type !== 'bundles') throw new Error('expected a bundle list');
    for (const b of measured.groups.flatMap((g) => g.bundles)) {
      const m = got.get(b.key)!;
      if (b.key === 'multi-turn-resume/bundle-3') {
        expect(m.summary?.error).toContain(`${gone} could not be read`);
        continue;
      }
      expect(m.sizeBytes).toBe(b.sizeBytes);
      const ref = JSON.parse(readFileSync(path.join(TRACES, b.key, 'state.json'), 'utf8'));
      expect(m.summary).toMatchObject({ status: 'complete', rolloutId: ref.rollout_id, inferenceCalls: Object.keys(ref.inference_calls).length });
    }
    expect(ownReads).toBe(0);
    // Asked bundle by bundle: each request names only files of the bundle being read.
    for (const paths of asked) expect(new Set(paths.map((p) => listed.filter((b) => p.startsWith(`${b.key}/`)).at(-1)!.key)).size).toBe(1);

    // Opening one reads it again (summaries keep no bytes) and gives the official state; the unreadable one names its file.
    await h.send({ type: 'select', id: 3, scanId: 1, key: 'multi-turn-resume/bundle-2' });
    const r = h.of(3).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(3)));
    expect(JSON.stringify(stateOf(r), null, 2)).toBe(readFileSync(path.join(TRACES, 'multi-turn-resume/bundle-2/state.json'), 'utf8'));
    await h.send({ type: 'select', id: 4, scanId: 1, key: 'multi-turn-resume/bundle-3' });
    expect(h.of(4)).toEqual([{ type: 'error', id: 4, error: expect.objectContaining({ file: gone, message: expect.stringContaining('could not be read') }) }]);
  });

  it('reports a missing manifest and another schema as plain errors, with nothing reduced', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'missing-manifest', input: { kind: 'files', files: folderInputs('broken/missing-manifest') } });
    await h.send({ type: 'load', id: 2, label: 'v99', input: { kind: 'files', files: folderInputs('broken/unknown-schema-version') } });
    await h.send({ type: 'load', id: 3, label: 'nothing', input: { kind: 'files', files: [{ path: 'notes.txt', file: new Blob(['hi']) }] } });
    expect(h.of(1)).toEqual([
      { type: 'error', id: 1, error: expect.objectContaining({ file: 'manifest.json', message: expect.stringMatching(/manifest\.json is missing/) }) },
    ]);
    expect(h.of(2)).toEqual([{ type: 'error', id: 2, error: expect.objectContaining({ message: expect.stringMatching(/schema 99/) }) }]);
    expect(h.of(3)).toEqual([{ type: 'error', id: 3, error: expect.objectContaining({ message: expect.stringMatching(/No trace bundle found in nothing/) }) }]);
  });

  it('returns the partial state with the failing line and seq for a truncated trace', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 't', input: { kind: 'files', files: folderInputs('broken/truncated-mid-file') } });
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    expect(r.error).toMatchObject({ file: 'trace.jsonl', line: 10 });
    expect(r.error?.seq).toBe(10);
    expect(stateOf(r)).not.toBeNull();
    expect(r.eventsApplied).toBe(9);
  });

  it('skips unknown event types (the worker asks for unknownEvents: skip) with a diagnostic group naming line and seq', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'u', input: { kind: 'files', files: folderInputs('broken/unknown-event-type') } });
    const r = h.of(1).find((m) => m.type === 'result');
    if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
    // The inserted line 7 is a copy of line 6 (seq 6) with an unknown type.
    expect(r.diagnostics).toEqual([
      {
        kind: 'unknown_event_type',
        file: 'trace.jsonl',
        eventType: 'totally_unknown_event',
        message: 'unknown event type `totally_unknown_event`',
        count: 1,
        first: { line: 7, seq: 6 },
        last: { line: 7, seq: 6 },
        sample: [{ line: 7, seq: 6 }],
        omitted: 0,
      },
    ]);
    expect(stateOf(r)).not.toBeNull();
  });

  it('cancels a running load', async () => {
    const h = harness();
    const running = h.send({ type: 'load', id: 1, label: 'long', input: { kind: 'files', files: folderInputs('long-session') } });
    // Let it start reading, then cancel.
    await new Promise((r) => setTimeout(r, 5));
    await h.send({ type: 'cancel', id: 2, target: 1 });
    await running;
    expect(h.of(1).map((m) => m.type)).toContain('cancelled');
    expect(h.of(1).map((m) => m.type)).not.toContain('result');
  });

  it('serves payloads on demand and searches the loaded trace', async () => {
    const h = harness();
    await h.send({ type: 'readPayload', id: 1, path: 'payloads/1.json' });
    expect(h.of(1)[0]).toMatchObject({ type: 'error', error: { message: 'No trace is loaded.' } });
    await h.send({ type: 'load', id: 2, label: 'tools', input: { kind: 'files', files: folderInputs('tools-one-turn') } });
    await h.send({ type: 'readPayload', id: 3, path: 'payloads/3.json' });
    expect(h.of(3)[0]).toEqual({
      type: 'payload',
      id: 3,
      path: 'payloads/3.json',
      data: JSON.parse(readFileSync(path.join(TRACES, 'tools-one-turn/payloads/3.json'), 'utf8')),
    });
    await h.send({ type: 'readPayload', id: 4, path: 'raw_payload:3' });
    expect(h.of(4)[0]).toMatchObject({ type: 'payload', path: 'payloads/3.json' });
    await h.send({ type: 'readPayload', id: 8, path: 'constructor' });
    expect(h.of(8)[0]).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/not in the bundle/) } });
    await h.send({ type: 'readPayload', id: 5, path: '../state.json' });
    expect(h.of(5)[0]).toMatchObject({ type: 'error' });
    await h.send({ type: 'readPayload', id: 6, path: 'payloads/9999.json' });
    expect(h.of(6)[0]).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/not in the bundle/) } });

    const state = fixtureState('tools-one-turn') as unknown as RolloutTrace;
    const tool = Object.values(state.tool_calls).find((t) => t.terminal_operation_id)!;
    const op = state.terminal_operations[tool.terminal_operation_id!];
    const cmd = op.request.type === 'exec_command' ? op.request.display_command : '';
    expect(cmd.length).toBeGreaterThan(2);
    await h.send({ type: 'search', id: 7, query: cmd.toUpperCase(), limit: 5 });
    const hits = h.of(7)[0];
    if (hits.type !== 'searchResult') throw new Error('expected hits');
    expect(hits.hits).toContainEqual(expect.objectContaining({ kind: 'tool_call', id: tool.tool_call_id, threadId: tool.thread_id }));
  });

  it('answers a malformed request with an error', async () => {
    const h = harness();
    await h.send({ type: 'search', id: 5, query: 3, limit: 1 });
    expect(h.of(5)[0]).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/malformed/) } });
  });
});

describe('search index', () => {
  it('finds item text case-insensitively, in item order, with a snippet around the match', () => {
    const state = fixtureState('long-session') as unknown as RolloutTrace;
    const idx = new SearchIndex(state);
    const user = Object.values(state.conversation_items).find((i) => i.role === 'user' && i.body.parts.some((p) => p.type === 'text'))!;
    const text = (user.body.parts.find((p) => p.type === 'text') as { text: string }).text;
    const word = text.split(/\s+/).find((w) => w.length > 5)!;
    const hits = idx.search(word.toUpperCase(), 1000);
    expect(hits.some((h) => h.id === user.item_id && h.kind === 'conversation_item' && h.threadId === user.thread_id)).toBe(true);
    expect(hits.every((h) => h.snippet.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    expect(idx.search(word, 2)).toHaveLength(2);
    expect(idx.search('   ')).toEqual([]);
    expect(idx.search('zzzz-no-such-text-zzzz')).toEqual([]);
  });

  it('cuts snippets on both sides', () => {
    const text = `${'a'.repeat(100)}NEEDLE${'b'.repeat(100)}`;
    const s = snippet(text, 100, 6);
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('NEEDLE');
    expect(snippet('short NEEDLE', 6, 6)).toBe('short NEEDLE');
  });

  it("marks each occurrence of the query in a hit's snippet, as written, and keeps the text's own marker characters out", () => {
    const text = 'Run echo step-3; then Step-3 again\u0001 and\n\nmore';
    const idx = new SearchIndex({
      conversation_items: {
        'conversation_item:1': { item_id: 'conversation_item:1', thread_id: 't', body: { parts: [{ type: 'text', text }] } },
      },
      tool_calls: {},
      terminal_operations: {},
    } as unknown as RolloutTrace);
    const [hit] = idx.search('STEP-3');
    expect(hit.snippet).toBe('Run echo \u0001step-3\u0002; then \u0001Step-3\u0002 again and more');
  });
});

describe('worker handler: a seq beyond 2^53 (issue 14, item 6)', () => {
  /** single-turn-answer with line 4's seq replaced by `seqText` (as it is written in the file). */
  function withSeq(seqText: string) {
    return folderInputs('single-turn-answer').map((f) => {
      if (!f.path.endsWith('/trace.jsonl')) return f;
      const lines = readFileSync(path.join(TRACES, 'single-turn-answer/trace.jsonl'), 'utf8').split('\n');
      lines[3] = lines[3].replace(/"seq":4,/, `"seq":${seqText},`);
      expect(lines[3]).toContain(`"seq":${seqText},`);
      return { path: f.path, file: new File([lines.join('\n')], 'trace.jsonl') };
    });
  }

  for (const seqText of ['9007199254740993', '1e400', '18446744073709551616']) {
    it(`reports seq ${seqText} as written in the file and keeps the partial state`, async () => {
      const h = harness();
      await h.send({ type: 'load', id: 1, label: 'big-seq', input: { kind: 'files', files: withSeq(seqText) } });
      const r = h.of(1).find((m) => m.type === 'result');
      if (r?.type !== 'result') throw new Error(JSON.stringify(h.of(1)));
      expect(r.error).toMatchObject({ file: 'trace.jsonl', line: 4, seq: null, seqText });
      expect(formatTraceError(r.error!)).toContain(`line 4, seq ${seqText}:`);
      // What the load banner shows above the partial state.
      expect(formatLocation(r.error!)).toBe(`trace.jsonl, line 4, seq ${seqText}`);
      expect(r.error!.causes.join('\n')).not.toMatch(/JsonNumber|received pc/);
      expect(r.eventsApplied).toBe(3);
      expect(stateOf(r)).not.toBeNull();
    });
  }
});
