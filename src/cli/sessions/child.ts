/**
 * Summaries made in a child process, so that reducing a large bundle never
 * holds the server: the child is this same command line started with the
 * hidden command `__summarize`, kept running and given one bundle at a time
 * over IPC. A child that dies fails its request and is started afresh for
 * the next one.
 *
 * The child answers with a bundle's summary before it indexes the bundle for
 * search: a cold root's list is what a user waits for, and the index's
 * writes were a third of each bundle's cost. Documents wait (up to a bound)
 * until no summary has been asked for a moment, and are then written a batch
 * at a time, each batch yielding to a new request.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { z } from 'zod';
import { DirectorySource } from '../directory-source';
import { reduceBundle } from '../../trace/reducer';
import { SessionSummarySchema, summarizeSession } from '../../trace/sessions/summary';
import { searchDocuments } from '../../trace/sessions/documents';
import { SearchWriter, type IndexedBundle } from '../search/index';
import type { Summarize, Summarized } from './catalog';
import { MeasureSchema, measureBundle } from './measure';

export const SUMMARIZE_COMMAND = '__summarize';

interface Request {
  id: number;
  dir: string;
  signature: string;
  /** The search index to write this bundle's documents to, if any. */
  indexFile: string | null;
}
type Reply = ({ id: number } & Summarized) | { id: number; error: string };

export function childSummarizer(script: string, indexFile: string | null = null, workers = 1): { summarize: Summarize; close(): void } {
  // Several children share the work: each is one process reducing one bundle at a time, so a pool of
  // them uses the machine's cores; each request goes to the child with the fewest in hand.
  const pool = Array.from({ length: Math.max(1, workers) }, () => oneChild(script, indexFile));
  return {
    summarize: (dir, signature) => pool.reduce((a, b) => (b.load() < a.load() ? b : a)).summarize(dir, signature),
    close: () => {
      for (const c of pool) c.close();
    },
  };
}

function oneChild(script: string, indexFile: string | null): { summarize: Summarize; load(): number; close(): void } {
  let child: ChildProcess | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (s: Summarized) => void; reject: (e: Error) => void }>();
  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };
  const ensure = (): ChildProcess => {
    if (child && child.connected) return child;
    const c = fork(script, [SUMMARIZE_COMMAND], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    c.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if ('summary' in m) {
        const parsed = SummarizedSchema.safeParse(m);
        if (parsed.success) p.resolve(parsed.data);
        else p.reject(new Error('the summariser sent a malformed summary'));
      } else p.reject(new Error(m.error));
    });
    c.on('exit', (code, signal) => {
      if (child === c) child = null;
      failAll(`the summariser stopped (${signal ?? `exit ${code}`})`);
    });
    c.on('error', (e) => failAll(`the summariser failed: ${e.message}`));
    // The server may exit while a summary is under way: the child must not keep it alive.
    c.unref();
    c.channel?.unref();
    child = c;
    return c;
  };
  return {
    summarize: (dir, signature) =>
      new Promise<Summarized>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const c = ensure();
        c.channel?.ref();
        c.send({ id, dir, signature, indexFile } satisfies Request, (err) => {
          if (err) {
            pending.delete(id);
            reject(err);
          }
        });
      }).finally(() => {
        if (pending.size === 0) child?.channel?.unref();
      }),
    load: () => pending.size,
    close: () => {
      failAll('the server stopped');
      child?.kill();
      child = null;
    },
  };
}

const SummarizedSchema = z.object({ summary: SessionSummarySchema, measured: MeasureSchema.nullable() });

/** A bundle reduced for the list: its summary and size, and its documents for the search index. */
async function reduceForList(dir: string): Promise<Summarized & { docs: IndexedBundle['docs'] }> {
  const source = new DirectorySource(dir);
  const result = await reduceBundle(source, { unknownEvents: 'skip' });
  const measured = await measureBundle(dir, source.opened);
  // A partial state is indexed too: what was reduced before the bad event is what the viewer shows.
  return { summary: summarizeSession(result), measured, docs: result.state ? searchDocuments(result.state) : [] };
}

/** Reduces a bundle, indexes it at once when there is an index, and returns its summary: the in-process fallback's work. */
export async function summarizeAndIndex(dir: string, signature: string, index: SearchWriter | null): Promise<Summarized> {
  const { summary, measured, docs } = await reduceForList(dir);
  index?.write(dir, signature, docs);
  return { summary, measured };
}

/** How long the child waits, after its last answer, before it writes the documents it holds. */
const INDEX_IDLE_MS = 40;
/** Documents held for the index, in UTF-16 units of their text; past it they are written at once. */
const HELD_UNITS_MAX = 32 << 20;
/** Bundles written per transaction while idle: small enough that a new request waits little. */
const BATCH = 16;

/** Documents on their way to one index file, written when the child is idle (or holds too many). */
class HeldDocuments {
  private held: IndexedBundle[] = [];
  private units = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  constructor(private readonly writer: SearchWriter) {}

  add(b: IndexedBundle): void {
    // After close: a summary that was under way when the child was told to go is not indexed (its next start does it).
    if (this.closed) return;
    this.held.push(b);
    for (const d of b.docs) this.units += d.title.length + d.ids.length + d.body.length;
    if (this.units > HELD_UNITS_MAX) this.write(this.held.length);
  }

  /** A request came in: the documents wait. */
  hold(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Answered: written after a moment without requests, a batch per turn of the event loop. */
  release(): void {
    this.hold();
    this.timer = setTimeout(() => this.drain(), INDEX_IDLE_MS);
  }

  private drain(): void {
    this.timer = null;
    this.write(BATCH);
    if (this.held.length > 0) this.timer = setTimeout(() => this.drain(), 0);
  }

  /**
   * Writes everything held, then closes the index. A batch per transaction: the other summarisers
   * write theirs as they go too, and one transaction of hundreds of bundles kept them waiting past
   * SQLite's busy timeout (a crash at Ctrl-C). What cannot be written is summarised again at the
   * next start, which finds it missing from the index.
   */
  close(): void {
    this.hold();
    this.closed = true;
    try {
      while (this.held.length > 0) this.write(BATCH);
    } catch {
      // Left for the next start (see above).
    } finally {
      this.writer.close();
    }
  }

  private write(n: number): void {
    const batch = this.held.splice(0, n);
    this.units = this.held.reduce((u, b) => u + b.docs.reduce((v, d) => v + d.title.length + d.ids.length + d.body.length, 0), 0);
    if (batch.length > 0) this.writer.writeMany(batch);
  }
}

/** The child's side: reduce each bundle it is sent and answer with its summary; index it when idle. */
export function runSummarizeChild(): Promise<number> {
  const indexes = new Map<string, HeldDocuments | null>();
  const indexFor = (file: string | null) => {
    if (!file) return null;
    if (!indexes.has(file)) {
      const writer = SearchWriter.open(file);
      indexes.set(file, writer ? new HeldDocuments(writer) : null);
    }
    return indexes.get(file) ?? null;
  };
  let inHand = 0;
  return new Promise((done) => {
    process.on('message', (m: Request) => {
      const index = indexFor(m.indexFile);
      index?.hold();
      inHand++;
      void (async () => {
        let reply: Reply;
        try {
          const { summary, measured, docs } = await reduceForList(m.dir);
          index?.add({ dir: m.dir, signature: m.signature, docs });
          reply = { id: m.id, summary, measured };
        } catch (e) {
          reply = { id: m.id, error: (e as Error)?.message ?? String(e) };
        }
        process.send?.(reply);
        if (--inHand === 0) index?.release();
      })();
    });
    // The documents held are written before the child goes: when the server stops it, or stops itself.
    const finish = () => {
      for (const i of indexes.values()) i?.close();
      indexes.clear();
    };
    process.on('disconnect', () => {
      finish();
      done(0);
    });
    process.once('SIGTERM', () => {
      finish();
      process.exit(0);
    });
  });
}
