/**
 * Search across the sessions of the served roots: an SQLite FTS5 index
 * (better-sqlite3, an optional dependency) kept in the user's cache folder,
 * never in a trace root. Each bundle's documents (src/trace/sessions/documents.ts)
 * are written when it is summarised, replacing its previous ones, so the
 * index follows the session list incrementally and survives restarts. The
 * summariser child writes; the server reads (WAL lets both work at once).
 *
 * Why FTS5: an inverted index with prefix queries, BM25 ranking and snippets,
 * on disk, answering in milliseconds over millions of rows; one file, no
 * server. Ids like call_0009 are single tokens (`_` is a token character).
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SearchDocument } from '../../trace/sessions/documents';
import { chooseSnippet, queryTerms, SEARCH_PER_BUNDLE } from '../../trace/sessions/match';

type Database = import('better-sqlite3').Database;

/** better-sqlite3, or null when it is not installed (it is optional: the rest of the viewer works without it). */
export function loadSqlite(): typeof import('better-sqlite3') | null {
  try {
    // A plain require: esbuild leaves it to Node, so the native module is found in node_modules at run time.
    return createRequire(import.meta.url)('better-sqlite3');
  } catch {
    return null;
  }
}

export const SEARCH_UNAVAILABLE =
  'Search across sessions needs the optional package better-sqlite3, which is not installed here, or not built for this Node (npm install better-sqlite3 beside codex-trace-viewer).';

/** The tables' layout; an index file of another version is emptied and filled again (its bundles are summarised anew). */
const INDEX_VERSION = 2;
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS bundles (dir TEXT PRIMARY KEY, signature TEXT NOT NULL, first_row INTEGER, last_row INTEGER);
  CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
    dir UNINDEXED, kind UNINDEXED, ref UNINDEXED, thread UNINDEXED, title, ids, body,
    tokenize = "unicode61 tokenchars '_'"
  );
`;

/** Makes the tables this version writes, replacing an older layout's (the first, user_version 0, kept ids in the body). */
function ensureSchema(db: Database): void {
  // Immediate: the server and a summariser may open the file at once, and only one of them may replace it.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== INDEX_VERSION) db.exec('DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS bundles;');
    db.exec(SCHEMA);
    if (version !== INDEX_VERSION) db.pragma(`user_version = ${INDEX_VERSION}`);
  }).immediate();
}

function open(file: string): Database | null {
  const Sqlite = loadSqlite();
  if (!Sqlite) return null;
  mkdirSync(path.dirname(file), { recursive: true });
  let db: Database;
  try {
    db = new Sqlite(file);
  } catch {
    // Installed but not built for this Node (no native binding): the viewer works on, without search.
    return null;
  }
  db.pragma('journal_mode = WAL');
  // A cache: after a power cut it may lose its last bundles (summarised again on the next start), never
  // its consistency. Not syncing every bundle's transaction makes a cold root of a thousand bundles faster.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Either side may open the file first: both make sure the tables exist.
  ensureSchema(db);
  return db;
}

/** One bundle's documents, at the signature (its files' sizes and times) they were made from. */
export interface IndexedBundle {
  dir: string;
  signature: string;
  docs: readonly SearchDocument[];
}

/** The writer's side (the summariser): replaces a bundle's documents. */
export class SearchWriter {
  // Prepared once: preparing them for each of a thousand bundles showed in a cold root's profile.
  private readonly find;
  private readonly insert;
  private readonly remove;
  private readonly record;
  /**
   * IMMEDIATE: each summariser process writes, and a deferred transaction that
   * finds another writer mid-way is retried by SQLite after sleeps of up to
   * 100 ms; taking the write lock first just waits for it.
   */
  private readonly replace;
  private readonly replaceMany;

  private constructor(private readonly db: Database) {
    this.find = db.prepare('SELECT first_row, last_row FROM bundles WHERE dir = ?');
    this.insert = db.prepare('INSERT INTO docs (dir, kind, ref, thread, title, ids, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM docs WHERE rowid BETWEEN ? AND ?');
    this.record = db.prepare(
      'INSERT INTO bundles (dir, signature, first_row, last_row) VALUES (?, ?, ?, ?) ON CONFLICT(dir) DO UPDATE SET signature = excluded.signature, first_row = excluded.first_row, last_row = excluded.last_row',
    );
    const replaceOne = (dir: string, signature: string, docs: readonly SearchDocument[]) => {
      const old = this.find.get(dir) as { first_row: number | null; last_row: number | null } | undefined;
      if (old?.first_row != null) this.remove.run(old.first_row, old.last_row);
      let first: number | null = null;
      let last: number | null = null;
      for (const d of docs) {
        const id = Number(this.insert.run(dir, d.kind, d.ref, d.threadId, d.title, d.ids, d.body).lastInsertRowid);
        first ??= id;
        last = id;
      }
      this.record.run(dir, signature, first, last);
    };
    this.replace = db.transaction(replaceOne);
    this.replaceMany = db.transaction((bundles: readonly IndexedBundle[]) => {
      for (const b of bundles) replaceOne(b.dir, b.signature, b.docs);
    });
  }

  static open(file: string): SearchWriter | null {
    const db = open(file);
    return db ? new SearchWriter(db) : null;
  }

  write(dir: string, signature: string, docs: readonly SearchDocument[]): void {
    this.replace.immediate(dir, signature, docs);
  }

  /** Several bundles' documents in one transaction: a commit per bundle cost more than its inserts. */
  writeMany(bundles: readonly IndexedBundle[]): void {
    this.replaceMany.immediate(bundles);
  }

  close(): void {
    this.db.close();
  }
}

export interface SearchHitRow {
  kind: SearchDocument['kind'];
  ref: string;
  threadId: string | null;
  title: string;
  /** The matching text around the hit; `\u0001` … `\u0002` mark the matched words. */
  snippet: string;
}

export interface SearchGroup {
  dir: string;
  hits: SearchHitRow[];
  /** Hits in this bundle beyond those listed. */
  more: number;
}

/** The server's side: queries. */
export class SearchReader {
  private constructor(private readonly db: Database) {}

  static open(file: string): SearchReader | null {
    const db = open(file);
    return db ? new SearchReader(db) : null;
  }

  /** The signature each indexed bundle was indexed at. */
  indexed(): Map<string, string> {
    const rows = this.db.prepare('SELECT dir, signature FROM bundles').all() as { dir: string; signature: string }[];
    return new Map(rows.map((r) => [r.dir, r.signature]));
  }

  /** Best hits first, grouped by bundle (groups in the order of their best hit). */
  search(text: string, opts: { limit?: number; perBundle?: number } = {}): SearchGroup[] {
    const query = ftsQuery(text);
    if (!query) return [];
    const rows = this.db
      .prepare(
        `SELECT dir, kind, ref, thread, title,
           snippet(docs, 6, char(1), char(2), '…', 16) AS text_snip, snippet(docs, 5, char(1), char(2), '…', 16) AS ids_snip
         FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 0, 0, 0, 2.0, 1.0, 1.0) LIMIT ?`,
      )
      .all(query, opts.limit ?? 2000) as {
      dir: string;
      kind: SearchDocument['kind'];
      ref: string;
      thread: string | null;
      title: string;
      text_snip: string;
      ids_snip: string;
    }[];
    const perBundle = opts.perBundle ?? SEARCH_PER_BUNDLE;
    const groups = new Map<string, SearchGroup>();
    for (const r of rows) {
      let g = groups.get(r.dir);
      if (!g) groups.set(r.dir, (g = { dir: r.dir, hits: [], more: 0 }));
      if (g.hits.length < perBundle)
        g.hits.push({ kind: r.kind, ref: r.ref, threadId: r.thread, title: r.title, snippet: chooseSnippet(r.text_snip, r.ids_snip) });
      else g.more++;
    }
    return [...groups.values()];
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The reader's words as an FTS5 query: each whitespace-separated term a
 * phrase of its word pieces (so `missing-file.txt` or `conversation_item:8`
 * must appear as written, not as loose words), its last piece a prefix, all
 * terms required. A dropped root's search scans with the same meaning
 * (src/trace/sessions/match.ts). Quotes are doubled and only word characters reach the
 * query, so no query syntax (NEAR, column filters, operators) can be
 * injected by the text.
 */
export function ftsQuery(text: string): string | null {
  const terms = queryTerms(text);
  if (!terms.length) return null;
  return terms.map((pieces) => `"${pieces.join(' ').replace(/"/g, '""')}"*`).join(' AND ');
}
