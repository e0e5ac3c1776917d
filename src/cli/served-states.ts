/**
 * `GET <bundle>/?reduced`: the bundle reduced here rather than in the page,
 * for bundles too large for a browser tab (src/trace/bundle/served-state.ts
 * has the answer's format). The reduction runs in a child process (this same
 * command line, started as `__reduce-state`) so the server keeps answering,
 * streams its progress to every page waiting for it, and leaves its
 * state.json in the user's cache folder, keyed by the bundle's files, so the
 * next open of an unchanged bundle is only a file read.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { reduceBundle } from '../trace/reducer';
import { serializeStateChunks } from '../trace/serialize';
import { SERVED_STATE_TYPE, SERVER_REDUCES_ABOVE } from '../trace/bundle/served-choice';
import { ServedResultSchema, splitStateBytes, type ServedProgress, type ServedResult } from '../trace/bundle/served-state';
import { DirectorySource } from './directory-source';
import { bundleContentHash, fileChunks } from './bundle-tar';
import { SECURITY_HEADERS } from './http-files';
import { signatureOf } from './sessions/catalog';

export const REDUCE_STATE_COMMAND = '__reduce-state';

/** Reduces `dir` and writes its state to `out` (whole or not at all); reports progress as it goes. */
export type ReduceToFile = (dir: string, out: string, onProgress: (p: ServedProgress) => void) => Promise<ServedResult>;

/** Most states kept in the cache folder, and most bytes: the oldest go first. */
const KEEP_STATES = 64;
const KEEP_BYTES = 2 * 1024 ** 3;

/** The reduction itself: in the child, or in this process when there is no child (tests, the dev server). */
export const reduceToFile: ReduceToFile = async (dir, out, onProgress) => {
  // The reducer knows only trace.jsonl's size up front; the page is better told the whole bundle's.
  const total = bundleBytes(dir);
  let last = 0;
  const result = await reduceBundle(new DirectorySource(dir), {
    unknownEvents: 'skip',
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      onProgress({ type: 'progress', bytesDone: p.bytesDone, bytesTotal: Math.max(total, p.bytesTotal, p.bytesDone), eventsDone: p.eventsDone });
    },
  });
  let stateBytes = 0;
  let parts: ServedResult['parts'];
  if (result.state) {
    const fd = openSync(`${out}.tmp`, 'w');
    try {
      for (const chunk of serializeStateChunks(result.state)) stateBytes += writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    // Found once here, where the code is warm and the state is kept: every page that opens it is told them.
    parts = splitStateBytes(readFileSync(`${out}.tmp`)) ?? undefined;
    renameSync(`${out}.tmp`, out);
  }
  const { manifest, error, diagnostics, eventsApplied } = result;
  // A tab that reduced the bundle would hash it; beyond what a tab could hold, the second read is not worth it.
  const contentHash = result.state && total <= HASHED_UP_TO ? await bundleContentHash(dir) : null;
  return { type: 'result', manifest, error, diagnostics, eventsApplied, stateBytes, contentHash, ...(parts ? { parts } : {}) };
};

/** The largest bundle (trace.jsonl and payloads) whose content hash the server computes with its state. */
const HASHED_UP_TO = 256 * 1024 * 1024;

/** Bytes of trace.jsonl and the payload files, as the reducer counts what it reads. */
function bundleBytes(dir: string): number {
  const size = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  let n = size(path.join(dir, 'trace.jsonl'));
  let names: string[] = [];
  try {
    names = readdirSync(path.join(dir, 'payloads'));
  } catch {
    // No payloads folder: only the log counts.
  }
  for (const name of names) n += size(path.join(dir, 'payloads', name));
  return n;
}

/** `reduceToFile` in a child process started from `script`, one per reduction: a huge bundle's memory goes with it. */
export function childReduceToFile(script: string): ReduceToFile {
  return (dir, out, onProgress) =>
    new Promise<ServedResult>((resolve, reject) => {
      const child = fork(script, [REDUCE_STATE_COMMAND], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      let settled = false;
      child.on('message', (m: ServedProgress | ServedResult | { type: 'failed'; message: string }) => {
        if (m.type === 'progress') onProgress(m);
        else if (m.type === 'failed') {
          settled = true;
          reject(new Error(m.message));
        } else {
          const parsed = ServedResultSchema.safeParse(m);
          settled = true;
          if (parsed.success) resolve(parsed.data);
          else reject(new Error('the reducing process sent a malformed result'));
        }
      });
      child.on('exit', (code, signal) => {
        if (!settled) reject(new Error(`the reducing process stopped (${signal ?? `exit ${code}`}) before it finished`));
      });
      child.on('error', (e) => {
        if (!settled) reject(e);
      });
      child.send({ dir, out });
    });
}

/** The child's side: one reduction, then exit. */
export function runReduceStateChild(): Promise<number> {
  return new Promise((done) => {
    process.once('message', (m: { dir: string; out: string }) => {
      void reduceToFile(m.dir, m.out, (p) => process.send?.(p)).then(
        (result) => process.send?.(result, () => done(0)),
        (e: unknown) => process.send?.({ type: 'failed', message: (e as Error)?.message ?? String(e) }, () => done(1)),
      );
    });
  });
}

interface Job {
  progress: ServedProgress | null;
  listeners: Set<(m: ServedProgress | ServedResult | Error) => void>;
}

export class ServedStates {
  private readonly jobs = new Map<string, Job>();

  constructor(
    /** Where states are kept. */
    private readonly dir: string,
    private readonly reduce: ReduceToFile = reduceToFile,
    /** Smallest finished bundle the page leaves to this server (so one it names is reduced ahead); the page's own threshold. */
    readonly reducesAbove = SERVER_REDUCES_ABOVE,
  ) {}

  /** Answers `?reduced` for the bundle folder `bundle`: progress lines while it is reduced, then the result line and the state. */
  async send(req: http.IncomingMessage, res: http.ServerResponse, bundle: string): Promise<void> {
    const signature = await signatureOf(bundle);
    if (signature === null) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not a trace bundle');
      return;
    }
    const key = stateKey(bundle, signature);
    const file = path.join(this.dir, `${key}.json`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': `${SERVED_STATE_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let result = this.cached(key);
    if (result === null) {
      const outcome = await this.run(key, bundle, file, (p) => res.write(`${JSON.stringify(p)}\n`));
      if (outcome instanceof Error) {
        // The answer has begun: a failure can only end it short, which the page reports as such.
        res.destroy(outcome);
        return;
      }
      result = outcome;
    }
    res.write(`${JSON.stringify(result)}\n`);
    if (result.stateBytes > 0) for await (const chunk of fileChunks(file, result.stateBytes)) if (!res.write(chunk)) await waitDrain(res);
    res.end();
  }

  /**
   * Starts reducing `bundle` ahead of the page's request (the app page named
   * it while the page itself is still starting), unless its state is kept or
   * already on its way; the request then joins the reduction.
   */
  async prepare(bundle: string): Promise<void> {
    const signature = await signatureOf(bundle);
    if (signature === null) return;
    const key = stateKey(bundle, signature);
    if (this.jobs.has(key) || this.cached(key) !== null) return;
    await this.run(key, bundle, path.join(this.dir, `${key}.json`), () => {});
  }

  /** Whether the state of `bundle` as its files are now is kept here, or on its way. */
  async holds(bundle: string): Promise<boolean> {
    const signature = await signatureOf(bundle);
    if (signature === null) return false;
    const key = stateKey(bundle, signature);
    return this.jobs.has(key) || this.cached(key) !== null;
  }

  private cached(key: string): ServedResult | null {
    try {
      const parsed = ServedResultSchema.safeParse(JSON.parse(readFileSync(path.join(this.dir, `${key}.result.json`), 'utf8')));
      if (!parsed.success) return null;
      if (parsed.data.stateBytes > 0 && statSync(path.join(this.dir, `${key}.json`)).size !== parsed.data.stateBytes) return null;
      return parsed.data;
    } catch {
      return null;
    }
  }

  /** Reduces the bundle once however many pages ask for it at the same time; each gets the progress from when it joined. */
  private run(key: string, bundle: string, file: string, onProgress: (p: ServedProgress) => void): Promise<ServedResult | Error> {
    return new Promise((resolve) => {
      let job = this.jobs.get(key);
      const listener = (m: ServedProgress | ServedResult | Error) => {
        if (m instanceof Error || m.type === 'result') {
          job?.listeners.delete(listener);
          resolve(m);
        } else onProgress(m);
      };
      if (job) {
        if (job.progress) onProgress(job.progress);
        job.listeners.add(listener);
        return;
      }
      const started: Job = { progress: null, listeners: new Set([listener]) };
      job = started;
      this.jobs.set(key, started);
      const tell = (m: ServedProgress | ServedResult | Error) => {
        for (const l of [...started.listeners]) l(m);
      };
      // The first line goes out at once: the page shows progress from its first moments, not when the first event is reduced.
      tell((started.progress = { type: 'progress', bytesDone: 0, bytesTotal: 0, eventsDone: 0 }));
      mkdirSync(this.dir, { recursive: true });
      this.reduce(bundle, file, (p) => tell((started.progress = p)))
        .then((result) => {
          writeFileSync(path.join(this.dir, `${key}.result.json`), JSON.stringify(result));
          this.prune(key);
          return result;
        })
        .then(
          (result) => tell(result),
          (e: unknown) => tell(e instanceof Error ? e : new Error(String(e))),
        )
        .finally(() => this.jobs.delete(key));
    });
  }

  /** Keeps the newest states within KEEP_STATES and KEEP_BYTES. */
  private prune(keep: string): void {
    const states = readdirSync(this.dir)
      .filter((n) => n.endsWith('.result.json'))
      .map((n) => {
        const key = n.slice(0, -'.result.json'.length);
        const stats = statSync(path.join(this.dir, `${key}.json`), { throwIfNoEntry: false });
        return { key, bytes: stats?.size ?? 0, mtime: stats?.mtimeMs ?? 0 };
      })
      .sort((a, b) => b.mtime - a.mtime);
    let bytes = 0;
    states.forEach((s, i) => {
      bytes += s.bytes;
      if (s.key !== keep && (i >= KEEP_STATES || bytes > KEEP_BYTES)) {
        rmSync(path.join(this.dir, `${s.key}.json`), { force: true });
        rmSync(path.join(this.dir, `${s.key}.result.json`), { force: true });
      }
    });
  }
}

/** A bundle's files as they are now, as a file name: a state is reused only for the same files. */
function stateKey(bundle: string, signature: string): string {
  let real = bundle;
  try {
    real = realpathSync(bundle);
  } catch {
    // Gone since it was found: its key does not matter.
  }
  // The layout's version first: a state kept by a release whose result lacked a field is made again, not misread.
  return createHash('sha256').update(`v2\0${real}\0`).update(signature).digest('hex').slice(0, 32);
}

function waitDrain(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
