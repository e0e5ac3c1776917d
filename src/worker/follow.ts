/**
 * Following a served bundle while Codex records it (issue 19). The load
 * reduces what the bundle tar held with the incremental replay in live mode
 * (a cut last line held back, a late payload waited for); then, unless the
 * recording had completed, the follower listens to `serve`'s `?live` events,
 * fetches only the appended bytes of trace.jsonl and of each growing shard
 * (`Range`), feeds the replay, and posts the state at most four times a
 * second. It stops by itself once `recording_completed` is applied, so the
 * last state is what a batch reduction of the finished bundle gives.
 */
import type { GrowingSource } from '../trace/bundle/growing';
import { normalizePath } from '../trace/bundle/paths';
import { decide0165, IncrementalReplay, logMissingError, type SchemaWriter } from '../trace/reducer';
import type { RolloutTrace } from '../trace/schema/state';
import { StateChangeTracker, type StateChange } from './state-change';
import type { ReduceFn, WorkerSession } from './session';
import { servedFileUrl } from '../trace/bundle/served-url';

/** Shortest time between two state updates posted to the page. */
export const LIVE_POST_MS = 250;
/**
 * A replay stuck on something not written (a payload, the rest of a line)
 * while the log already holds `recording_completed` gets no more after this
 * long without growth: the batch rules decide (the payload is missing).
 */
const QUIET_MS = 3000;
/**
 * Stuck that way with no write for this long, the bundle is no longer being
 * recorded (Codex stopped mid-write): it is read as it stands, as `reduce`
 * reads it. A writer never leaves half a line or a payload it refers to for
 * anything like this long.
 */
const ABANDONED_MS = 60_000;
const RECONNECT_MS = 1000;

/** What `?live` reports (src/cli/live.ts). */
interface Growth {
  trace: number;
  payloadFiles: number;
  shards: Record<string, number>;
  /** How long ago the bundle was last written. */
  idleMs?: number;
}

function isGrowth(v: unknown): v is Growth {
  const g = v as Growth | null;
  return (
    typeof g === 'object' &&
    g !== null &&
    typeof g.trace === 'number' &&
    typeof g.payloadFiles === 'number' &&
    typeof g.shards === 'object' &&
    g.shards !== null
  );
}

export class LiveFollower {
  private replay: IncrementalReplay | null = null;
  private traceOffset = 0;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /**
   * The log as read so far, kept only while a schema-2 log's writer is not
   * known: one that turns out to be 0.165.0's is replayed again from it.
   */
  private logText: string | null = null;
  /** The end of the log read so far, where a word cut by a fetch's edge is found whole. */
  private logTail = '';
  /** The log holds `recording_completed` (perhaps not applied yet: the replay may wait for a payload before it). */
  private completedInLog = false;
  private writer: SchemaWriter = null;
  private writerDecided = false;
  private payloadsDir = 'payloads';
  private payloadFiles = -1;
  private following = false;
  private stopped = false;
  private paused = false;
  private latest: Growth | null = null;
  private busy = false;
  private again = false;
  private lastPost = 0;
  private postTimer: ReturnType<typeof setTimeout> | null = null;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the bundle was last written, as far as the server's reports tell. */
  private writtenAt = Date.now();
  /** Whether the server has reported when the bundle was written (else `writtenAt` is a guess). */
  private writtenKnown = false;
  private readonly events = new AbortController();
  /** The state as the page holds it, so that an update sends only what changed. */
  private readonly sent = new StateChangeTracker();

  constructor(
    private readonly s: WorkerSession,
    readonly id: number,
    private readonly baseUrl: string,
    private readonly growing: GrowingSource,
  ) {}

  /** The load's reduction: the bundle as the tar held it, replayed in live mode. */
  readonly reduce: ReduceFn = async (source, options = {}) => {
    const replay = await IncrementalReplay.open(source, {
      ...options,
      // Progress belongs to the load; while following, the page hears of events through `live` messages.
      onProgress: (p) => {
        if (!this.following) options.onProgress?.(p);
      },
      live: true,
    });
    this.replay = replay;
    if (replay.schemaVersion === null) return replay.snapshot();
    this.payloadsDir = replay.manifest?.payloads_dir || 'payloads';
    const bytes = await this.growing.readBytes('trace.jsonl');
    this.traceOffset = bytes?.byteLength ?? 0;
    const text = bytes ? this.decoder.decode(bytes, { stream: true }) : '';
    this.decideWriter(replay.schemaVersion, text);
    if (replay.schemaVersion === 2 && !this.writerDecided) this.logText = text;
    this.noteText(text);
    replay.begin(this.writer, this.traceOffset);
    if (!bytes) replay.fail(logMissingError());
    replay.feed(text);
    await replay.pump();
    if (replay.completed) {
      replay.end();
      await replay.pump();
    }
    return replay.snapshot();
  };

  /** After the load's result: follow the bundle unless there is nothing more to come. */
  start(): boolean {
    const replay = this.replay;
    // No result (an error was posted instead) means nothing on the page to follow.
    if (this.s.loaded?.source !== this.growing) return false;
    if (!replay || replay.failed || replay.completed || replay.schemaVersion === null) return false;
    // The page holds the load's state: the first update already sends only what changed since.
    const first = replay.snapshot().state;
    if (first) this.sent.change(first);
    this.following = true;
    this.post(false, 'following');
    void this.listen();
    return true;
  }

  /** Stop following without a word (a new load replaces this one). */
  stop(): void {
    this.stopped = true;
    this.events.abort();
    if (this.postTimer) clearTimeout(this.postTimer);
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }

  setPaused(paused: boolean): void {
    if (this.stopped || paused === this.paused) return;
    this.paused = paused;
    // Resuming shows at once what was held (once a catch-up under way has finished applying its event).
    if (paused) this.post(false, 'paused');
    else if (this.busy) this.schedulePost();
    else this.post(true, 'following');
  }

  private decideWriter(version: number, text: string): boolean {
    if (version !== 2 || this.writerDecided) return false;
    const decided = decide0165(text);
    if (decided === null) return false;
    this.writerDecided = true;
    if (!decided) return false;
    const changed = this.writer === null && this.replay !== null && this.replay.eventsApplied > 0;
    this.writer = 'schema-2-0.165.0';
    return changed;
  }

  private async listen(): Promise<void> {
    const url = new URL('?live', this.baseUrl).href;
    while (!this.stopped) {
      try {
        const res = await this.s.fetch(url, { signal: this.events.signal });
        if (!res.ok || !res.body) {
          this.end(`the server does not report this bundle's growth (HTTP ${res.status})`);
          return;
        }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done || this.stopped) break;
          buf += value;
          for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = /^event: grew\ndata: (.*)$/m.exec(block)?.[1];
            if (data === undefined) continue;
            const growth: unknown = JSON.parse(data);
            if (isGrowth(growth)) {
              this.latest = growth;
              const told = this.writtenKnown;
              this.writtenAt = Date.now() - (growth.idleMs ?? 0);
              this.writtenKnown = growth.idleMs !== undefined;
              // The page learns at once when the bundle was last written (an old, unclosed one is not being recorded).
              if (!told && this.writtenKnown) this.post(false, this.paused ? 'paused' : 'following');
              void this.kick();
            }
          }
        }
      } catch {
        if (this.stopped) return;
      }
      // The server went away or restarted: ask again, the bundle may have grown meanwhile.
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  /** One catch-up at a time; growth reported meanwhile is caught up right after. */
  private async kick(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.catchUp();
      } while (this.again && !this.stopped);
    } catch (e) {
      this.end(`following stopped: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      this.busy = false;
    }
  }

  private async catchUp(): Promise<void> {
    const g = this.latest;
    let replay = this.replay;
    if (!g || !replay || this.stopped) return;
    let grew = false;
    if (g.trace > this.traceOffset) {
      const bytes = await this.fetchFrom('trace.jsonl', this.traceOffset);
      if (bytes && bytes.byteLength) {
        this.traceOffset += bytes.byteLength;
        const text = this.decoder.decode(bytes, { stream: true });
        if (this.logText !== null) this.logText += text;
        this.noteText(text);
        if (this.decideWriter(replay.schemaVersion!, text)) replay = await this.restart();
        else replay.feed(text);
        if (this.writerDecided) this.logText = null;
        grew = true;
      }
    }
    for (const [name, size] of Object.entries(g.shards)) {
      const path = normalizePath(`${this.payloadsDir}/${name}`);
      if (!path) continue;
      const held = this.growing.heldSize(path);
      if (size <= held) continue;
      const bytes = await this.fetchFrom(path, held);
      if (bytes && bytes.byteLength) {
        this.growing.append(path, bytes);
        grew = true;
      }
    }
    if (g.payloadFiles !== this.payloadFiles) {
      this.payloadFiles = g.payloadFiles;
      grew = true;
    }
    if (!grew || this.stopped) {
      this.armQuiet();
      return;
    }

    replay.payloadsChanged();
    // The inspector reads payloads through its own store: a record appended to a shard it decoded must show too.
    if (this.s.loaded?.source === this.growing) this.s.loaded.payloads.refresh?.();
    await replay.pump();
    if (this.stopped) return;
    if (replay.completed) {
      replay.end();
      await replay.pump();
      this.end(null);
      return;
    }
    if (replay.failed) {
      this.end('the recording has an error: the state stops there');
      return;
    }
    this.schedulePost();
    this.armQuiet();
  }

  /** A schema-2 log whose writer turned out to be 0.165.0: replayed again from the start under its rules. */
  private async restart(): Promise<IncrementalReplay> {
    const replay = await IncrementalReplay.open(this.growing, { unknownEvents: 'skip', live: true });
    replay.begin(this.writer);
    replay.feed(this.logText ?? '');
    this.replay = replay;
    return replay;
  }

  private noteText(text: string): void {
    const needle = '"recording_completed"';
    const seen = this.logTail + text;
    if (seen.includes(needle)) this.completedInLog = true;
    this.logTail = seen.slice(-needle.length);
  }

  /** Whether the replay waits for something not written yet: an event's payload, or the rest of a line. */
  private stuck(): boolean {
    const replay = this.replay;
    return !!replay && (replay.waitingFor !== null || replay.pendingChars > 0);
  }

  /** Reads the bundle as finished if it stays stuck: soon when the log says the recording completed, else once abandoned. */
  private armQuiet(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.stopped || !this.stuck()) return;
    const completedInLog = this.completedInLog;
    const due = this.writtenAt + (completedInLog ? QUIET_MS : ABANDONED_MS) - Date.now();
    this.quietTimer = setTimeout(
      () => {
        const replay = this.replay;
        if (this.stopped || !replay) return;
        if (this.busy || !this.stuck() || Date.now() - this.writtenAt < (completedInLog ? QUIET_MS : ABANDONED_MS)) {
          this.armQuiet();
          return;
        }
        void (async () => {
          replay.end();
          await replay.pump();
          this.end(completedInLog ? null : 'the bundle was not written to for a minute, part way through an event: it is shown as reduce reads it');
        })();
      },
      Math.max(0, due),
    );
  }

  /** The bytes of a bundle file from `from` on; null when it is not there. */
  private async fetchFrom(path: string, from: number): Promise<Uint8Array | null> {
    const url = servedFileUrl(this.baseUrl, path);
    const res = await this.s.fetch(url, { headers: { Range: `bytes=${from}-` }, signal: this.events.signal });
    if (res.status === 416) return new Uint8Array();
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A server that ignores ranges sends the whole file.
    return res.status === 206 ? bytes : bytes.subarray(from);
  }

  private schedulePost(): void {
    if (this.postTimer) return;
    const wait = Math.max(this.busy ? 25 : 0, this.lastPost + LIVE_POST_MS - Date.now());
    this.postTimer = setTimeout(() => {
      this.postTimer = null;
      if (this.stopped) return;
      // A snapshot in the middle of an event (its payloads registered, not yet applied) would show half of it.
      if (this.busy) this.schedulePost();
      else this.post(!this.paused, this.paused ? 'paused' : 'following');
    }, wait);
  }

  private end(note: string | null): void {
    if (this.stopped) return;
    this.post(true, 'ended', note);
    this.stop();
  }

  /** The state (or only the status) to the page; the snapshot is serialized before anything more is fed. */
  private post(withState: boolean, status: 'following' | 'paused' | 'ended', note: string | null = null): void {
    const replay = this.replay;
    if (!replay) return;
    this.lastPost = Date.now();
    // A status alone needs no snapshot (the page reads only the status and the count from it).
    const snap = withState ? replay.snapshot() : null;
    let state: StateChange | null = null;
    if (snap?.state) {
      state = this.sent.change(snap.state);
      if (this.s.loaded?.source === this.growing) {
        // Payload and search requests read the state as it now is. It is parsed back from the text only when one
        // asks (the snapshot shares the replay's objects, which go on changing): a large state costs a parse per update.
        const sent = this.sent;
        let parsed: RolloutTrace | null = null;
        Object.defineProperty(this.s.loaded, 'state', {
          configurable: true,
          enumerable: true,
          get: () => (parsed ??= sent.state() as RolloutTrace),
        });
        this.s.loaded.index = null;
      }
    }
    this.s.post({
      type: 'live',
      id: this.id,
      status,
      eventsApplied: replay.eventsApplied,
      state,
      error: snap?.error ?? null,
      diagnostics: snap?.diagnostics ?? [],
      note,
      writtenAt: this.writtenKnown ? this.writtenAt : null,
    });
  }
}
