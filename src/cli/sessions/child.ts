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
import type { Summarize } from './catalog';

export const SUMMARIZE_COMMAND = '__summarize';

interface Request {
  id: number;
  dir: string;
}
type Reply = { id: number; summary: SessionSummary } | { id: number; error: string };

export function childSummarizer(script: string): { summarize: Summarize; close(): void } {
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
    summarize: (dir) =>
      new Promise<SessionSummary>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const c = ensure();
        c.channel?.ref();
        c.send({ id, dir } satisfies Request, (err) => {
          if (err) {
            pending.delete(id);
            reject(err);
          }
        });
      }).finally(() => {
        if (pending.size === 0) child?.channel?.unref();
      }),
    close: () => {
      failAll('the server stopped');
      child?.kill();
      child = null;
    },
  };
}

/** The child's side: reduce each bundle it is sent and answer with its summary. */
export function runSummarizeChild(): Promise<number> {
  return new Promise((done) => {
    process.on('message', (m: Request) => {
      void (async () => {
        let reply: Reply;
        try {
          const result = await reduceBundle(new DirectorySource(m.dir), { unknownEvents: 'skip' });
          reply = { id: m.id, summary: summarizeSession(result) };
        } catch (e) {
          reply = { id: m.id, error: (e as Error)?.message ?? String(e) };
        }
        process.send?.(reply);
      })();
    });
    process.on('disconnect', () => done(0));
  });
}
