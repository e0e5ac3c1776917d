/**
 * Search across the sessions of a dropped trace root, where there is no
 * index: the worker keeps each bundle's search documents while it summarises
 * the root (within a memory budget) and scans them, with the meaning and the
 * answer of `serve`'s FTS5 search (test/search.test.ts), checked here against
 * the index itself on the same bundles.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectorySource } from '../src/cli/directory-source';
import { loadSqlite, SearchReader, SearchWriter } from '../src/cli/search/index';
import { reduceBundle } from '../src/trace/reducer';
import { searchDocuments, type SearchDocument } from '../src/trace/sessions/documents';
import { KeptDocuments } from '../src/trace/sessions/kept';
import { compileQuery, searchBundles, snippet, type BundleDocuments } from '../src/trace/sessions/match';
import { SearchResultSchema, type SearchResult } from '../src/trace/sessions/list';
import { bundleSources, type InputFile } from '../src/trace/bundle/scan';
import { WorkerSession } from '../src/worker/session';
import { searchSessions } from '../src/worker/session-search';
import type { WorkerResponse } from '../src/worker/protocol';
import { listFiles, TRACES } from './loader-helpers';
import { harness } from './worker-harness';

const FIXTURES = path.dirname(TRACES);

const doc = (ref: string, body: string, title = 'assistant message', kind: SearchDocument['kind'] = 'conversation_item'): SearchDocument => ({
  kind,
  ref,
  threadId: 'thread:1',
  title,
  ids: ref,
  body,
});

/** Runs the scan to its end, as the worker does between its pauses. */
function run(query: string, bundles: BundleDocuments[], perBundle?: number): SearchResult['groups'] {
  const q = compileQuery(query);
  if (!q) return [];
  const steps = searchBundles(q, bundles, perBundle);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Which documents a query finds, as `bundle ref` strings (sorted: the ranking is another test's). */
const refs = (query: string, bundles: BundleDocuments[]) =>
  run(query, bundles, 1000)
    .flatMap((g) => g.hits.map((h) => `${g.name} ${h.ref}`))
    .sort();

describe('matching a query against documents', () => {
  const one = (...docs: SearchDocument[]): BundleDocuments[] => [{ name: 'b', docs }];

  it('every term is required, in any order and either field; case does not matter', () => {
    const docs = one(doc('a', 'Hello from EXEC\ntotal 8'), doc('b', 'hello there'), doc('c', 'nothing', 'exec hello'));
    expect(refs('hello exec', docs)).toEqual(['b a', 'b c']);
    expect(refs('HELLO', docs)).toEqual(expect.arrayContaining(['b a', 'b b', 'b c']));
    expect(refs('exec hello xyzzy', docs)).toEqual([]);
  });

  it('a term is a phrase of its word pieces, whole words, the last one a prefix', () => {
    const docs = one(
      doc('a', 'cat: missing-file.txt: No such file'),
      doc('b', 'missing file txt'),
      doc('c', 'file missing txt'),
      doc('d', 'unmissing-file.txt'),
      doc('e', 'exec_command'),
    );
    expect(refs('missing-file.txt', docs)).toEqual(['b a', 'b b']);
    expect(refs('missing-fi', docs)).toEqual(['b a', 'b b']);
    expect(refs('exec_comm', docs)).toEqual(['b e']);
    // `_` is a word character: no word starts inside exec_command.
    expect(refs('command', docs)).toEqual([]);
    expect(refs('issing', docs)).toEqual([]);
  });

  it('finds ids as written: call_0009 and conversation_item:8, not a part of another id', () => {
    const ids = ['conversation_item:8\ncall_0009', 'conversation_item:80\ncall_00091', 'conversation_item:18\nxcall_0009'];
    const docs = one(...ids.map((body) => doc(body.split('\n')[0], body)));
    const found: Record<string, string[]> = {
      call_0009: ['b conversation_item:8', 'b conversation_item:80'],
      'conversation_item:8': ['b conversation_item:8', 'b conversation_item:80'],
      '0009': [],
      'item:8': [],
    };
    for (const [query, refsFound] of Object.entries(found)) expect(refs(query, docs), query).toEqual(refsFound);
  });

  it('text that is not there, or a query of no words, finds nothing', () => {
    const docs = one(doc('a', 'hello from exec'));
    expect(refs('xyzzy-not-there', docs)).toEqual([]);
    expect(compileQuery('  ;; ')).toBeNull();
    expect(compileQuery('.* ( [')).toBeNull();
    expect(refs('.* hello', docs)).toEqual(['b a']);
  });

  it('"__proto__" is a word like any other: found where written, harmless where not', () => {
    const bundles: BundleDocuments[] = [
      { name: '__proto__', docs: [doc('__proto__', 'obj.__proto__ = evil'), doc('constructor', 'constructor prototype')] },
      { name: 'constructor', docs: [doc('x', 'nothing here')] },
    ];
    expect(refs('__proto__', bundles)).toEqual(['__proto__ __proto__']);
    expect(refs('constructor', bundles)).toEqual(['__proto__ constructor']);
    expect(refs('toString', bundles)).toEqual([]);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });

  it("a text search's snippet is the text around the match, not the ids before it; an id search's is the id", () => {
    const prompt: SearchDocument = {
      ...doc('conversation_item:4', 'Run three shell commands one after another.', 'user message'),
      ids: 'conversation_item:4\nmsg_01a246d2',
    };
    const bundles = [{ name: 'b', docs: [prompt] }];
    expect(run('shell commands', bundles)[0].hits[0].snippet).toBe('Run three \u0001shell\u0002 \u0001commands\u0002 one after another.');
    expect(run('msg_01a246d2', bundles)[0].hits[0].snippet).toBe('conversation_item:4\n\u0001msg_01a246d2\u0002');
    // A match in the title alone: the text's start.
    expect(run('user', bundles)[0].hits[0].snippet).toBe('Run three shell commands one after another.');
  });

  it("a Latin letter's accent does not matter, either way, and the snippet shows the text as written", () => {
    const docs = one(doc('a', 'Un Café au lait, s’il vous plaît'), doc('b', 'the cafe is closed'), doc('c', 'ÉTÉ à Łódź'));
    expect(refs('cafe', docs)).toEqual(['b a', 'b b']);
    expect(refs('CAFÉ', docs)).toEqual(['b a', 'b b']);
    expect(refs('plait', docs)).toEqual(['b a']);
    expect(refs('ete', docs)).toEqual(['b c']);
    // ł has no accent to drop (FTS5 keeps it too): lodz is another word.
    expect(refs('lodz', docs)).toEqual([]);
    expect(refs('łódź', docs)).toEqual(['b c']);
    expect(snippet(compileQuery('cafe plait')!, 'Un Café au lait, s’il vous plaît')).toBe('Un \u0001Café\u0002 au lait, s’il vous \u0001plaît\u0002');
  });

  it('marks each match in a snippet of about 16 words, cut with … as FTS5 cuts it', () => {
    const q = compileQuery('missing-file.txt')!;
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const body = [...words.slice(0, 20), 'cat', 'missing-file.txt:', 'No', ...words.slice(20)].join(' ');
    const s = snippet(q, body);
    expect(s).toMatch(/^…w18 w19 cat \u0001missing-file\.txt\u0002: No w20 .*…$/);
    expect(s.split(/\s+/).length).toBeLessThanOrEqual(17);
    // Every term marked, and each occurrence in the window.
    expect(snippet(compileQuery('hello exec')!, 'hello from exec; hello again')).toBe('\u0001hello\u0002 from \u0001exec\u0002; \u0001hello\u0002 again');
    // Several terms: where the body has them together, not merely where one of them comes first.
    const together = snippet(compileQuery('wc -l')!, `a vivid inner life ${'and more '.repeat(40)}then ls -1 | wc -l`);
    expect(together).toMatch(/^…and more then \u0001ls\u0002 -1 \| \u0001wc\u0002 -\u0001l\u0002$/);
    // What follows the last word is the body's end, not a cut.
    expect(snippet(compileQuery('remember 42')!, 'rs_0001\nUser wants me to remember 42.')).toBe('…wants me to \u0001remember\u0002 \u000142\u0002.');
    // A prefix marks the whole word it begins.
    expect(snippet(compileQuery('exec_comm')!, 'ran exec_command here')).toBe('ran \u0001exec_command\u0002 here');
    // Marker characters in trace text are not taken for marks.
    expect(snippet(compileQuery('hi')!, 'a \u0001x\u0002 hi')).toBe('a x \u0001hi\u0002');
    // Found by its title only: the body's start, unmarked.
    expect(snippet(compileQuery('exec')!, 'no match in here')).toBe('no match in here');
    // A word longer than a snippet is cut by characters.
    const long = snippet(compileQuery('abc')!, `${'x'.repeat(1000)} abc`);
    expect(long.length).toBeLessThan(260);
    expect(long).toContain('\u0001abc\u0002');
  });

  it('groups hits per bundle, at most the per-bundle limit listed and the rest counted; most hits first', () => {
    const many = Array.from({ length: 25 }, (_, i) => doc(`conversation_item:${i + 1}`, `needle ${i}`));
    const groups = run('needle', [
      { name: 'few', docs: [doc('x', 'needle'), doc('title', 'nothing', 'needle needle')] },
      { name: 'many', docs: many },
      { name: 'none', docs: [doc('y', 'hay')] },
    ]);
    expect(groups.map((g) => [g.name, g.hits.length, g.more])).toEqual([
      ['many', 20, 5],
      ['few', 2, 0],
    ]);
    // A title hit weighs twice a body hit.
    expect(groups[1].hits.map((h) => h.ref)).toEqual(['title', 'x']);
    expect(SearchResultSchema.parse({ available: true, message: null, indexed: 3, total: 3, groups })).toBeTruthy();
  });
});

describe('the documents a dropped root keeps', () => {
  it('keeps bundles in order until the budget is spent; the rest are counted as not searchable', () => {
    // A document of this test is 27 characters and its body.
    const kept = new KeptDocuments(150);
    expect(kept.keep('a', [doc('r', 'x'.repeat(40))])).toBe(true);
    expect(kept.keep('b', [doc('r', 'y'.repeat(60))])).toBe(false);
    expect(kept.keep('c', [doc('r', 'z'.repeat(20))])).toBe(true);
    expect([kept.seen, kept.unsearchable]).toEqual([3, 1]);
    expect(kept.searchable().map((b) => b.name)).toEqual(['a', 'c']);
    // Summarised again (the list reopened before the summary arrived): replaced, in its place, not counted twice.
    expect(kept.keep('a', [doc('r', 'w'.repeat(40))])).toBe(true);
    expect(kept.searchable().map((b) => b.name)).toEqual(['a', 'c']);
    expect(kept.size).toBe(
      kept
        .searchable()
        .reduce((n, b) => n + b.docs.reduce((m, d) => m + d.ref.length + d.threadId!.length + d.title.length + d.ids.length + d.body.length, 0), 0),
    );
    expect(refs('zzz', kept.searchable())).toEqual(['c r']);
    expect(refs('yyy', kept.searchable())).toEqual([]);
  });
});

/** Schemas 1, 2 and 3, and a bundle cut short. */
const MIXED: [string, string][] = [
  ['traces-schema1/tools-one-turn', 'tools-s1'],
  ['traces/code-mode', 'code-s2'],
  ['traces-schema3/multi-agent', 'agents-s3'],
  ['traces/broken/truncated-mid-file', 'cut-short'],
];

describe('the scan and the FTS5 index, on the same bundles', () => {
  it('finds what the FTS5 index finds, bundle for bundle and object for object', { skip: !loadSqlite() }, async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-scan-search-'));
    try {
      const w = SearchWriter.open(path.join(tmp, 'index.sqlite'))!;
      const kept = new KeptDocuments();
      for (const [from, name] of [...MIXED, ['traces/multi-turn-resume', 'resume'] as [string, string], ['traces-schema1/mcp-tools', 'mcp']]) {
        const state = (await reduceBundle(new DirectorySource(path.join(FIXTURES, from)), { unknownEvents: 'skip' })).state;
        const docs = state ? searchDocuments(state) : [];
        w.write(name, 's', docs);
        kept.keep(name, docs);
      }
      const accents = ['Café', 'naïve', 'Ñandú', 'Ørsted', 'İstanbul', 'ế', 'ḍharma', 'άλφα'].map((w, i) => doc(`accent:${i}`, `a ${w} b`));
      w.write('accents', 's', accents);
      kept.keep('accents', accents);
      const r = SearchReader.open(path.join(tmp, 'index.sqlite'))!;
      const queries = [
        'missing-file.txt',
        'hello from exec',
        'HELLO',
        'call_0018',
        'call_00',
        'conversation_item:8',
        'terminal_operation:4',
        'exec_comm',
        'from-code',
        'Delegate small',
        'got: codex',
        'gpt-5.5',
        'mcp',
        'xyzzy',
        '__proto__',
        '"quoted" NEAR(a b)',
        // Accents, as unicode61 folds them: one diacritic on a Latin letter goes, two stay, other scripts keep theirs.
        'cafe',
        'CAFÉ',
        'naive',
        'nandu',
        'ørsted',
        'orsted',
        'istanbul',
        'ế',
        'e',
        'dharma',
        'άλφα',
        'αλφα',
      ];
      for (const q of queries) {
        const index = r.search(q, { perBundle: 10_000, limit: 100_000 });
        const scan = run(q, kept.searchable(), 10_000);
        const set = (groups: { dir?: string; name?: string; hits: { kind: string; ref: string }[] }[]) =>
          groups.flatMap((g) => g.hits.map((x) => `${g.dir ?? g.name} ${x.kind} ${x.ref}`)).sort();
        expect(set(scan), q).toEqual(set(index));
      }
      r.close();
      w.close();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/** Fixture bundles as the files of one picked folder `root` (paths `root/<name>/…`). */
function rootInputs(root: string, bundles: [from: string, name: string][]): InputFile[] {
  return bundles.flatMap(([from, name]) => {
    const dir = path.join(FIXTURES, from);
    return listFiles(dir, dir).map((rel) => ({ path: `${root}/${name}/${rel}`, file: new File([readFileSync(path.join(dir, rel))], path.basename(rel)) }));
  });
}

describe('a dropped root of mixed schemas, searched in the worker', () => {
  it('answers nothing before its bundles are summarised, then finds texts and ids in the bundles that hold them', async () => {
    const h = harness();
    await h.send({ type: 'load', id: 1, label: 'mixed', input: { kind: 'files', files: rootInputs('mixed', MIXED) } });
    expect(h.of(1).at(-1)?.type).toBe('bundles');
    let id = 10;
    const search = async (query: string): Promise<SearchResult> => {
      const at = id++;
      await h.send({ type: 'searchSessions', id: at, query });
      const got = h.of(at);
      if (got.length !== 1 || got[0].type !== 'sessionSearch') throw new Error(JSON.stringify(got));
      return got[0].result;
    };
    const before = await search('missing-file.txt');
    expect(before).toEqual({ available: true, message: null, indexed: 0, total: 4, unsearchable: 0, groups: [] });

    await h.send({ type: 'summarizeScan', id: 2, scanId: 1, skip: [] });
    const where = async (query: string) =>
      Object.fromEntries((await search(query)).groups.map((g) => [g.name, g.hits.map((x) => `${x.kind} ${x.ref}`).sort()]));

    const r = await search('missing-file.txt');
    expect([r.indexed, r.total]).toEqual([4, 4]);
    expect(r.groups.map((g) => g.name)).toEqual(['mixed/tools-s1']);
    const op = r.groups[0].hits.find((x) => x.ref === 'terminal_operation:4');
    expect(op).toMatchObject({ kind: 'terminal_operation', title: '/bin/bash -lc cat missing-file.txt' });
    expect(op!.snippet).toContain('\u0001missing-file.txt\u0002');

    expect(Object.keys(await where('from-code-cell'))).toEqual(['mixed/code-s2']);
    expect(await where('call_0018')).toEqual({
      'mixed/tools-s1': ['conversation_item conversation_item:18', 'conversation_item conversation_item:19', 'tool_call call_0018'],
    });
    expect((await where('Delegate a small investigation'))['mixed/agents-s3']).toEqual(['conversation_item conversation_item:6']);
    expect(Object.keys(await where('spawn_agent'))).toEqual(['mixed/agents-s3']);
    // An id every bundle has: each session its group, hits in the thread they belong to.
    const items = await search('conversation_item:4');
    expect(items.groups.map((g) => g.name).sort()).toEqual(['mixed/agents-s3', 'mixed/code-s2', 'mixed/cut-short', 'mixed/tools-s1']);
    for (const g of items.groups) expect(g.hits.find((x) => x.ref === 'conversation_item:4')?.threadId).toMatch(/./);
    expect(await where('xyzzy-not-there')).toEqual({});
    expect(await where('__proto__')).toEqual({});
    expect(await where('hello from exec zzzzzz')).toEqual({});
  });
});

describe('the worker scan', () => {
  let s: WorkerSession;
  let posted: WorkerResponse[];
  beforeAll(() => {
    posted = [];
    s = new WorkerSession((m) => posted.push(m));
    // Many small documents, each nearly a hit: far more than one slice of scanning.
    const kept = new KeptDocuments();
    for (let b = 0; b < 40; b++)
      kept.keep(
        `b${b}`,
        Array.from({ length: 5000 }, (_, i) => doc(`conversation_item:${i}`, `call_000${i % 9} call_00${i} ${b === 39 && i === 4999 ? 'call_0009' : ''}`)),
      );
    const files = new Map();
    s.scan = { id: 1, value: { remember: false, label: 'root', files, unread: null, sourceOf: bundleSources(files, []), bundles: [], documents: kept } };
  });

  it('pauses between slices so the worker takes its messages, and stops when aborted', async () => {
    let tookMessage = false;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => (tookMessage = true);
    const done = searchSessions(s, 1, 'call_0009', new AbortController().signal);
    ch.port2.postMessage(null);
    await done;
    ch.port1.close();
    expect(tookMessage).toBe(true);
    const answer = posted.at(-1);
    if (answer?.type !== 'sessionSearch') throw new Error(JSON.stringify(answer));
    expect(answer.result.groups.map((g) => g.name)).toEqual(['b39']);

    posted.length = 0;
    const ac = new AbortController();
    const stopped = searchSessions(s, 2, 'call_0009', ac.signal);
    ac.abort();
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
    expect(posted).toEqual([]);
  });

  it('a dropped folder that is gone says so', async () => {
    const gone = new WorkerSession((m) => posted.push(m));
    await searchSessions(gone, 3, 'x', new AbortController().signal);
    expect(posted.at(-1)).toMatchObject({ type: 'sessionSearch', result: { available: false, message: expect.stringMatching(/drop it again/) } });
  });
});
