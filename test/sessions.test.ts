/**
 * The session list behind a served trace root (issue 19, first part): each
 * bundle summarised from its reduced state (figures checked against the
 * official state.json), found and re-summarised while Codex writes, kept
 * across restarts, a bad bundle failing only its own row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DirectorySource } from '../src/cli/directory-source';
import { resolveRoots, serve } from '../src/cli/serve';
import { SessionCatalog, SessionListSchema } from '../src/cli/sessions/catalog';
import { SessionListChangesSchema } from '../src/trace/sessions/list';
import { childSummarizer, summarizeAndIndex } from '../src/cli/sessions/child';
import { reduceBundle } from '../src/trace/reducer';
import { summarizeSession, type SessionSummary } from '../src/trace/sessions/summary';
import type { RolloutTrace } from '../src/trace/schema/state';
import { TRACES } from './loader-helpers';

const official = (name: string): RolloutTrace => JSON.parse(readFileSync(path.join(TRACES, name, 'state.json'), 'utf8'));
const here = async (dir: string, _signature?: string): Promise<SessionSummary> =>
  summarizeSession(await reduceBundle(new DirectorySource(dir), { unknownEvents: 'skip' }));
/** As a summariser that leaves the bundle's size to the catalog. */
const unmeasured = async (dir: string) => ({ summary: await here(dir), measured: null });

/** What the list's size column is about: the manifest, the event log and every payload file. */
function bundleBytes(dir: string): number {
  const payloads = path.join(dir, 'payloads');
  const files = ['manifest.json', 'trace.jsonl', ...(existsSync(payloads) ? readdirSync(payloads).map((n) => path.join('payloads', n)) : [])];
  return files.map((f) => path.join(dir, f)).reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-sessions-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function until<T>(f: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a session summary', () => {
  for (const name of ['compaction-remote', 'multi-agent', 'multi-turn-manual-compact', 'tools-one-turn']) {
    it(`${name}: counts, tokens and models are the official state's`, async () => {
      const s = await here(path.join(TRACES, name));
      const o = official(name);
      const calls = Object.values(o.inference_calls);
      expect(s).toMatchObject({
        traceId: o.trace_id,
        rolloutId: o.rollout_id,
        startedAtMs: o.started_at_unix_ms,
        schemaVersion: o.schema_version,
        agents: Object.keys(o.threads).length,
        turns: Object.keys(o.codex_turns).length,
        inferenceCalls: calls.length,
        toolCalls: Object.keys(o.tool_calls).length,
        compactionsTraced: Object.keys(o.compactions).length,
        error: null,
      });
      expect(s.tokens.input).toBe(calls.reduce((n, c) => n + (c.usage?.input_tokens ?? 0), 0));
      expect(s.tokens.cachedInput).toBe(calls.reduce((n, c) => n + (c.usage?.cached_input_tokens ?? 0), 0));
      expect(s.tokens.output).toBe(calls.reduce((n, c) => n + (c.usage?.output_tokens ?? 0), 0));
      expect(s.tokens.reasoning).toBe(calls.reduce((n, c) => n + (c.usage?.reasoning_output_tokens ?? 0), 0));
      expect(new Set(s.models)).toEqual(new Set(calls.map((c) => c.model)));
      // Per model, for the list's cost: the same sums, split by model.
      for (const m of s.tokensByModel) {
        const mine = calls.filter((c) => c.model === m.model);
        expect(m.calls).toBe(mine.length);
        expect(m.noUsage).toBe(mine.filter((c) => !c.usage).length);
        expect(m.input).toBe(mine.reduce((n, c) => n + (c.usage?.input_tokens ?? 0), 0));
        expect(m.output).toBe(mine.reduce((n, c) => n + (c.usage?.output_tokens ?? 0), 0));
      }
      expect(s.tokensByModel.map((m) => m.model).sort()).toEqual([...new Set(calls.map((c) => c.model))].sort());
      expect(s.status).toBe(o.recording_complete === false ? 'unclosed' : 'complete');
    });
  }

  it('names the first thing the user asked, not the environment preamble', async () => {
    const s = await here(path.join(TRACES, 'single-turn-answer'));
    expect(s.firstPrompt).toBeTruthy();
    expect(s.firstPrompt).not.toMatch(/^<environment_context>/);
    const userTexts = Object.values(official('single-turn-answer').conversation_items)
      .filter((i) => i.role === 'user')
      .map((i) => i.body.parts.map((p) => ('text' in p ? p.text : '')).join(''));
    expect(userTexts.some((t) => t.trim().startsWith(s.firstPrompt!.slice(0, 40)))).toBe(true);
  });

  it('a local /compact with no compaction record is counted as detected', async () => {
    const s = await here(path.join(TRACES, 'multi-turn-manual-compact'));
    expect(s.compactionsTraced + s.compactionsDetected).toBeGreaterThan(0);
  });

  it('a bundle cut mid-file is partial with its error; one with no manifest failed', async () => {
    const cut = await here(path.join(TRACES, 'broken', 'truncated-mid-file'));
    expect(cut.status).toBe('partial');
    expect(cut.error).toMatch(/trace\.jsonl/);
    const none = await here(path.join(TRACES, 'broken', 'missing-manifest'));
    expect(none.status).toBe('failed');
    expect(none.error).toMatch(/manifest/);
  });
});

describe('the session catalog of a trace root', () => {
  it('lists every bundle, summarises each in the background, finds new ones and follows changes', async () => {
    const root = path.join(tmp, 'root1');
    for (const n of ['single-turn-answer', 'tools-one-turn']) cpSync(path.join(TRACES, n), path.join(root, n), { recursive: true });
    cpSync(path.join(TRACES, 'broken', 'truncated-mid-file'), path.join(root, 'bad'), { recursive: true });
    const calls: string[] = [];
    const cacheFile = path.join(tmp, 'cache', 'root1.json');
    // The summariser serve runs in its own process: it measures each bundle from what its reduction read.
    const summarize = (d: string) => (calls.push(path.basename(d)), summarizeAndIndex(d, '', null));
    const catalog = new SessionCatalog(await resolveRoots([root]), { summarize, cacheFile, pollMs: 30 });
    await catalog.start();
    expect(catalog.list().total).toBe(3);
    // Summaries and sizes come in the background, neither waiting for the other.
    const done = await until(() => (catalog.list().summarised === 3 && catalog.list().sessions.every((r) => (r.sizeBytes ?? 0) > 0) ? catalog.list() : null));
    const byName = new Map(done.sessions.map((s) => [s.name, s]));
    expect(byName.get('root1/single-turn-answer')?.summary?.status).toBe('complete');
    expect(byName.get('root1/tools-one-turn')?.summary?.toolCalls).toBe(Object.keys(official('tools-one-turn').tool_calls).length);
    expect(byName.get('root1/bad')?.summary?.status).toBe('partial'); // and the others are unaffected
    // Every file counts, payloads the reduction never opened (the truncated log's later ones) too.
    for (const n of ['single-turn-answer', 'tools-one-turn', 'bad']) expect(byName.get(`root1/${n}`)!.sizeBytes).toBe(bundleBytes(path.join(root, n)));
    expect(SessionListSchema.safeParse(done).success).toBe(true);
    // What /bundles/sessions.json answers is the list as it stands, made again after a change.
    expect(JSON.parse(catalog.listJson())).toEqual(catalog.list());

    // A new bundle appears at the next scan; an appended one is summarised again.
    // Copied aside and moved in whole: a scan meeting a half-copied bundle would summarise it twice.
    cpSync(path.join(TRACES, 'multi-agent'), path.join(root, '..', 'multi-agent-copy'), { recursive: true });
    renameSync(path.join(root, '..', 'multi-agent-copy'), path.join(root, 'multi-agent'));
    await until(() => catalog.list().sessions.find((s) => s.name === 'root1/multi-agent' && !s.pending));
    const before = calls.length;
    appendFileSync(path.join(root, 'single-turn-answer', 'trace.jsonl'), '\n');
    await until(() => calls.length > before && catalog.list().summarised === 4);
    expect(calls.slice(before)).toEqual(['single-turn-answer']);
    expect(JSON.parse(catalog.listJson())).toEqual(catalog.list());
    catalog.close();

    // After a restart, the cache answers: nothing is summarised again.
    const again: string[] = [];
    const restarted = new SessionCatalog(await resolveRoots([root]), { summarize: (d) => (again.push(d), unmeasured(d)), cacheFile, pollMs: 30 });
    await restarted.start();
    expect(restarted.list().summarised).toBe(4);
    // Sizes too: the cache keeps them, so a restart stats no payload.
    expect(restarted.list().sessions.map((r) => [r.name, r.sizeBytes])).toEqual(
      restarted.list().sessions.map((r) => [r.name, bundleBytes(path.join(root, r.name.replace(/^root1\//, '')))]),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(again).toEqual([]);
    restarted.close();

    // A cache written before summaries had tokens per model is not read: every bundle is summarised again.
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(cached.v).toBe(2);
    writeFileSync(
      cacheFile,
      JSON.stringify({ v: 1, entries: cached.entries.map((e: any) => ({ ...e, summary: { ...e.summary, tokensByModel: undefined } })) }),
    );
    const fresh: string[] = [];
    const upgraded = new SessionCatalog(await resolveRoots([root]), { summarize: (d) => (fresh.push(d), unmeasured(d)), cacheFile, pollMs: 30 });
    await upgraded.start();
    await until(() => (upgraded.list().summarised === 4 ? true : null));
    expect(fresh).toHaveLength(4);
    expect(upgraded.list().sessions.every((r) => Array.isArray(r.summary?.tokensByModel))).toBe(true);
    upgraded.close();
  }, 60_000);

  it('an unclosed bundle written to just now is marked recording', async () => {
    const root = path.join(tmp, 'root2');
    cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'live'), { recursive: true });
    const unclosed = async (d: string) => ({ summary: { ...(await here(d)), status: 'unclosed' as const }, measured: null });
    const catalog = new SessionCatalog(await resolveRoots([root]), { summarize: unclosed, cacheFile: null, pollMs: 30, recentMs: 60_000 });
    await catalog.start();
    const row = await until(() => catalog.list().sessions.find((s) => !s.pending));
    expect(row.recording).toBe(true);
    catalog.close();
  });

  it('a row that stops recording with time alone is among the changes an open list is sent', async () => {
    const root = path.join(tmp, 'root2b');
    cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'live'), { recursive: true });
    const unclosed = async (d: string) => ({ summary: { ...(await here(d)), status: 'unclosed' as const }, measured: null });
    let now = Date.now();
    const catalog = new SessionCatalog(await resolveRoots([root]), { summarize: unclosed, cacheFile: null, pollMs: 30, recentMs: 60_000, now: () => now });
    await catalog.start();
    await until(() => catalog.list().summarised === 1);
    // Wait for the scan that measures its size: the only change left is the one time makes.
    await until(() => (catalog.list().sessions[0].sizeBytes ?? 0) > 0);
    const first = catalog.changesSince(null, null);
    expect(first.sessions.map((r) => r.recording)).toEqual([true]);
    expect(catalog.changesSince(first.version, first.epoch).sessions).toEqual([]);
    now += 120_000;
    const later = catalog.changesSince(first.version, first.epoch);
    expect(later.sessions.map((r) => [r.name, r.recording])).toEqual([['root2b/live', false]]);
    expect(catalog.changesSince(later.version, later.epoch).sessions).toEqual([]);
    catalog.close();
  });

  it("a resumed session's bundles inside the first one's folder stay listed at every poll, between full scans too", async () => {
    const root = path.join(tmp, 'root-nested');
    cpSync(path.join(TRACES, 'multi-turn-resume'), path.join(root, 'resumed'), { recursive: true });
    cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'other'), { recursive: true });
    const catalog = new SessionCatalog(await resolveRoots([root]), { summarize: unmeasured, cacheFile: null, pollMs: 20 });
    await catalog.start();
    const names = ['root-nested/other', 'root-nested/resumed', 'root-nested/resumed/bundle-2', 'root-nested/resumed/bundle-3'];
    await until(() => catalog.list().summarised === 4);
    const changes: string[][] = [];
    const off = catalog.onChange(() =>
      changes.push(
        catalog
          .list()
          .sessions.map((r) => r.name)
          .sort(),
      ),
    );
    // Long enough for scans that skip known bundles, and a full one.
    await new Promise((r) => setTimeout(r, 20 * 25));
    off();
    for (const c of changes) expect(c).toEqual(names);
    expect(
      catalog
        .list()
        .sessions.map((r) => r.name)
        .sort(),
    ).toEqual(names);
    catalog.close();
  });

  it('summaries made in a child process equal those made here', async () => {
    const bin = path.join(__dirname, '..', 'bin', 'codex-trace-viewer.mjs');
    const child = childSummarizer(bin);
    try {
      for (const n of ['compaction-remote', 'multi-agent'])
        expect(await child.summarize(path.join(TRACES, n), 'sig')).toEqual(await summarizeAndIndex(path.join(TRACES, n), 'sig', null));
    } finally {
      child.close();
    }
  }, 120_000);
});

describe('serve: /bundles/sessions.json and its events', () => {
  it('answers the list, and an event stream that says when it changed', async () => {
    const root = path.join(tmp, 'root3');
    cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'a'), { recursive: true });
    const dist = path.join(tmp, 'dist3');
    cpSync(path.join(TRACES, 'single-turn-answer'), dist, { recursive: true }); // any folder with an index.html
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    const h = await serve({ roots: [root], port: 0, distDir: dist, log: () => {}, sessions: { pollMs: 30 } });
    try {
      const events: string[] = [];
      const req = http.get(`${h.url}bundles/sessions/events`, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (c: string) => events.push(c));
      });
      const first = SessionListSchema.parse(await (await fetch(`${h.url}bundles/sessions.json`)).json());
      expect(first.sessions.map((s) => s.name)).toEqual(['root3/a']);
      cpSync(path.join(TRACES, 'tools-one-turn'), path.join(root, 'b'), { recursive: true });
      await until(() => events.join('').includes('"total":2'));
      const second = SessionListSchema.parse(await (await fetch(`${h.url}bundles/sessions.json`)).json());
      expect(second.sessions.map((s) => s.name).sort()).toEqual(['root3/a', 'root3/b']);
      req.destroy();
    } finally {
      await h.close();
    }
  }, 60_000);

  it('with ?since, answers only the rows changed since the version the page has, and the names gone', async () => {
    const root = path.join(tmp, 'root4');
    for (const n of ['a', 'b', 'c']) cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, n), { recursive: true });
    const dist = path.join(tmp, 'dist4');
    cpSync(path.join(TRACES, 'single-turn-answer'), dist, { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    const h = await serve({ roots: [root], port: 0, distDir: dist, log: () => {}, sessions: { pollMs: 30 } });
    const since = async (version: number | null, epoch: string | null) => {
      const q = version === null ? 'since=' : `since=${version}${epoch ? `&epoch=${epoch}` : ''}`;
      return SessionListChangesSchema.parse(await (await fetch(`${h.url}bundles/sessions.json?${q}`)).json());
    };
    try {
      const first = await until(async () => {
        const c = await since(0, null);
        return c.summarised === 3 ? c : null;
      });
      expect(first.full).toBe(true);
      expect(first.sessions.map((r) => r.name).sort()).toEqual(['root4/a', 'root4/b', 'root4/c']);
      // Nothing changed: nothing sent.
      await new Promise((r) => setTimeout(r, 200));
      const quiet = await since(first.version, first.epoch);
      expect(quiet).toMatchObject({ full: false, total: 3, summarised: 3, sessions: [], removed: [] });
      // One bundle appended to, one removed: that row, and that name.
      appendFileSync(path.join(root, 'b', 'trace.jsonl'), '\n');
      rmSync(path.join(root, 'c'), { recursive: true });
      const later = await until(async () => {
        const c = await since(quiet.version, quiet.epoch);
        return c.removed.length === 1 && c.summarised === 2 && c.sessions.some((r) => !r.pending) ? c : null;
      });
      expect(later.full).toBe(false);
      expect(later.removed).toEqual(['root4/c']);
      expect(later.sessions.map((r) => r.name)).toEqual(['root4/b']);
      expect(later.sessions[0].summary?.status).toBe('complete');
      // A version from another run of the server (it restarted): the whole list again.
      expect((await since(later.version, 'another-run')).full).toBe(true);
      expect((await since(later.version + 1000, later.epoch)).full).toBe(true);
    } finally {
      await h.close();
    }
  }, 60_000);
});
