/**
 * Hostile mutations of trace bundles for the robustness fuzzer (on top of the
 * structure-aware ones in ./mutate): giant strings, deep nesting, invalid
 * UTF-8, huge payloads, broken manifests, odd line endings, prototype-named
 * ids, absurd numbers, and stacks of several mutations. Each takes a bundle
 * and a seeded PRNG and returns a changed copy plus a description, or null
 * when it does not apply.
 */
import type { BundleFiles } from './bundle-files';
import { joinTraceLines, traceLines } from './bundle-files';
import { MUTATION_KINDS, MUTATION_WEIGHTS, type Mutant, type MutationKind, mutate } from './mutate';
import type { Rng } from './prng';

export type HostileKind =
  | 'giant-string'
  | 'deep-nesting'
  | 'invalid-utf8'
  | 'huge-payload'
  | 'manifest'
  | 'line-endings'
  | 'proto-ids'
  | 'absurd-numbers'
  | 'payload-not-object'
  | 'truncate-anywhere'
  | 'unknown-flood'
  | 'stacked';

export const HOSTILE_KINDS: readonly HostileKind[] = [
  'giant-string',
  'deep-nesting',
  'invalid-utf8',
  'huge-payload',
  'manifest',
  'line-endings',
  'proto-ids',
  'absurd-numbers',
  'payload-not-object',
  'truncate-anywhere',
  'unknown-flood',
  'stacked',
];

export type AnyKind = MutationKind | HostileKind;

/** Weights: the structural mutations (./mutate) make up about 60% of cases, hostile ones the rest. */
export const ALL_WEIGHTS: [AnyKind, number][] = [
  ...MUTATION_KINDS.map((k) => [k, MUTATION_WEIGHTS[k]] as [AnyKind, number]),
  ['giant-string', 6],
  ['deep-nesting', 6],
  ['invalid-utf8', 6],
  ['huge-payload', 2],
  ['manifest', 8],
  ['line-endings', 5],
  ['proto-ids', 6],
  ['absurd-numbers', 6],
  ['payload-not-object', 5],
  ['truncate-anywhere', 6],
  ['unknown-flood', 4],
  ['stacked', 14],
];

const copy = (b: BundleFiles): BundleFiles => ({ manifest: b.manifest, trace: b.trace, files: new Map(b.files) });
const textOf = (c: string | Buffer): string => (typeof c === 'string' ? c : c.toString('utf8'));

function walk(v: any, visit: (parent: any, key: string | number, value: any) => void): void {
  if (v === null || typeof v !== 'object') return;
  const entries: [string | number, any][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    visit(v, k, x);
    walk(x, visit);
  }
}

/** Parsed trace lines (null where a line is not JSON). */
function lines(b: BundleFiles): { raw: string; obj: any }[] {
  return traceLines(b.trace ?? '').map((raw) => {
    try {
      return { raw, obj: JSON.parse(raw) };
    } catch {
      return { raw, obj: null };
    }
  });
}

function giantText(rng: Rng): string {
  const n = rng.pick([100_000, 1_000_000, 4_000_000]);
  const unit = rng.pick(['A', 'é', '😀', '\\', '"', '<script>', '\u202e', '\u0000']);
  return unit.repeat(Math.ceil(n / unit.length));
}

function nested(depth: number, open: string, close: string, leaf = '1'): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Replaces a random value in a random event (or payload file) by raw JSON text. */
function injectRaw(b: BundleFiles, rng: Rng, rawJson: string, label: string): Mutant | null {
  const out = copy(b);
  const ls = lines(b);
  const evs = ls.map((l, i) => (l.obj?.payload ? i : -1)).filter((i) => i >= 0);
  if (rng.chance(0.5) && evs.length) {
    const i = rng.pick(evs);
    const slots: [any, string | number][] = [];
    walk(ls[i].obj.payload, (p, k) => {
      if (k !== 'type') slots.push([p, k]);
    });
    if (!slots.length) return null;
    const [p, k] = rng.pick(slots);
    const marker = '"__FUZZ_MARKER__"';
    p[k] = '__FUZZ_MARKER__';
    ls[i].raw = JSON.stringify(ls[i].obj).replace(marker, rawJson);
    out.trace = joinTraceLines(ls.map((l) => l.raw));
    return { files: out, description: `line ${i + 1} (${ls[i].obj.payload.type}) payload.${String(k)} <- ${label}` };
  }
  const payloads = [...b.files.keys()].filter((p) => p.endsWith('.json'));
  if (!payloads.length) return null;
  const path = rng.pick(payloads);
  let doc: any;
  try {
    doc = JSON.parse(textOf(b.files.get(path)!));
  } catch {
    return null;
  }
  const slots: [any, string | number][] = [];
  walk(doc, (p, k) => slots.push([p, k]));
  if (!slots.length) return null;
  const [p, k] = rng.pick(slots);
  p[k] = '__FUZZ_MARKER__';
  out.files.set(path, JSON.stringify(doc).replace('"__FUZZ_MARKER__"', rawJson));
  return { files: out, description: `${path}: ${String(k)} <- ${label}` };
}

export function mutateHostile(kind: AnyKind, base: BundleFiles, rng: Rng): Mutant | null {
  if ((MUTATION_KINDS as readonly string[]).includes(kind)) return mutate(kind as MutationKind, base, rng);
  switch (kind as HostileKind) {
    case 'giant-string': {
      const s = giantText(rng);
      return injectRaw(base, rng, JSON.stringify(s), `string of ${s.length} chars`);
    }
    case 'deep-nesting': {
      const depth = rng.pick([1_000, 10_000, 100_000, 1_000_000]);
      const arr = rng.chance(0.5);
      const raw = arr ? nested(depth, '[', ']') : nested(depth, '{"a":', '}');
      return injectRaw(base, rng, raw, `${arr ? 'arrays' : 'objects'} nested ${depth} deep`);
    }
    case 'invalid-utf8': {
      const bad = rng.pick([
        Buffer.from([0xff, 0xfe]),
        Buffer.from([0xc3, 0x28]),
        Buffer.from([0xed, 0xa0, 0x80]), // an encoded lone surrogate
        Buffer.from([0xf0, 0x9f, 0x98]), // a cut 4-byte sequence
        Buffer.from([0xc0, 0xaf]), // overlong '/'
      ]);
      const out = copy(base);
      const inTrace = rng.chance(0.5) || !base.files.size;
      if (inTrace && base.trace) {
        const bytes = Buffer.from(base.trace, 'utf8');
        // Inside a string value when possible: after a quote.
        const quotes: number[] = [];
        for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) quotes.push(i);
        const at = quotes.length ? rng.pick(quotes) + 1 : rng.int(bytes.length);
        const nb = Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]);
        // trace.jsonl as bytes: stored in files under its own name so the source decodes it.
        out.trace = null;
        out.files.set('trace.jsonl', nb);
        return { files: out, description: `trace.jsonl: bytes ${bad.toString('hex')} inserted at byte ${at}` };
      }
      const paths = [...base.files.keys()];
      if (!paths.length) return null;
      const p = rng.pick(paths);
      const bytes = Buffer.from(base.files.get(p)!);
      const at = rng.int(bytes.length + 1);
      out.files.set(p, Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]));
      return { files: out, description: `${p}: bytes ${bad.toString('hex')} inserted at byte ${at}` };
    }
    case 'huge-payload': {
      const payloads = [...base.files.keys()].filter((p) => p.endsWith('.json'));
      if (!payloads.length) return null;
      const p = rng.pick(payloads);
      const n = rng.pick([100_000, 400_000]);
      const out = copy(base);
      let doc: any;
      try {
        doc = JSON.parse(textOf(base.files.get(p)!));
      } catch {
        return null;
      }
      const filler = Array.from({ length: n }, (_, i) => ({ i, s: 'x' }));
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) doc.fuzz_filler = filler;
      else doc = filler;
      out.files.set(p, JSON.stringify(doc));
      return { files: out, description: `${p}: ${n} extra array elements` };
    }
    case 'manifest': {
      const out = copy(base);
      const m = base.manifest;
      const op = rng.int(7);
      if (op === 0 || m === null) {
        out.manifest = null;
        return { files: out, description: 'delete manifest.json' };
      }
      if (op === 1) {
        out.manifest = m.slice(0, rng.int(m.length));
        return { files: out, description: 'truncate manifest.json' };
      }
      let doc: any;
      try {
        doc = JSON.parse(m);
      } catch {
        return null;
      }
      if (op === 2) {
        out.manifest = JSON.stringify(rng.pick([[], 'manifest', 42, null, { schema_version: 2 }]));
        return { files: out, description: `manifest.json -> ${out.manifest}` };
      }
      const keys = Object.keys(doc);
      if (!keys.length) return null;
      const k = rng.pick(keys);
      if (op === 3) delete doc[k];
      else if (op === 4) doc[k] = rng.pick([null, 7, 'x', [], {}, -1, 1e308, '']);
      else if (op === 5) doc.schema_version = rng.pick([1, 3, 0, -2, 2.5, '2', 2 ** 64]);
      else doc[k] = giantText(rng);
      out.manifest = JSON.stringify(doc);
      return {
        files: out,
        description: `manifest.json: ${['', '', '', 'delete', 'retype', 'schema_version', 'giant'][op]} ${op === 5 ? 'schema_version' : k}`,
      };
    }
    case 'line-endings': {
      if (!base.trace) return null;
      const out = copy(base);
      const op = rng.int(5);
      const ls = traceLines(base.trace);
      if (op === 0) out.trace = ls.join('\r\n') + '\r\n';
      else if (op === 1) out.trace = '\uFEFF' + base.trace;
      else if (op === 2) out.trace = ls.join('\n\n   \n') + '\n';
      else if (op === 3) out.trace = ls.join('\r') + '\r';
      else {
        const i = rng.int(ls.length);
        ls[i] = ls[i] + '\u0000';
        out.trace = joinTraceLines(ls);
      }
      return {
        files: out,
        description: `trace.jsonl line endings: ${['CRLF', 'leading BOM', 'blank lines between events', 'CR only', 'NUL at end of a line'][op]}`,
      };
    }
    case 'proto-ids':
      return protoIds(base, rng);
    case 'absurd-numbers': {
      const raw = rng.pick([
        '1e400',
        '-1e400',
        '123456789012345678901234567890',
        '-0',
        '1.0000000000000000001',
        '9007199254740993',
        '0.1e-400',
        '18446744073709551616',
      ]);
      const ls = lines(base);
      const evs = ls.map((l, i) => (l.obj ? i : -1)).filter((i) => i >= 0);
      if (!evs.length) return null;
      const i = rng.pick(evs);
      const slots: [any, string | number][] = [];
      walk(ls[i].obj, (p, k, v) => {
        if (typeof v === 'number') slots.push([p, k]);
      });
      if (!slots.length) return null;
      const [p, k] = rng.pick(slots);
      p[k] = '__FUZZ_NUM__';
      ls[i].raw = JSON.stringify(ls[i].obj).replace('"__FUZZ_NUM__"', raw);
      const out = copy(base);
      out.trace = joinTraceLines(ls.map((l) => l.raw));
      return { files: out, description: `line ${i + 1}: ${String(k)} -> ${raw}` };
    }
    case 'payload-not-object': {
      const payloads = [...base.files.keys()].filter((p) => p.endsWith('.json'));
      if (!payloads.length) return null;
      const p = rng.pick(payloads);
      const out = copy(base);
      const v = rng.pick(['null', '[]', '"text"', '0', 'true', '{}', '[[[]]]', '""']);
      out.files.set(p, v);
      return { files: out, description: `${p} -> ${v}` };
    }
    case 'truncate-anywhere': {
      const out = copy(base);
      const targets = ['trace.jsonl', 'manifest.json', ...base.files.keys()];
      const t = rng.pick(targets);
      if (t === 'trace.jsonl') {
        if (!base.trace) return null;
        out.trace = base.trace.slice(0, rng.int(base.trace.length));
        return { files: out, description: `truncate trace.jsonl to ${out.trace.length} chars` };
      }
      if (t === 'manifest.json') {
        if (!base.manifest) return null;
        out.manifest = base.manifest.slice(0, rng.int(base.manifest.length));
        return { files: out, description: `truncate manifest.json to ${out.manifest.length} chars` };
      }
      const bytes = Buffer.from(base.files.get(t)!);
      const at = rng.int(bytes.length);
      // A cut in the middle of a multi-byte character leaves invalid UTF-8 too.
      out.files.set(t, bytes.subarray(0, at));
      return { files: out, description: `truncate ${t} to ${at} bytes` };
    }
    case 'unknown-flood':
      return unknownFlood(base, rng);
    case 'stacked': {
      let cur: BundleFiles = base;
      const descs: string[] = [];
      const n = rng.range(2, 4);
      for (let i = 0; i < n; i++) {
        const k = rng.weighted(ALL_WEIGHTS.filter(([k]) => k !== 'stacked' && k !== 'huge-payload' && k !== 'giant-string' && k !== 'unknown-flood'));
        let m: Mutant | null;
        try {
          m = cur.trace === null && cur.files.has('trace.jsonl') ? null : mutateHostile(k, cur, rng);
        } catch {
          m = null;
        }
        if (m) {
          cur = m.files;
          descs.push(`${k}: ${m.description}`);
        }
      }
      return descs.length ? { files: cur, description: descs.join(' | ') } : null;
    }
  }
  return null;
}

/** Names of Object.prototype members: an id spelled like one must not vanish, pollute or crash. */
export const PROTO_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];

/** A mutant that renamed one id everywhere (trace, manifest, payload files) to a prototype name. */
export interface ProtoIdsMutant extends Mutant {
  protoIds: { base: BundleFiles; victim: string; evil: string };
}

/** Keys whose string values are ids or links between objects (a payload reference's `path` is a file name, not one). */
const ID_KEY = /(^id$|_id$|_path$|^call_id$)/;

/**
 * Renames one id-bearing value — a thread, turn, call, item, payload, edge,
 * rollout id, an agent path, a parent or child link — to a prototype name in
 * every field that holds it: the event log, the manifest, and the payload
 * files (sharded payloads are left alone, so payload ids are renamed only
 * where payloads are files). The rename is consistent, so a bundle that
 * reduced before must reduce the same way after (checkProtoIds).
 */
function protoIds(base: BundleFiles, rng: Rng): ProtoIdsMutant | null {
  const evil = rng.pick(PROTO_IDS);
  const sharded = [...base.files.keys()].some((k) => k.endsWith('.zst'));
  const ls = lines(base);
  const ids = new Set<string>();
  const collect = (doc: any) =>
    walk(doc, (_p, k, v) => {
      if (typeof v === 'string' && v && ID_KEY.test(String(k)) && !(sharded && k === 'raw_payload_id')) ids.add(v);
    });
  for (const l of ls) collect(l.obj);
  if (!ids.size) return null;
  const victim = rng.pick([...ids].sort());
  let n = 0;
  const rename = (doc: any): boolean => {
    let changed = false;
    walk(doc, (p, k, v) => {
      if (v === victim && (typeof k === 'number' || ID_KEY.test(k) || k === 'root_thread_id')) {
        p[k] = evil;
        changed = true;
        n++;
      }
    });
    return changed;
  };
  for (const l of ls) if (l.obj && rename(l.obj)) l.raw = JSON.stringify(l.obj);
  const out = copy(base);
  out.trace = joinTraceLines(ls.map((l) => l.raw));
  const quoted = JSON.stringify(victim);
  for (const [name, content] of [['manifest.json', base.manifest] as const, ...[...base.files].filter(([k]) => k.endsWith('.json'))]) {
    if (content === null || !textOf(content).includes(quoted)) continue;
    let doc: any;
    try {
      doc = JSON.parse(textOf(content));
    } catch {
      continue;
    }
    if (!rename(doc)) continue;
    if (name === 'manifest.json') out.manifest = JSON.stringify(doc, null, 2);
    else out.files.set(name, JSON.stringify(doc, null, 2));
  }
  return { files: out, description: `id ${victim.slice(0, 60)} renamed ${evil} (${n} fields)`, protoIds: { base, victim, evil } };
}

/** A mutant flooded with unknown events, with what the flood did to lines and seqs. */
export interface FloodMutant extends Mutant {
  flood: FloodPlan;
}

export interface FloodPlan {
  base: BundleFiles;
  /** Each flood: inserted before original line index `at` (0-based), `n` events, shifting original seqs >= `fromSeq`. */
  insertions: { at: number; n: number; fromSeq: number }[];
  /** Per inserted type: how many, and the first and last (line, seq) in the flooded log. */
  types: Map<string, { count: number; first: { line: number; seq: number }; last: { line: number; seq: number } }>;
}

/** Type names no Codex release writes (some are Object.prototype names, one is longer than a diagnostic keeps). */
const FLOOD_TYPES = [
  'turn_metrics_recorded',
  'fuzz_new_event',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  `very_long_${'x'.repeat(300)}`,
  'é😀\u202e',
  'Thread_Started',
];

/**
 * Inserts 1,000–200,000 events (log-uniform) of 1–5 unknown types at 1–4
 * random places, as a newer Codex writing a frequent new event would: valid
 * envelopes, seqs contiguous (the events after each flood are renumbered).
 */
function unknownFlood(base: BundleFiles, rng: Rng): FloodMutant | null {
  if (base.trace === null) return null;
  const ls = lines(base);
  const template = ls.find((l) => l.obj && typeof l.obj === 'object' && typeof l.obj.rollout_id === 'string')?.obj;
  if (!template) return null;
  const total = Math.round(1000 * Math.exp(rng.next() * Math.log(200)));
  const kinds = FLOOD_TYPES.slice();
  const types = Array.from({ length: rng.range(1, 5) }, () => kinds.splice(rng.int(kinds.length), 1)[0]);
  const points = Array.from({ length: rng.range(1, 4) }, () => rng.int(ls.length + 1)).sort((a, b) => a - b);
  const shares = points.map(() => rng.next() + 0.1);
  const sum = shares.reduce((a, b) => a + b, 0);
  const counts = shares.map((w) => Math.max(1, Math.round((total * w) / sum)));
  const plan: FloodPlan = { base, insertions: [], types: new Map() };
  const out: string[] = [];
  let shift = 0;
  let lastSeq = 0; // the last seq written, in the flooded log
  let lastOriginalSeq = 0;
  let p = 0;
  const head = (env: any) =>
    JSON.stringify({
      schema_version: env.schema_version,
      seq: 0,
      wall_time_unix_ms: env.wall_time_unix_ms,
      rollout_id: env.rollout_id,
      thread_id: env.thread_id ?? null,
      codex_turn_id: env.codex_turn_id ?? null,
    }).slice(0, -1);
  let env = template;
  for (let j = 0; j <= ls.length; j++) {
    for (; p < points.length && points[p] === j; p++) {
      const n = counts[p];
      plan.insertions.push({ at: j, n, fromSeq: lastOriginalSeq + 1 });
      const h = head(env);
      const mixed = rng.chance(0.5);
      const run = Math.max(1, Math.ceil(n / types.length));
      for (let e = 0; e < n; e++) {
        const t = mixed ? types[rng.int(types.length)] : types[Math.min(types.length - 1, Math.floor(e / run))];
        const seq = lastSeq + 1;
        lastSeq = seq;
        out.push(`${h.replace('"seq":0', `"seq":${seq}`)},"payload":{"type":${JSON.stringify(t)}}}`);
        const at = { line: out.length, seq };
        const s = plan.types.get(t);
        if (s) {
          s.count++;
          s.last = at;
        } else plan.types.set(t, { count: 1, first: at, last: at });
      }
      shift += n;
    }
    if (j === ls.length) break;
    const l = ls[j];
    // The seq as written (a line cut short still shows it, and an error there names it).
    const seq = /^\{"schema_version":\d+,"seq":(\d{1,15})[,}]/.exec(l.raw)?.[1];
    if (l.obj && typeof l.obj === 'object' && typeof l.obj.rollout_id === 'string') env = l.obj;
    if (seq !== undefined) {
      lastOriginalSeq = Number(seq);
      lastSeq = lastOriginalSeq + shift;
      out.push(shift ? l.raw.replace(/"seq":\d+/, `"seq":${lastSeq}`) : l.raw);
    } else out.push(l.raw);
  }
  const files = copy(base);
  files.trace = joinTraceLines(out);
  const where = plan.insertions.map((x) => `${x.n} before line ${x.at + 1}`).join(', ');
  return { files, description: `${total} unknown events of ${types.length} types (${types.map((t) => t.slice(0, 24)).join(', ')}): ${where}`, flood: plan };
}
