/**
 * The sessions of the served roots, for the session list: every bundle found
 * under them, each with its summary (src/trace/sessions/summary.ts), kept up
 * to date while Codex records. Summaries are made in the background, one
 * bundle at a time, by a summariser that must not hold the server (a child
 * process by default), and kept in a cache file outside the trace root so a
 * restart only summarises what changed. A bundle is summarised again when its
 * files change; a new bundle appears at the next scan (every `pollMs`).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SessionSummarySchema, failedSummary, type SessionSummary } from '../../trace/sessions/summary';
import type { SessionList, SessionListChanges } from '../../trace/sessions/list';
export { SessionListSchema, SessionRowSchema, type SessionList, type SessionRow } from '../../trace/sessions/list';
import { listBundleDirs, type ServedRoot } from '../bundles';
import { mapLimited } from '../map-limited';
import { MeasureSchema, measureBundle, type Measure } from './measure';

/**
 * Makes a bundle's summary (reduces it somewhere that does not hold the
 * server), and indexes it for search when there is an index; `signature` is
 * what the bundle's files looked like when it was asked for.
 */
export type Summarize = (bundleDir: string, signature: string) => Promise<Summarized>;

/** A summary, and the bundle's size as the reduction found it (null: the catalog measures it itself). */
export interface Summarized {
  summary: SessionSummary;
  measured: Measure | null;
}

interface Entry {
  name: string;
  dir: string;
  signature: string;
  sizeBytes: number;
  modifiedMs: number;
  /** The signature `sizeBytes` was measured at; null before any measure. */
  measuredAt: string | null;
  summary: SessionSummary | null;
  /** The signature the summary was made for. */
  summarisedAt: string | null;
  /** The list's version when this row last changed (`changesSince`). */
  version: number;
  /** Whether the row was last given out as recording: that turns false with time alone, and is a change too. */
  shownRecording: boolean;
}

/**
 * Version of the cache file: bumped whenever a summary gains a field (2:
 * tokens per model, for the list's cost), so summaries made before are made
 * again rather than read without it.
 */
const CACHE_VERSION = 2;

const CacheSchema = z.object({
  v: z.literal(CACHE_VERSION),
  // `measured` is optional: a cache written before sizes were kept has its bundles measured again.
  entries: z.array(z.object({ dir: z.string(), signature: z.string(), summary: SessionSummarySchema, measured: MeasureSchema.optional() })),
});

/**
 * What changes when Codex writes to a bundle, cheap enough to ask of a
 * thousand bundles every second: the manifest's and trace.jsonl's sizes and
 * times, how many payload files there are, and the sizes of schema 3's few
 * shard files (`.zst`, appended to in place). Payload files of schemas 1
 * and 2 are written once, so their count says enough.
 */
export async function signatureOf(dir: string): Promise<string | null> {
  return (await lookAt(dir))?.signature ?? null;
}

/**
 * The bundle's signature, and the newest time among the files it looks at
 * (trace.jsonl is written with every event): when it last changed, before
 * `measure` has looked at every payload.
 */
async function lookAt(dir: string): Promise<{ signature: string; modifiedMs: number } | null> {
  const parts: string[] = [];
  let modifiedMs = 0;
  for (const f of ['manifest.json', 'trace.jsonl']) {
    const s = await stat(path.join(dir, f)).catch(() => null);
    if (s?.isFile()) {
      parts.push(`${f}:${s.size}:${s.mtimeMs}`);
      modifiedMs = Math.max(modifiedMs, s.mtimeMs);
    } else if (f === 'trace.jsonl') return null;
  }
  const names = await readdir(path.join(dir, 'payloads')).catch(() => [] as string[]);
  parts.push(`payloads:${names.length}`);
  // Only shards grow in place; stat'ing every small JSON payload of a thousand bundles each second kept a core busy.
  for (const n of names.filter((x) => x.endsWith('.zst')).sort()) {
    const s = await stat(path.join(dir, 'payloads', n)).catch(() => null);
    if (s) {
      parts.push(`${n}:${s.size}:${s.mtimeMs}`);
      modifiedMs = Math.max(modifiedMs, s.mtimeMs);
    }
  }
  return { signature: parts.join('|'), modifiedMs };
}

/** How often the roots are looked at: a new session is listed within about this. */
const POLL_MS = 500;

/** Every how many polls every bundle is looked at again, finished ones included; the scans in between skip those. */
const FULL_SCAN_POLLS = 20;

/**
 * Whether a bundle is looked at on every scan: one whose summary says it may
 * still grow (unclosed, partial, failed), or that was summarised at another
 * signature. A finished bundle waits for the next full scan, and so does
 * one still queued for its first summary: what that summary says decides.
 */
function needsLook(e: Entry): boolean {
  if (e.summary === null) return false;
  return e.summarisedAt !== e.signature || e.summary.status !== 'complete';
}

export interface CatalogOptions {
  summarize: Summarize;
  /** JSON file that keeps summaries across restarts; null keeps none. */
  cacheFile: string | null;
  /**
   * The search index's bundles and the signatures they were indexed at: a
   * cached summary whose bundle the index lacks is made again, so the index
   * is filled too (after the index file was removed, or search installed).
   */
  indexed?: () => Map<string, string>;
  pollMs?: number;
  /** How many bundles are summarised at once (the summariser's processes). Default 1. */
  concurrency?: number;
  /** A bundle written to this recently and not closed counts as recording. */
  recentMs?: number;
  now?: () => number;
}

export class SessionCatalog {
  private entries = new Map<string, Entry>();
  private readonly cached = new Map<string, { signature: string; summary: SessionSummary; measured?: Measure }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFullScan = 0;
  private scanning: Promise<void> | null = null;
  private working = false;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly roots: ServedRoot[],
    private readonly opts: CatalogOptions,
  ) {
    this.loadCache();
  }

  private started: Promise<void> | null = null;
  /** Resolves start() once the first scan has its entries, before their sizes. */
  private listed: (() => void) | null = null;

  /** Scans now, then every `pollMs`, summarising in the background. Resolves after the first scan; later calls wait for that one. */
  start(): Promise<void> {
    this.started ??= this.startOnce();
    return this.started;
  }

  private async startOnce(): Promise<void> {
    // The first rows are wanted at once: the first scan's sizes (every payload stat'ed) are not waited for.
    await Promise.race([this.scan(), new Promise<void>((listed) => (this.listed = listed))]);
    const tick = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => void this.scan().finally(tick), this.opts.pollMs ?? POLL_MS);
      this.timer.unref?.();
    };
    tick();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.saveTimer) this.saveCacheSoon(0);
  }

  /** Called after any change to the list (a bundle found, gone or summarised). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The URL name of a bundle directory still in the list, or null. */
  nameOf(dir: string): string | null {
    for (const e of this.entries.values()) if (e.dir === dir) return e.name;
    return null;
  }

  list(): SessionList {
    const sessions = [...this.entries.values()].map((e) => this.row(e, this.isRecording(e)));
    return { total: sessions.length, summarised: sessions.filter((s) => !s.pending).length, sessions };
  }

  /** Bundles listed, and how many have a current summary. */
  counts(): { total: number; summarised: number } {
    let summarised = 0;
    for (const e of this.entries.values()) if (e.summarisedAt === e.signature) summarised++;
    return { total: this.entries.size, summarised };
  }

  /**
   * What changed in the list since version `since` of this server's list
   * (`epoch` names the server run that gave it out): the rows changed and the
   * names gone. Every row when `since` is not one of this run's versions.
   */
  changesSince(since: number | null, epoch: string | null): SessionListChanges {
    const full = since === null || epoch !== this.epoch || since > this.version;
    const rows: SessionList['sessions'] = [];
    for (const e of this.entries.values()) {
      const recording = this.isRecording(e);
      // A row turns from recording to unclosed with time alone: that counts as a change to it now.
      if (recording !== e.shownRecording) {
        e.shownRecording = recording;
        this.touch(e);
      }
      if (full || e.version > since) rows.push(this.row(e, recording));
    }
    const removed = full ? [] : [...this.removed].filter(([, v]) => v > since).map(([name]) => name);
    return { epoch: this.epoch, version: this.version, full, ...this.counts(), sessions: rows, removed };
  }

  /** This run of the catalog: versions from another run (a restarted server) mean nothing here. */
  private readonly epoch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  /** Bumped by every change to a row: a row's `version` is the version at its last change. */
  private version = 0;
  /** Names gone from the list, and the version at which each went. */
  private readonly removed = new Map<string, number>();

  private touch<T extends Entry>(e: T): T {
    e.version = ++this.version;
    return e;
  }

  private isRecording(e: Entry): boolean {
    const now = (this.opts.now ?? Date.now)();
    return e.summary?.status === 'unclosed' && now - e.modifiedMs < (this.opts.recentMs ?? 15_000);
  }

  private row(e: Entry, recording: boolean): SessionList['sessions'][number] {
    const sizeBytes = e.measuredAt === null ? null : e.sizeBytes;
    return { name: e.name, sizeBytes, modifiedMs: e.modifiedMs, recording, pending: e.summarisedAt !== e.signature, summary: e.summary };
  }

  /** How many listed bundles the search index holds as they are now (`indexed`: its bundles and their signatures). */
  countIndexed(indexed: ReadonlyMap<string, string>): number {
    let n = 0;
    for (const e of this.entries.values()) if (indexed.get(e.dir) === e.signature) n++;
    return n;
  }

  private listText: { json: string; at: number } | null = null;

  /**
   * `list()` as JSON, made again only after a change or a second: an open
   * page refetches the list on every change event, and serialising a
   * thousand summaries each time took a share of the CPU the summarisers
   * need. (A second bounds how late a row turns from recording to unclosed.)
   */
  listJson(): string {
    const now = (this.opts.now ?? Date.now)();
    if (this.listText && now - this.listText.at < 1000) return this.listText.json;
    this.listText = { json: JSON.stringify(this.list()), at: now };
    return this.listText.json;
  }

  /** One scan of the roots: new, changed and removed bundles. Concurrent calls share one scan. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    // Every few seconds a full look; in between, only what can change while Codex records: new bundles, and
    // the bundles that are not known to be finished (see `needsLook`).
    const now = Date.now();
    const full = this.entries.size === 0 || now - this.lastFullScan >= FULL_SCAN_POLLS * (this.opts.pollMs ?? POLL_MS);
    if (full) this.lastFullScan = now;
    const found = await listBundleDirs(this.roots, full ? undefined : this.knownLeaves());
    const indexed = this.entries.size === 0 ? (this.opts.indexed?.() ?? null) : null;
    let changed = false;
    const next = new Map<string, Entry>();
    const remeasure: Entry[] = [];
    // A thousand bundles' signatures one after another took seconds per scan; a few dozen at once keep the disk busy instead.
    const looks = await mapLimited(found, 32, ({ name, dir }) => {
      const old = this.entries.get(name);
      return full || !old || needsLook(old) ? lookAt(dir) : Promise.resolve({ signature: old.signature, modifiedMs: old.modifiedMs });
    });
    for (const [k, { name, dir }] of found.entries()) {
      const look = looks[k];
      if (look === null) continue;
      const signature = look.signature;
      // Keyed by URL name: one directory can be served under two names (a bundle given as a root and inside another root).
      const old = this.entries.get(name);
      const cached = this.cached.get(dir);
      const entry: Entry = old ?? {
        name,
        dir,
        signature: '',
        sizeBytes: 0,
        modifiedMs: 0,
        measuredAt: null,
        summary: null,
        summarisedAt: null,
        version: 0,
        shownRecording: false,
      };
      if (!old) this.touch(entry);
      if (!old && cached && (indexed === null || indexed.get(dir) === cached.signature)) {
        entry.summary = cached.summary;
        entry.summarisedAt = cached.signature;
        if (cached.measured) Object.assign(entry, cached.measured, { measuredAt: cached.signature });
      }
      if (entry.signature !== signature) {
        changed = true;
        entry.signature = signature;
        // Until the bundle is measured: the summarisers take the newest bundles first by it.
        entry.modifiedMs = Math.max(entry.modifiedMs, look.modifiedMs);
        // A bundle to summarise is measured by its summariser; one whose summary holds is measured here.
        if (entry.summarisedAt === signature && entry.measuredAt !== signature) remeasure.push(entry);
        this.touch(entry);
      }
      entry.name = name;
      next.set(name, entry);
    }
    if (next.size !== this.entries.size) changed = true;
    for (const name of this.entries.keys()) if (!next.has(name)) this.removed.set(name, ++this.version);
    for (const name of next.keys()) this.removed.delete(name);
    this.entries = next;
    this.listed?.();
    // The rows go out before their sizes, and the summarisers start: stat'ing every payload of a large
    // root took 1.5 s, which a cold list of 1,000 bundles waited for.
    if (changed) this.emit();
    void this.work();
    if (remeasure.length > 0) {
      await mapLimited(remeasure, 16, async (e) => {
        const signature = e.signature;
        this.touch(Object.assign(e, await measureBundle(e.dir), { measuredAt: signature }));
      });
      this.emit();
    }
  }

  /**
   * Bundle directories that need no look inside at a poll: known bundles
   * with no bundle below them (a resumed session's bundles can sit inside
   * the first one's folder, and must be found again at every poll).
   */
  private knownLeaves(): (dir: string) => boolean {
    const dirs = new Set([...this.entries.values()].map((e) => e.dir));
    const above = new Set<string>();
    for (const d of dirs) for (let p = path.dirname(d); p !== path.dirname(p) && !above.has(p); p = path.dirname(p)) above.add(p);
    return (dir) => dirs.has(dir) && !above.has(dir);
  }

  /** Summarises stale entries, `concurrency` at a time, newest first (the one being recorded is the one a user looks for). */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency ?? 1) }, () => this.workLane()));
      this.saveCacheSoon(0);
    } finally {
      this.working = false;
    }
  }

  private async workLane(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const stale = this.nextStale();
      if (!stale) return;
      const signature = stale.signature;
      this.busy.add(stale);
      let made: Summarized;
      try {
        made = await this.opts.summarize(stale.dir, signature);
      } catch (e) {
        made = { summary: failedSummary(`Could not summarise this bundle: ${(e as Error)?.message ?? String(e)}`), measured: null };
      } finally {
        this.busy.delete(stale);
      }
      const { summary } = made;
      const measured = made.measured ?? (await measureBundle(stale.dir));
      Object.assign(stale, measured, { measuredAt: signature, summary, summarisedAt: signature });
      this.touch(stale);
      this.cached.set(stale.dir, { signature, summary, measured });
      this.saveCacheSoon(1000);
      this.emit();
    }
  }

  /** Entries a lane is summarising now: another lane must not take them too. */
  private readonly busy = new Set<Entry>();

  private queue: Entry[] = [];

  /** The newest bundle whose summary is out of date: entries are sorted once per pass, not once per summary. */
  private nextStale(): Entry | null {
    for (;;) {
      const e = this.queue.shift();
      if (e) {
        if (this.entries.get(e.name) === e && e.summarisedAt !== e.signature && !this.busy.has(e)) return e;
        continue;
      }
      this.queue = [...this.entries.values()].filter((x) => x.summarisedAt !== x.signature && !this.busy.has(x)).sort((a, b) => b.modifiedMs - a.modifiedMs);
      if (this.queue.length === 0) return null;
    }
  }

  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Writes the cache within `ms`: the whole file is rewritten each time, so
   * after every one of a thousand summaries it was quadratic (gigabytes
   * written for a cold root).
   */
  private saveCacheSoon(ms: number): void {
    if (ms === 0) {
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.saveCache();
      return;
    }
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saveCache();
    }, ms);
    this.saveTimer.unref?.();
  }

  private emit(): void {
    this.listText = null;
    for (const l of this.listeners) l();
  }

  private loadCache(): void {
    if (!this.opts.cacheFile) return;
    try {
      const parsed = CacheSchema.safeParse(JSON.parse(readFileSync(this.opts.cacheFile, 'utf8')));
      if (parsed.success) for (const e of parsed.data.entries) this.cached.set(e.dir, { signature: e.signature, summary: e.summary, measured: e.measured });
    } catch {
      // No cache yet, or one from another version: summarise afresh.
    }
  }

  private saveCache(): void {
    const file = this.opts.cacheFile;
    if (!file) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const entries = [...this.cached].map(([dir, c]) => ({ dir, signature: c.signature, summary: c.summary, measured: c.measured }));
      // Written aside and renamed: a crash mid-write leaves the previous cache, not half a file.
      writeFileSync(`${file}.tmp`, JSON.stringify({ v: CACHE_VERSION, entries }));
      renameSync(`${file}.tmp`, file);
    } catch {
      // A cache that cannot be written costs a re-summarise after a restart, nothing more.
    }
  }
}
