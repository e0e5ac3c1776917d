/**
 * Summaries made in a child process, so that reducing a large bundle never
 * holds the server: the child is this same command line started with the
 * hidden command `__summarize`, kept running and given one bundle at a time
 * over IPC. A child that dies fails its request and is started afresh for
 * the next one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { DirectorySource } from '../directory-source';
import { reduceBundle } from '../../trace/reducer';
import { SessionSummarySchema, summarizeSession, type SessionSummary } from '../../trace/sessions/summary';
import { searchDocuments } from '../../trace/sessions/documents';
import { SearchWriter } from '../search/index';
import type { Summarize } from './catalog';

export const SUMMARIZE_COMMAND = '__summarize';

interface Request {
  id: number;
  dir: string;
  signature: string;
  /** The search index to write this bundle's documents to, if any. */
  indexFile: string | null;
}
type Reply = { id: number; summary: SessionSummary } | { id: number; error: string };

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
  const pending = new Map<number, { resolve: (s: SessionSummary) => void; reject: (e: Error) => void }>();
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
        const parsed = SessionSummarySchema.safeParse(m.summary);
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
      new Promise<SessionSummary>((resolve, reject) => {
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

/** Reduces a bundle, indexes it when there is an index, and returns its summary: the child's work, and the in-process fallback's. */
export async function summarizeAndIndex(dir: string, signature: string, index: SearchWriter | null): Promise<SessionSummary> {
  const result = await reduceBundle(new DirectorySource(dir), { unknownEvents: 'skip' });
  // A partial state is indexed too: what was reduced before the bad event is what the viewer shows.
  index?.write(dir, signature, result.state ? searchDocuments(result.state) : []);
  return summarizeSession(result);
}

/** The child's side: reduce each bundle it is sent and answer with its summary. */
export function runSummarizeChild(): Promise<number> {
  const writers = new Map<string, SearchWriter | null>();
  const writerFor = (file: string | null) => {
    if (!file) return null;
    if (!writers.has(file)) writers.set(file, SearchWriter.open(file));
    return writers.get(file) ?? null;
  };
  return new Promise((done) => {
    process.on('message', (m: Request) => {
      void (async () => {
        let reply: Reply;
        try {
          reply = { id: m.id, summary: await summarizeAndIndex(m.dir, m.signature, writerFor(m.indexFile)) };
        } catch (e) {
          reply = { id: m.id, error: (e as Error)?.message ?? String(e) };
        }
        process.send?.(reply);
      })();
    });
    process.on('disconnect', () => {
      for (const w of writers.values()) w?.close();
      done(0);
    });
  });
}
