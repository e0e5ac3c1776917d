/**
 * Search across sessions (issue 19): an SQLite FTS5 index of every bundle's
 * conversation items, tool calls, terminal output, inference calls and
 * payload ids, kept outside the trace root, updated per bundle, grouped by
 * session, and safe against query syntax in the reader's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SearchReader, SearchWriter, ftsQuery, loadSqlite } from '../src/cli/search/index';
import { childSummarizer, summarizeAndIndex } from '../src/cli/sessions/child';
import { serve } from '../src/cli/serve';
import { SearchResultSchema } from '../src/trace/sessions/list';
import { TRACES } from './loader-helpers';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-search-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the query', () => {
  it('each term is a quoted phrase ending in a prefix; operators, columns and quotes in the text stay text', () => {
    expect(ftsQuery('call_0009')).toBe('"call_0009"*');
    expect(ftsQuery('hello from exec')).toBe('"hello"* AND "from"* AND "exec"*');
    expect(ftsQuery('missing-file.txt conversation_item:8')).toBe('"missing file txt"* AND "conversation_item 8"*');
    expect(ftsQuery('NEAR(a b) OR body:x "q')).toBe('"NEAR a"* AND "b"* AND "OR"* AND "body x"* AND "q"*');
    expect(ftsQuery('  ;; ')).toBeNull();
  });
});

describe.skipIf(!loadSqlite())('the index', () => {
  it("a text search's snippet is the text around the match, not the ids before it; an id search's is the id", async () => {
    const file = path.join(tmp, 'snippets.sqlite');
    const w = SearchWriter.open(file)!;
    const bundle = path.join(TRACES, 'compaction-remote');
    await summarizeAndIndex(bundle, 's1', w);
    const r = SearchReader.open(file)!;
    const prompt = r.search('shell commands')[0].hits.find((h) => h.title === 'user message')!;
    expect(prompt.snippet).toBe('Run three \u0001shell\u0002 \u0001commands\u0002 one after another and summarise.');
    const byId = r.search('call_0002')[0].hits.find((h) => h.kind === 'tool_call')!;
    expect(byId.snippet).toContain('\u0001call_0002\u0002');
    w.close();
    r.close();
  });

  it('an index written by an earlier layout is emptied, so that its bundles are indexed again', async () => {
    const file = path.join(tmp, 'old-layout.sqlite');
    const Sqlite = loadSqlite()!;
    const old = new Sqlite(file);
    old.exec(`CREATE TABLE bundles (dir TEXT PRIMARY KEY, signature TEXT NOT NULL, first_row INTEGER, last_row INTEGER);
      CREATE VIRTUAL TABLE docs USING fts5(dir UNINDEXED, kind UNINDEXED, ref UNINDEXED, thread UNINDEXED, title, body, tokenize = "unicode61 tokenchars '_'");
      INSERT INTO bundles VALUES ('/old/bundle', 'sig', 1, 1);
      INSERT INTO docs VALUES ('/old/bundle', 'conversation_item', 'conversation_item:1', NULL, 'user message', 'conversation_item:1 hello there');`);
    old.close();
    const w = SearchWriter.open(file)!;
    const r = SearchReader.open(file)!;
    expect(r.indexed().size).toBe(0);
    expect(r.search('hello')).toEqual([]);
    await summarizeAndIndex(path.join(TRACES, 'single-turn-answer'), 's1', w);
    expect(r.search('capital of France')[0].hits.length).toBeGreaterThan(0);
    w.close();
    r.close();
  });

  it('finds terminal output, ids and item text, grouped by bundle, and a bundle indexed again replaces its documents', async () => {
    const file = path.join(tmp, 'a.sqlite');
    const w = SearchWriter.open(file)!;
    const tools = path.join(TRACES, 'tools-one-turn');
    const agents = path.join(TRACES, 'multi-agent');
    await summarizeAndIndex(tools, 's1', w);
    await summarizeAndIndex(agents, 's1', w);
    const r = SearchReader.open(file)!;

    const out = r.search('hello from exec');
    expect(out.map((g) => g.dir)).toEqual([tools]);
    expect(out[0].hits.some((h) => h.kind === 'terminal_operation' && h.ref === 'terminal_operation:1')).toBe(true);
    expect(out[0].hits[0].snippet).toMatch(/\u0001hello\u0002/);

    const byId = r.search('call_0002');
    expect(byId[0].hits.some((h) => h.kind === 'tool_call')).toBe(true);
    expect(r.search('missing-file')[0].hits.some((h) => h.ref === 'terminal_operation:4')).toBe(true);
    expect(r.search('terminal_operation:4')[0].hits.some((h) => h.ref === 'terminal_operation:4')).toBe(true);
    expect(r.search('xyzzy-not-there')).toEqual([]);

    const before = r.search('hello from exec')[0].hits.length;
    await summarizeAndIndex(tools, 's2', w);
    expect(r.search('hello from exec')[0].hits.length).toBe(before);
    expect(r.indexed().get(tools)).toBe('s2');
    w.close();
    r.close();
  });
});

describe.skipIf(!loadSqlite())('serve: /bundles/search', () => {
  it('answers hits grouped by session name once bundles are indexed, and keeps the index across a restart', async () => {
    const root = path.join(tmp, 'root');
    cpSync(path.join(TRACES, 'tools-one-turn'), path.join(root, 'tools'), { recursive: true });
    cpSync(path.join(TRACES, 'single-turn-answer'), path.join(root, 'answer'), { recursive: true });
    const dist = path.join(tmp, 'dist');
    cpSync(path.join(TRACES, 'single-turn-answer'), dist, { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    const sessions = { cacheFile: path.join(tmp, 'cache.json'), indexFile: path.join(tmp, 'index.sqlite'), pollMs: 30 };
    const ask = async (url: string) => SearchResultSchema.parse(await (await fetch(url)).json());
    let h = await serve({ roots: [root], port: 0, distDir: dist, log: () => {}, sessions });
    try {
      await fetch(`${h.url}bundles/sessions.json`);
      let res = await ask(`${h.url}bundles/search?q=${encodeURIComponent('missing-file.txt')}`);
      for (let i = 0; i < 200 && res.indexed < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        res = await ask(`${h.url}bundles/search?q=${encodeURIComponent('missing-file.txt')}`);
      }
      expect(res.available).toBe(true);
      expect(res.groups.map((g) => g.name)).toEqual(['root/tools']);
    } finally {
      await h.close();
    }
    h = await serve({
      roots: [root],
      port: 0,
      distDir: dist,
      log: () => {},
      sessions: { ...sessions, summarize: async () => Promise.reject(new Error('must not summarise again')) },
    });
    try {
      const list = await (await fetch(`${h.url}bundles/sessions.json`)).json();
      expect(list.summarised).toBe(2);
      expect((await ask(`${h.url}bundles/search?q=missing-file.txt`)).groups.map((g) => g.name)).toEqual(['root/tools']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a summariser process answers with summaries first, indexes them once no more are asked for, and writes what it holds when stopped', async () => {
    const bin = path.join(__dirname, '..', 'bin', 'codex-trace-viewer.mjs');
    const file = path.join(tmp, 'deferred.sqlite');
    const names = ['tools-one-turn', 'multi-agent', 'single-turn-answer'];
    const child = childSummarizer(bin, file);
    try {
      for (const n of names) expect((await child.summarize(path.join(TRACES, n), `sig-${n}`)).summary.status).toBe('complete');
      const r = SearchReader.open(file)!;
      const t0 = Date.now();
      while (r.indexed().size < names.length && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 20));
      expect(Object.fromEntries(r.indexed())).toEqual(Object.fromEntries(names.map((n) => [path.join(TRACES, n), `sig-${n}`])));
      expect(r.search('hello from exec').map((g) => g.dir)).toEqual([path.join(TRACES, 'tools-one-turn')]);
      // Asked again and stopped at once: what it held is written as it goes.
      await child.summarize(path.join(TRACES, 'tools-one-turn'), 'sig-again');
      child.close();
      const t1 = Date.now();
      while (r.indexed().get(path.join(TRACES, 'tools-one-turn')) !== 'sig-again' && Date.now() - t1 < 20_000) await new Promise((res) => setTimeout(res, 20));
      expect(r.indexed().get(path.join(TRACES, 'tools-one-turn'))).toBe('sig-again');
      r.close();
    } finally {
      child.close();
    }
  }, 120_000);
});
