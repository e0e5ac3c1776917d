/**
 * The replay of one bundle, fed trace.jsonl as it comes: `feed` takes text
 * cut anywhere, `pump` applies every complete line it can, and `snapshot`
 * gives the reduced state at any point without disturbing what follows. The
 * batch reduction (./index.ts) is this fed the whole log and then `end`ed, so
 * there is one way to replay.
 *
 * In live mode (a bundle Codex is still writing) a line not yet ended by
 * "\n" is held back, and an event whose payload is not there yet (its file
 * missing, or its record past what its shard holds so far) waits, unapplied,
 * for the next `pump`; Codex writes a payload before the event that refers
 * to it, so what is missing is only late. `end` turns that back into the
 * batch rules: the last line counts even without "\n", and a payload still
 * missing is the reference's error.
 *
 * What is the same in every generation is here; what differs is in ./rules.ts.
 */
import type { ReduceOptions, ReduceResult } from '../api';
import type { BundleSource } from '../bundle/source';
import { payloadStoreFor, type PayloadStore } from '../bundle/payloads';
import { generationOf, unknownSchemaMessage } from '../schema/generations';
import { rulesFor, type ReductionRules } from './rules';
import { seqFields, type TraceErrorInfo } from '../errors';
import { DiagnosticCollector } from '../diagnostics';
import { JsonNumber, JsonSyntaxError, parseJson, parseJsonFast, type JsonValue } from '../json/lossless';
import { ManifestSchema, type Manifest } from '../schema/manifest';
import { parseEnvelope, parseEventPayload, RawToolCallRequesterSchema, payloadRefsOf, type EventPayload, type TraceEvent } from '../schema/events';
import { ToolCallKindSchema, ToolCallSummarySchema } from '../schema/common';
import type { RawPayloadRef } from '../schema/common';
import type { InteractionEdge, RolloutTrace } from '../schema/state';
import { resolveSpawnFallbacks } from './agents';
import { fail, PayloadFailure, ReduceFailure, Reducer, sortedKeys } from './core';
import { applyEvent } from './replay';
import { EventLogReadError } from './eventLog';
import { isRecord, setOwn } from '../objects';

export const EVENT_LOG = 'trace.jsonl';
/** Rust's `str::trim` whitespace (Unicode White_Space), which unlike JS's does not include U+FEFF. */
const BLANK_LINE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

class LocatedError extends Error {
  constructor(readonly info: TraceErrorInfo) {
    super(info.message);
  }
}

/** Which release wrote a schema-2 bundle, when it is not the usual one (see `writtenBy0165`). */
export type SchemaWriter = 'schema-2-0.165.0' | null;

export interface ReplayOptions extends ReduceOptions {
  /** Follow a bundle still being written: hold back an unended last line, wait for late payloads. */
  live?: boolean;
}

/** An event that passed every envelope check and waits (live) for its payloads. */
interface HeldEvent {
  ev: TraceEvent;
  refs: RawPayloadRef[];
}

export class IncrementalReplay {
  private readonly diagnostics = new DiagnosticCollector();
  private reducer: Reducer | null = null;
  /** A reducer with nothing replayed, once the rules are known. */
  private freshReducer: (() => Reducer) | null = null;
  private store: PayloadStore | null = null;
  private rules: ReductionRules | null = null;
  private knownTypes: ReadonlySet<string> = new Set();
  private error: TraceErrorInfo | null = null;
  /** Text fed and not yet consumed starts at `pos`. */
  private buf = '';
  private pos = 0;
  private ended = false;
  private held: HeldEvent | null = null;
  private lineNo = 0;
  private expectedSeq = 1;
  private recordingCompleted = false;
  /** The event that ends a recording was admitted: `recording_completed`, or `rollout_ended` where the schema has no such event. */
  private lastEventSeen = false;
  private bytesDone = 0;
  private bytesTotal = 0;
  private lastProgress = 0;
  private live: boolean;
  /** Events applied so far. */
  eventsApplied = 0;

  private constructor(
    private readonly source: BundleSource,
    private readonly options: ReplayOptions,
    /** Null when manifest.json could not be read: the replay is over before it began. */
    readonly manifest: Manifest | null,
  ) {
    this.live = options.live ?? false;
  }

  /** Reads the manifest; `begin` follows once the writer is known. A manifest that fails is the replay's error. */
  static async open(source: BundleSource, options: ReplayOptions = {}): Promise<IncrementalReplay> {
    let manifest: Manifest | null = null;
    let error: TraceErrorInfo | null = null;
    try {
      manifest = await readManifest(source);
    } catch (e) {
      error = errorInfoOf(e);
    }
    const replay = new IncrementalReplay(source, options, manifest);
    replay.error = error;
    return replay;
  }

  /** The manifest's trace schema (1, 2 or 3); null when the manifest failed. */
  get schemaVersion(): number | null {
    return this.manifest ? generationOf(this.manifest.schema_version)!.version : null;
  }

  /** Builds the reducer for the bundle's rules; `writer` decides between schema-2 releases (see `writtenBy0165`). */
  begin(writer: SchemaWriter = null, bytesTotal = 0): void {
    const m = this.manifest;
    if (!m || this.reducer) return;
    const rules = rulesFor(generationOf(m.schema_version)!.version, writer);
    const store = payloadStoreFor(this.source, rules.generation.payloads, m.payloads_dir || 'payloads');
    this.rules = rules;
    this.store = store;
    this.knownTypes = new Set<string>(rules.eventTypes);
    this.freshReducer = () => new Reducer(m, rules, (ref) => store.key(ref));
    this.reducer = this.freshReducer();
    this.bytesTotal = bundleBytes(this.source) ?? bytesTotal;
  }

  /** Stops the replay with an error (the log could not be opened or read); state so far is kept as it stands. */
  fail(e: unknown): void {
    if (this.error) return;
    // A log that turns out unreadable part way is reported as the reference reports it: it reads the whole log
    // before replaying, so its partial state holds no event.
    if (e instanceof EventLogReadError && this.freshReducer) {
      this.reducer = this.freshReducer();
      this.eventsApplied = 0;
    }
    this.error = errorInfoOf(e);
  }

  /** More of trace.jsonl, cut anywhere (inside a line too). */
  feed(text: string): void {
    if (this.ended || text === '') return;
    if (this.pos >= this.buf.length) this.buf = text;
    else this.buf = (this.pos ? this.buf.slice(this.pos) : this.buf) + text;
    this.pos = 0;
  }

  /** No more text will come: the last line counts without its "\n", and late payloads are missing ones. */
  end(): void {
    this.ended = true;
    this.live = false;
  }

  /** The replay is over and its snapshot taken: the payload store's memory may serve the next replay. */
  close(): void {
    this.store?.close?.();
  }

  /** The payloads may have grown: forget what was read of them that may be incomplete. */
  payloadsChanged(): void {
    this.store?.refresh?.();
  }

  /** Whether the replay has stopped at an error (the state is then partial for good). */
  get failed(): boolean {
    return this.error !== null;
  }

  /**
   * Whether the recording's last event has been applied: `recording_completed`,
   * or `rollout_ended` in the schemas that have no such event (schema 1 and
   * 0.165.0's schema 2). Nothing more is to come.
   */
  get completed(): boolean {
    return this.lastEventSeen && this.held === null;
  }

  /** The payload an event waits for (live), to say what the replay is waiting on. */
  get waitingFor(): { line: number; seq: number } | null {
    return this.held ? { line: this.held.ev.line, seq: this.held.ev.seq } : null;
  }

  /** Text fed but not applied yet: a held event's line is not counted (it was consumed). */
  get pendingChars(): number {
    return this.buf.length - this.pos;
  }

  /** Applies every complete line it can; stops at the end of the text, at an error, or (live) at an event whose payload is late. */
  async pump(): Promise<void> {
    const r = this.reducer;
    if (this.error || !r) return;
    try {
      for (;;) {
        if (this.held) {
          if (!(await this.apply(r, this.held))) return;
          this.held = null;
        }
        const line = this.nextLine();
        if (line === null) return;
        if (BLANK_LINE.test(line)) continue;
        if (this.options.signal?.aborted) throw new LocatedError(at(EVENT_LOG, this.lineNo, null, 'cancelled', []));
        this.held = this.admit(line);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** The next line (without its "\n", and "\r\n" as "\n"), or null when no complete line is left. */
  private nextLine(): string | null {
    if (this.pos >= this.buf.length) return null;
    const end = this.buf.indexOf('\n', this.pos);
    let line: string;
    if (end < 0) {
      if (!this.ended) return null;
      line = this.buf.slice(this.pos);
      this.pos = this.buf.length;
    } else {
      line = this.buf.slice(this.pos, end);
      this.pos = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
    }
    if (this.pos >= this.buf.length) {
      this.buf = '';
      this.pos = 0;
    }
    this.lineNo++;
    this.bytesDone += line.length + 1;
    return line;
  }

  /** Parses a line and runs the envelope checks; null for an event that is skipped. */
  private admit(line: string): HeldEvent | null {
    const rules = this.rules!;
    const lineNo = this.lineNo;
    const parsed = parseLine(line, lineNo, this.options.unknownEvents ?? 'error', this.diagnostics, rules, this.knownTypes);
    const ev = parsed.event;
    if (parsed.skipped) {
      // An event this reducer does not know is reported, not checked: it keeps its place in seq if it has one.
      if (ev.seq === this.expectedSeq) this.expectedSeq++;
      return null;
    }
    if (rules.checkEnvelopeSchema && ev.schema_version !== rules.generation.version)
      throw new LocatedError(at(EVENT_LOG, lineNo, ev.seq, rules.envelopeSchemaMessage(ev.schema_version, lineNo), []));
    if (rules.contiguousSeq && ev.seq !== this.expectedSeq)
      throw new LocatedError(
        at(EVENT_LOG, lineNo, ev.seq, `missing or reordered trace event ${this.expectedSeq}`, [
          `line ${lineNo} has seq ${ev.seq}; expected ${this.expectedSeq}`,
        ]),
      );
    if (rules.checkRolloutId && ev.rollout_id !== this.manifest!.rollout_id)
      throw new LocatedError(
        at(EVENT_LOG, lineNo, ev.seq, 'trace event belongs to another rollout', [
          `event rollout_id ${ev.rollout_id}, manifest rollout_id ${this.manifest!.rollout_id}`,
        ]),
      );
    if (rules.recordingCompletedIsLast && this.recordingCompleted)
      throw new LocatedError(at(EVENT_LOG, lineNo, ev.seq, 'trace event after recording completed', []));
    this.expectedSeq++;
    if (ev.payload.type === 'recording_completed') this.recordingCompleted = true;
    if (ev.payload.type === (this.knownTypes.has('recording_completed') ? 'recording_completed' : 'rollout_ended')) this.lastEventSeen = true;
    return { ev, refs: payloadRefsOf(ev.payload) };
  }

  /** Applies one admitted event; false (live only) when one of its payloads is not there yet, with nothing changed. */
  private async apply(r: Reducer, { ev, refs }: HeldEvent): Promise<boolean> {
    const store = this.store!;
    if (this.live && store.present) for (const ref of refs) if (!(await store.present(ref))) return false;
    r.eventPayloads = new Map();
    // The previous event's bodies are dropped: their memory may be reused for this event's.
    store.release?.();
    try {
      for (const ref of refs) registerRef(r, ref);
    } catch (e) {
      if (e instanceof ReduceFailure) throw new LocatedError(at(EVENT_LOG, ev.line, ev.seq, e.message, e.causes));
      throw e;
    }
    for (const ref of refs) this.bytesDone += await loadPayload(store, r, ref, ev, r.payloadProblems);
    try {
      applyEvent(r, ev);
    } catch (e) {
      if (e instanceof PayloadFailure) throw new LocatedError(e.info);
      if (e instanceof ReduceFailure) throw new LocatedError(at(EVENT_LOG, ev.line, ev.seq, e.message, e.causes));
      throw e;
    }
    this.eventsApplied++;
    if (this.options.onProgress && this.eventsApplied - this.lastProgress >= 64) {
      this.lastProgress = this.eventsApplied;
      this.reportProgress();
    }
    return true;
  }

  reportProgress(): void {
    this.options.onProgress?.({ bytesDone: this.bytesDone, bytesTotal: Math.max(this.bytesTotal, this.bytesDone), eventsDone: this.eventsApplied });
  }

  /**
   * The state as a replay ending here gives it: the end-of-replay steps (spawn
   * fallbacks, every payload checked) run on a view of the reducer, never on
   * it, so feeding can go on. The state shares objects with the replay:
   * serialize it before feeding more.
   */
  snapshot(): ReduceResult {
    const base = { manifest: this.manifest, diagnostics: this.diagnostics.result(), eventsApplied: this.eventsApplied };
    const r = this.reducer;
    if (!r) return { ...base, state: null, error: this.error, eventsApplied: 0 };
    if (this.error) return { ...base, state: finish(r), error: this.error };
    const view = endOfReplayView(r);
    try {
      resolveSpawnFallbacks(view);
    } catch (e) {
      if (e instanceof ReduceFailure) return { ...base, state: finish(view), error: at(EVENT_LOG, null, null, e.message, e.causes) };
      return { ...base, state: finish(view), error: errorInfoOf(e) };
    }
    // Every referenced payload must exist and be JSON, even those the replay never read.
    if (this.rules!.checksEveryPayload)
      for (const id of sortedKeys(r.s.raw_payloads)) {
        const problem = r.payloadProblems.get(this.store!.key(r.s.raw_payloads.get(id)!));
        if (problem) return { ...base, state: finish(view), error: problem };
      }
    return { ...base, state: finish(view), error: null };
  }
}

/**
 * The reducer as resolveSpawnFallbacks may change it: the pending edges, the
 * edges they would touch and the edge targets are its own copies; the rest is
 * the reducer's, read only.
 */
function endOfReplayView(r: Reducer): Reducer {
  const view = Object.create(r) as Reducer;
  view.pendingEdges = r.pendingEdges.map((e) => ({ ...e, payloadIds: [...e.payloadIds] }));
  const touched = new Set(r.pendingEdges.filter((e) => e.spawnFallbackThreadId !== null).map((e) => e.edgeId));
  if (touched.size === 0) return view;
  const edges = new Map<string, InteractionEdge>();
  for (const [id, e] of r.s.interaction_edges)
    edges.set(id, touched.has(id) ? { ...e, carried_item_ids: [...e.carried_item_ids], carried_raw_payload_ids: [...e.carried_raw_payload_ids] } : e);
  Object.defineProperty(view, 's', { value: { ...r.s, interaction_edges: edges } });
  Object.defineProperty(view, 'edgeTargetItems', { value: new Set(r.edgeTargetItems) });
  return view;
}

function errorInfoOf(e: unknown): TraceErrorInfo {
  return e instanceof LocatedError
    ? e.info
    : e instanceof EventLogReadError
      ? (logReadError(e) as LocatedError).info
      : at(EVENT_LOG, null, null, `internal error: ${(e as Error)?.message ?? String(e)}`, []);
}

/** The error for a log that could not be read. */
export function logReadError(e: unknown): Error {
  return e instanceof LocatedError ? e : new LocatedError(at(EVENT_LOG, null, null, `read trace event log ${EVENT_LOG}`, [(e as Error)?.message ?? String(e)]));
}

/** The error for a bundle without trace.jsonl. */
export function logMissingError(): Error {
  return new LocatedError(at(EVENT_LOG, null, null, `open trace event log ${EVENT_LOG}`, ['No such file or directory']));
}

/**
 * Whether Codex 0.165.0 wrote this schema-2 log: only it writes
 * `tool_call_runtime_started` without `kind`. Later schema-2 reducers refuse
 * such a bundle, so its reference is 0.165.0's own reducer (trace-format.md
 * §10). Decided before the replay, from the first runtime start that parses;
 * a line that does not parse is left for the replay to report.
 */
export function writtenBy0165(log: string): boolean {
  return decide0165(log) ?? false;
}

/** `writtenBy0165` for part of a log: null when no runtime start in it parses. */
export function decide0165(log: string): boolean | null {
  const needle = '"tool_call_runtime_started"';
  for (let i = log.indexOf(needle); i >= 0; i = log.indexOf(needle, i + needle.length)) {
    const start = log.lastIndexOf('\n', i) + 1;
    let end = log.indexOf('\n', i);
    if (end < 0) end = log.length;
    let payload: unknown;
    try {
      payload = (JSON.parse(log.slice(start, end)) as { payload?: unknown } | null)?.payload;
    } catch {
      continue;
    }
    if (typeof payload !== 'object' || payload === null || (payload as { type?: unknown }).type !== 'tool_call_runtime_started') continue;
    return !Object.hasOwn(payload, 'kind');
  }
  return null;
}

/** Total size of the bundle's files when the source can list them (for progress). */
function bundleBytes(source: BundleSource): number | null {
  const s = source as BundleSource & { paths?(): Iterable<string> };
  if (!s.paths || !s.size) return null;
  let total = 0;
  for (const p of s.paths()) total += s.size(p) ?? 0;
  return total;
}

/** `seq` is a number, or the seq's text in the file (kept as text when it is not a safe integer). */
function at(file: string, line: number | null, seq: number | string | null, message: string, causes: string[]): TraceErrorInfo {
  return { file, line, ...seqFields(seq), message, causes };
}

async function readManifest(source: BundleSource): Promise<Manifest> {
  const text = await readSourceText(source, 'manifest.json', 'read manifest.json');
  if (text === null)
    throw new LocatedError(
      at('manifest.json', null, null, 'the bundle has no manifest.json', [
        'No such file or directory: a trace bundle needs manifest.json, trace.jsonl and payloads/',
      ]),
    );
  let raw: JsonValue;
  try {
    raw = parseJson(text);
  } catch (e) {
    throw new LocatedError(at('manifest.json', null, null, 'read manifest.json', [(e as Error).message]));
  }
  const m = ManifestSchema.safeParse(raw);
  if (!m.success) throw new LocatedError(at('manifest.json', null, null, 'read manifest.json', [zodMessage(m.error)]));
  if (generationOf(m.data.schema_version) === null) {
    const { message, causes } = unknownSchemaMessage(m.data.schema_version);
    throw new LocatedError(at('manifest.json', null, null, message, causes));
  }
  return m.data;
}

/** A file's text; a read that fails (unreadable, not UTF-8) is an error located at that file. */
async function readSourceText(source: BundleSource, file: string, what: string): Promise<string | null> {
  try {
    return await source.readText(file);
  } catch (e) {
    throw new LocatedError(at(file, null, null, what, [(e as Error)?.message ?? String(e)]));
  }
}

function zodMessage(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

function parseLine(
  line: string,
  lineNo: number,
  unknownEvents: 'error' | 'skip',
  diagnostics: DiagnosticCollector,
  rules: ReductionRules,
  knownTypes: ReadonlySet<string>,
): { event: TraceEvent; skipped: boolean } {
  let raw: JsonValue;
  try {
    raw = parseJson(line);
  } catch (e) {
    const msg = e instanceof JsonSyntaxError ? e.message : String((e as Error).message);
    throw new LocatedError(at(EVENT_LOG, lineNo, seqHint(line), `parse trace event line ${lineNo}`, [msg]));
  }
  // A seq JSON.parse cannot hold exactly (a float lexeme, or an integer past 2^53) is refused here, named as written.
  const rawSeq = isRecord(raw) ? raw.seq : undefined;
  if (rawSeq instanceof JsonNumber) {
    const text = seqHint(line) ?? rawSeq.lexeme;
    throw new LocatedError(
      at(EVENT_LOG, lineNo, text, `parse trace event line ${lineNo}`, [
        rawSeq.isInteger
          ? `seq: \`${text}\` is past 2^53, the largest seq this viewer can follow exactly`
          : `seq: expected a non-negative integer, found \`${text}\``,
      ]),
    );
  }
  const env = parseEnvelope(raw);
  if (!env.success) throw new LocatedError(at(EVENT_LOG, lineNo, seqHint(line), `parse trace event line ${lineNo}`, [zodMessage(env.error)]));
  resolveVariantIndexes(env.data.payload, rules.eventTypes);
  const payloadType = (env.data.payload as { type?: unknown } | null)?.type;
  if (typeof payloadType === 'string' && !knownTypes.has(payloadType)) {
    if (unknownEvents === 'skip') {
      diagnostics.add('unknown_event_type', EVENT_LOG, payloadType, lineNo, seqFields(env.data.seq).seq);
      return { event: { ...env.data, payload: { type: 'recording_completed' }, line: lineNo }, skipped: true };
    }
    throw new LocatedError(
      at(EVENT_LOG, lineNo, env.data.seq, `parse trace event line ${lineNo}`, [
        `unknown event type \`${payloadType}\`; schema ${rules.generation.version} (${rules.generation.releases}) knows ${rules.eventTypes.length} event types`,
      ]),
    );
  }
  const payload = parseEventPayload(env.data.payload);
  if (!payload.success)
    throw new LocatedError(at(EVENT_LOG, lineNo, env.data.seq, `parse trace event line ${lineNo}`, [`payload: ${zodMessage(payload.error)}`]));
  const missing = missingGenerationField(payload.data, rules);
  if (missing !== null) throw new LocatedError(at(EVENT_LOG, lineNo, env.data.seq, `parse trace event line ${lineNo}`, [`missing field \`${missing}\``]));
  dropUnreadFields(payload.data, rules);
  return { event: { ...env.data, payload: payload.data, line: lineNo }, skipped: false };
}

/**
 * Codex reads the `type` tags of its tagged enums with serde, which also takes
 * a variant's index (a non-negative integer) in place of its name. Rewrite
 * such tags to names so the schemas below see what Codex sees. A payload
 * ref's `kind.type` is not such a tag: every reference release refuses an
 * integer there (`invalid type: integer, expected string or map`).
 */
function resolveVariantIndexes(payload: unknown, eventTypes: readonly string[]): void {
  if (!isRecord(payload)) return;
  tagByIndex(payload, eventTypes);
  if (isRecord(payload.kind)) tagByIndex(payload.kind, TOOL_KINDS);
  if (isRecord(payload.summary)) tagByIndex(payload.summary, SUMMARY_KINDS);
  if (isRecord(payload.requester)) tagByIndex(payload.requester, REQUESTER_KINDS);
}

function tagByIndex(o: Record<string, unknown>, names: readonly string[]): void {
  const t = o.type;
  if (typeof t === 'number' && Number.isInteger(t) && t >= 0 && t < names.length) o.type = names[t];
}

const TOOL_KINDS = ToolCallKindSchema.options.map((o) => o.shape.type.value);
const SUMMARY_KINDS = ToolCallSummarySchema.options.map((o) => o.shape.type.value);
const REQUESTER_KINDS = RawToolCallRequesterSchema.options.map((o) => o.shape.type.value);

/** The text of a line's `"seq"` number, for locating an error in a line that did not parse. */
function seqHint(line: string): string | null {
  const m = /"seq"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(line);
  return m ? m[1] : null;
}

/** Payload kinds the replay never reads (schema 3's prepared prompt: only its id is kept). */
const UNREAD_KINDS: ReadonlySet<string> = new Set(['prepared_prompt']);

async function loadPayload(store: PayloadStore, r: Reducer, ref: RawPayloadRef, ev: TraceEvent, problems: Map<string, TraceErrorInfo>): Promise<number> {
  const key = store.key(ref);
  if (r.eventPayloads.has(key)) return 0;
  if (UNREAD_KINDS.has(ref.kind.type) && store.check) {
    // Nothing in the replay reads it: only whether it is there and JSON matters.
    const verdict = await store.check(ref);
    if ('ok' in verdict) problems.delete(key);
    else if ('problem' in verdict) problems.set(key, at(verdict.problem.file || EVENT_LOG, ev.line, ev.seq, verdict.problem.message, verdict.problem.causes));
    else problems.set(key, at(EVENT_LOG, ev.line, ev.seq, `${r.rules.notJsonPayload} ${verdict.notJson.id}`, [verdict.notJson.error.message]));
    return 0;
  }
  const read = await store.read(ref);
  if ('problem' in read) {
    // An empty path names no file: locate the problem at the event that carries it.
    const where = read.problem.file === '' ? EVENT_LOG : read.problem.file;
    problems.set(key, at(where, ev.line, ev.seq, read.problem.message, read.problem.causes));
    return 0;
  }
  const body = read.body;
  try {
    const p = ev.payload;
    if (p.type === 'inference_started' && ref === p.request_payload) {
      const window = r.windows.parse(body, p.thread_id);
      r.eventPayloads.set(key, { value: window.value, body, window });
    } else r.eventPayloads.set(key, { value: parseJsonFast(body.text()), body });
    problems.delete(key);
  } catch (e) {
    // A composite payload is only as good as its parts: the reference names the first part that is not JSON.
    const verdict = ref.parts && store.check ? await store.check(ref) : null;
    const part = verdict && 'notJson' in verdict ? verdict.notJson : { id: ref.raw_payload_id, error: e as Error };
    const where = ref.path ?? EVENT_LOG;
    problems.set(key, at(where || EVENT_LOG, ev.line, ev.seq, `${r.rules.notJsonPayload} ${part.id}`, [part.error.message]));
  }
  return body.size;
}

/**
 * The ref as `raw_payloads` keeps it: the location fields of the bundle's
 * generation, in the reference's key order. Schema 3 lists a composite
 * payload's parts as payloads of their own.
 */
function registerRef(r: Reducer, ref: RawPayloadRef): void {
  if (r.rules.generation.payloads === 'files') {
    r.s.raw_payloads.set(ref.raw_payload_id, { raw_payload_id: ref.raw_payload_id, kind: { type: ref.kind.type }, path: ref.path ?? '' });
    return;
  }
  const known = r.s.raw_payloads.get(ref.raw_payload_id);
  // A payload already listed the same way (a model item in every later prompt) has its parts listed too.
  if (known && sameShardRef(known, ref)) return;
  if (known && r.rules.refusesConflictingRefs) fail(`conflicting references for payload ${ref.raw_payload_id}`);
  r.s.raw_payloads.set(ref.raw_payload_id, shardEntry(ref));
  for (const part of ref.parts ?? []) registerRef(r, part);
}

function shardEntry(ref: RawPayloadRef): RawPayloadRef {
  const e: RawPayloadRef = { raw_payload_id: ref.raw_payload_id, kind: { type: ref.kind.type }, shard: ref.shard };
  if (ref.parts) e.parts = ref.parts.map(shardEntry);
  return e;
}

function sameShardRef(a: RawPayloadRef, b: RawPayloadRef): boolean {
  if (a.raw_payload_id !== b.raw_payload_id || a.kind.type !== b.kind.type || a.shard !== b.shard) return false;
  if (!a.parts || !b.parts) return a.parts === b.parts;
  return a.parts.length === b.parts.length && a.parts.every((p, i) => sameShardRef(p, b.parts![i]));
}

/** A field this generation's reducer requires that the (newest) event schemas leave optional; null when none is missing. */
function missingGenerationField(p: EventPayload, rules: ReductionRules): string | null {
  for (const ref of payloadRefsOf(p)) {
    const m = missingRefField(ref, rules);
    if (m) return m;
  }
  if (p.type === 'tool_call_runtime_started' && rules.runtimeStartKind === 'required' && p.kind === null) return 'kind';
  if (p.type === 'inference_started' && rules.preparedPrompt && p.prepared_prompt_payload === null) return 'prepared_prompt_payload';
  return null;
}

/** Fields this generation's reducer does not know are dropped, as its serde types ignore them. */
function dropUnreadFields(p: EventPayload, rules: ReductionRules): void {
  if (p.type === 'tool_call_runtime_started' && rules.runtimeStartKind === 'absent') p.kind = null;
  if (p.type === 'inference_started' && !rules.preparedPrompt) p.prepared_prompt_payload = null;
  if (p.type === 'history_item_accepted') {
    if (!rules.toolOutputPayload) p.tool_output_payload = null;
    if (!rules.acceptedAgentMessage) p.agent_message_payload = null;
  }
}

function missingRefField(ref: RawPayloadRef, rules: ReductionRules): string | null {
  if (rules.generation.payloads === 'files') return ref.path === undefined ? 'path' : null;
  if (ref.shard === undefined) return 'shard';
  for (const part of ref.parts ?? []) {
    const m = missingRefField(part, rules);
    if (m) return m;
  }
  return null;
}

/** Items as a reducer that keeps acceptance to itself writes them. */
function withoutAcceptedFields<V extends object>(items: Map<string, V>): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of items) out.set(k, { ...v, accepted_at_unix_ms: undefined, accepted_seq: undefined });
  return out;
}

/** The working maps as the plain, key-sorted objects of `state.json`. */
function finish(r: Reducer): RolloutTrace {
  r.materializeTranscripts();
  const s = r.s;
  const obj = <V>(m: Map<string, V>): Record<string, V> => {
    const out: Record<string, V> = {};
    for (const k of sortedKeys(m)) setOwn(out, k, m.get(k)!);
    return out;
  };
  const recording = r.rules.recordingField;
  return {
    schema_version: s.schema_version,
    trace_id: s.trace_id,
    rollout_id: s.rollout_id,
    started_at_unix_ms: s.started_at_unix_ms,
    ended_at_unix_ms: s.ended_at_unix_ms,
    status: s.status,
    ...(recording === 'recording_complete' ? { recording_complete: s.recording_complete } : {}),
    ...(recording === 'recording_status' ? { recording_status: s.recording_complete ? ('complete' as const) : ('unclosed' as const) } : {}),
    root_thread_id: s.root_thread_id,
    threads: obj(s.threads),
    codex_turns: obj(s.codex_turns),
    conversation_items: r.rules.acceptedFieldsWritten ? obj(s.conversation_items) : obj(withoutAcceptedFields(s.conversation_items)),
    inference_calls: obj(s.inference_calls),
    code_cells: obj(s.code_cells),
    tool_calls: obj(s.tool_calls),
    terminal_sessions: obj(s.terminal_sessions),
    terminal_operations: obj(s.terminal_operations),
    compactions: obj(s.compactions),
    compaction_requests: obj(s.compaction_requests),
    interaction_edges: obj(s.interaction_edges),
    raw_payloads: obj(s.raw_payloads),
  };
}
