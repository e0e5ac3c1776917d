/**
 * Structure-aware mutations of trace bundles for the oracle fuzzer. Each
 * mutation takes a bundle (as files) and a seeded PRNG and returns a changed
 * copy plus a one-line description, or null when it does not apply.
 *
 * Payload mutations work on both storages: payload files (schemas 1, 2) or
 * records in zstd shards (schema 3, rebuilt with ./shard-codec). The `shard-*`
 * and `ref-parts-*` kinds only apply to schema 3 (SHARD_MUTATION_KINDS).
 */
import type { BundleFiles } from './bundle-files';
import { joinTraceLines, traceLines } from './bundle-files';
import type { Rng } from './prng';
import { type ShardRecord, decodeShardFile, encodeShardFile } from './shard-codec';

export interface Mutant {
  files: BundleFiles;
  description: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type MutationKind =
  | 'drop-event'
  | 'drop-event-raw'
  | 'duplicate-event'
  | 'duplicate-event-raw'
  | 'move-event'
  | 'swap-events-raw'
  | 'set-enum'
  | 'replace-value'
  | 'retype-value'
  | 'delete-field'
  | 'change-context'
  | 'null-ref'
  | 'swap-ids'
  | 'merge-ids'
  | 'remove-payload'
  | 'corrupt-payload-json'
  | 'edit-payload-json'
  | 'cut-line'
  | 'cut-file'
  | 'shard-remove'
  | 'shard-cut'
  | 'shard-cut-records'
  | 'shard-corrupt-bytes'
  | 'shard-reorder-records'
  | 'shard-drop-record'
  | 'shard-duplicate-record'
  | 'ref-parts-drop'
  | 'ref-parts-alter';

/** Mutations of schema-3 storage: shards and composite refs. */
export const SHARD_MUTATION_KINDS: readonly MutationKind[] = [
  'shard-remove',
  'shard-cut',
  'shard-cut-records',
  'shard-corrupt-bytes',
  'shard-reorder-records',
  'shard-drop-record',
  'shard-duplicate-record',
  'ref-parts-drop',
  'ref-parts-alter',
];

export const MUTATION_KINDS: readonly MutationKind[] = [
  'drop-event',
  'drop-event-raw',
  'duplicate-event',
  'duplicate-event-raw',
  'move-event',
  'swap-events-raw',
  'set-enum',
  'replace-value',
  'retype-value',
  'delete-field',
  'change-context',
  'null-ref',
  'swap-ids',
  'merge-ids',
  'remove-payload',
  'corrupt-payload-json',
  'edit-payload-json',
  'cut-line',
  'cut-file',
  ...SHARD_MUTATION_KINDS,
];

/** The kinds that can apply to bundles of a payload storage. */
export function mutationKindsFor(storage: 'files' | 'shards'): MutationKind[] {
  return storage === 'shards' ? [...MUTATION_KINDS] : MUTATION_KINDS.filter((k) => !SHARD_MUTATION_KINDS.includes(k));
}

/** Relative weights: semantic mutations are where the interesting disagreements hide. */
export const MUTATION_WEIGHTS: Record<MutationKind, number> = {
  'drop-event': 10,
  'drop-event-raw': 1,
  'duplicate-event': 6,
  'duplicate-event-raw': 1,
  'move-event': 8,
  'swap-events-raw': 1,
  'set-enum': 8,
  'replace-value': 10,
  'retype-value': 4,
  'delete-field': 5,
  'change-context': 6,
  'null-ref': 4,
  'swap-ids': 6,
  'merge-ids': 6,
  'remove-payload': 3,
  'corrupt-payload-json': 2,
  'edit-payload-json': 14,
  'cut-line': 2,
  'cut-file': 2,
  'shard-remove': 1,
  'shard-cut': 3,
  'shard-cut-records': 3,
  'shard-corrupt-bytes': 3,
  'shard-reorder-records': 3,
  'shard-drop-record': 3,
  'shard-duplicate-record': 2,
  'ref-parts-drop': 3,
  'ref-parts-alter': 4,
};

const ENUMS: Record<string, string[]> = {
  status: ['running', 'completed', 'failed', 'cancelled', 'aborted', 'starting', 'yielded', 'terminated'],
  'kind.type': [
    'exec_command',
    'write_stdin',
    'apply_patch',
    'web',
    'image_generation',
    'spawn_agent',
    'assign_agent_task',
    'send_message',
    'wait_agent',
    'close_agent',
    'other',
    'mcp',
  ],
  'requester.type': ['model', 'code_cell'],
  event_type: ['session_configured', 'turn_started', 'turn_complete', 'turn_aborted', 'error', 'warning', 'shutdown_complete'],
};

interface Line {
  raw: string;
  obj: any | null;
}

function parseLines(trace: string): Line[] {
  return traceLines(trace).map((raw) => {
    try {
      return { raw, obj: JSON.parse(raw) };
    } catch {
      return { raw, obj: null };
    }
  });
}

function render(lines: Line[]): string {
  return joinTraceLines(lines.map((l) => l.raw));
}

/** Re-serializes a line after its object was changed. */
function touch(l: Line): void {
  l.raw = JSON.stringify(l.obj);
}

function renumber(lines: Line[]): void {
  let seq = 1;
  for (const l of lines) {
    if (l.obj && typeof l.obj === 'object') {
      if (l.obj.seq !== seq) {
        l.obj.seq = seq;
        touch(l);
      }
    }
    seq++;
  }
}

function withTrace(b: BundleFiles, lines: Line[]): BundleFiles {
  return { ...b, files: new Map(b.files), trace: render(lines) };
}

/** Leaf paths of an object (arrays included), as key lists. */
function leafPaths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    if (entries.length === 0) out.push(prefix);
    for (const [k, x] of entries) leafPaths(x, [...prefix, k], out);
  } else out.push(prefix);
  return out;
}

function allPaths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (v !== null && typeof v === 'object') {
    const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries) allPaths(x, [...prefix, k], out);
  }
  return out;
}

function getAt(v: any, path: (string | number)[]): any {
  let cur = v;
  for (const k of path) cur = cur?.[k];
  return cur;
}

function setAt(v: any, path: (string | number)[], value: unknown): void {
  let cur = v;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]];
  cur[path[path.length - 1]] = value;
}

function deleteAt(v: any, path: (string | number)[]): void {
  let cur = v;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]];
  const k = path[path.length - 1];
  if (Array.isArray(cur)) cur.splice(Number(k), 1);
  else delete cur[k];
}

const isRef = (v: any) =>
  v && typeof v === 'object' && !Array.isArray(v) && typeof v.raw_payload_id === 'string' && (typeof v.path === 'string' || typeof v.shard === 'number');

/** Schema-3 storage: the bundle's payloads are `payloads/NNNNNN.zst` shards. */
const hasShards = (b: BundleFiles) => [...b.files.keys()].some((k) => /^payloads\/\d+\.zst$/.test(k));
const shardFile = (shard: number) => `payloads/${String(shard).padStart(6, '0')}.zst`;

/** Where a payload's text is: its file, or its record in a shard. */
interface PayloadText {
  label: string;
  text: string;
  /** A copy of the bundle with this payload's text replaced. */
  replace(text: string): BundleFiles;
}

function payloadText(base: BundleFiles, ref: any): PayloadText | null {
  if (typeof ref.path === 'string') {
    const c = base.files.get(ref.path);
    if (c === undefined) return null;
    return {
      label: ref.path,
      text: textOf(c),
      replace: (text) => {
        const files = new Map(base.files);
        files.set(ref.path, text);
        return { ...base, files };
      },
    };
  }
  const file = shardFile(ref.shard);
  const shard = readShard(base, file);
  const i = shard?.records.findIndex((r) => r.id === ref.raw_payload_id) ?? -1;
  if (!shard || i < 0) return null;
  return {
    label: `${file}#${ref.raw_payload_id}`,
    text: shard.records[i].body.toString('utf8'),
    replace: (text) => {
      const records = shard.records.slice();
      records[i] = { id: records[i].id, body: Buffer.from(text, 'utf8') };
      return withShard(base, file, records, shard.rest);
    },
  };
}

const shardCache = new WeakMap<Buffer, { records: ShardRecord[]; rest: Buffer } | null>();

function readShard(b: BundleFiles, file: string): { records: ShardRecord[]; rest: Buffer } | null {
  const c = b.files.get(file);
  if (c === undefined || typeof c === 'string') return null;
  if (!shardCache.has(c)) {
    let d: { records: ShardRecord[]; rest: Buffer } | null;
    try {
      d = decodeShardFile(c);
    } catch {
      d = null;
    }
    shardCache.set(c, d);
  }
  return shardCache.get(c)!;
}

function withShard(b: BundleFiles, file: string, records: ShardRecord[], rest?: Buffer): BundleFiles {
  const files = new Map(b.files);
  files.set(file, encodeShardFile(records, rest));
  return { ...b, files };
}

function shardFiles(b: BundleFiles): string[] {
  return [...b.files.keys()].filter((k) => /^payloads\/\d+\.zst$/.test(k)).sort();
}

/** String values used as ids in the trace (ids, paths), to draw replacements from. */
function stringPool(lines: Line[]): string[] {
  const pool = new Set<string>();
  for (const l of lines) {
    if (!l.obj) continue;
    for (const p of leafPaths(l.obj)) {
      const v = getAt(l.obj, p);
      if (typeof v === 'string' && v.length < 80 && p[p.length - 1] !== 'type') pool.add(v);
    }
  }
  return [...pool].sort();
}

function eventLines(lines: Line[]): number[] {
  return lines.map((l, i) => (l.obj?.payload ? i : -1)).filter((i) => i >= 0);
}

/** Payload refs mentioned by the trace, as [path, ref] pairs. */
function refsIn(lines: Line[]): { line: number; path: (string | number)[]; ref: any }[] {
  const out: { line: number; path: (string | number)[]; ref: any }[] = [];
  lines.forEach((l, i) => {
    if (!l.obj) return;
    for (const p of allPaths(l.obj)) {
      const v = getAt(l.obj, p);
      if (isRef(v)) out.push({ line: i, path: p, ref: v });
    }
  });
  return out;
}

const fmtPath = (p: (string | number)[]) =>
  p
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
    .join('')
    .replace(/^\./, '');
const typeOf = (l: Line) => String(l.obj?.payload?.type ?? '?');

function otherValue(rng: Rng, v: unknown, pool: string[]): unknown {
  if (typeof v === 'string') {
    if (pool.length > 1 && rng.chance(0.7)) {
      const w = rng.pick(pool);
      if (w !== v) return w;
    }
    return rng.chance(0.5) ? v + '-x' : '';
  }
  if (typeof v === 'number') return rng.pick([0, 1, -1, v + 1, v - 1, 2 ** 53, 1.5]);
  if (typeof v === 'boolean') return !v;
  if (v === null) return pool.length ? rng.pick(pool) : 'x';
  if (Array.isArray(v)) return v.length ? v.slice(1) : ['x'];
  return {};
}

function retype(rng: Rng, v: unknown): unknown {
  const options: unknown[] = [null, 7, 'seven', true, [], {}];
  const filtered = options.filter((o) => typeof o !== typeof v || Array.isArray(o) !== Array.isArray(v) || (o === null) !== (v === null));
  return rng.pick(filtered);
}

function textOf(c: string | Buffer): string {
  return typeof c === 'string' ? c : c.toString('utf8');
}

/** Edits one JSON value somewhere inside a payload body. */
function editJson(rng: Rng, doc: Json): string | null {
  const paths = allPaths(doc).filter((p) => p.length > 0);
  if (!paths.length) return null;
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = rng.pick(paths);
    const parent = getAt(doc, p.slice(0, -1));
    const v = getAt(doc, p);
    const op = rng.int(6);
    if (op === 0) {
      deleteAt(doc, p);
      return `delete ${fmtPath(p)}`;
    }
    if (op === 1 && Array.isArray(parent)) {
      parent.splice(Number(p[p.length - 1]), 0, structuredClone(v));
      return `duplicate array element ${fmtPath(p)}`;
    }
    if (op === 2 && Array.isArray(parent) && parent.length > 1) {
      const i = Number(p[p.length - 1]);
      const j = rng.int(parent.length);
      [parent[i], parent[j]] = [parent[j], parent[i]];
      return `swap array elements ${fmtPath(p)} and [${j}]`;
    }
    if (op === 3 && typeof v === 'string') {
      const nv = rng.pick([v + ' (edited)', '', v.toUpperCase(), 'é😀\u0001', '{"a":1}']);
      setAt(doc, p, nv);
      return `edit string ${fmtPath(p)} -> ${JSON.stringify(nv).slice(0, 40)}`;
    }
    if (op === 4) {
      const nv = retype(rng, v);
      setAt(doc, p, nv);
      return `retype ${fmtPath(p)} -> ${JSON.stringify(nv)}`;
    }
    if (op === 5 && parent && typeof parent === 'object' && !Array.isArray(parent)) {
      parent['fuzz_extra'] = rng.pick([1, 'x', null, { nested: true }]);
      return `add key fuzz_extra next to ${fmtPath(p)}`;
    }
  }
  return null;
}

export function mutate(kind: MutationKind, base: BundleFiles, rng: Rng): Mutant | null {
  if (base.trace === null) return null;
  const lines = parseLines(base.trace);
  const evs = eventLines(lines);
  if (!evs.length) return null;
  const pool = stringPool(lines);

  switch (kind) {
    case 'drop-event':
    case 'drop-event-raw': {
      const i = rng.pick(evs);
      const t = typeOf(lines[i]);
      lines.splice(i, 1);
      if (kind === 'drop-event') renumber(lines);
      return { files: withTrace(base, lines), description: `drop line ${i + 1} (${t})${kind === 'drop-event' ? ', renumber seq' : ''}` };
    }
    case 'duplicate-event':
    case 'duplicate-event-raw': {
      const i = rng.pick(evs);
      const copy: Line = { raw: lines[i].raw, obj: structuredClone(lines[i].obj) };
      const at = kind === 'duplicate-event' ? rng.range(i + 1, lines.length) : i + 1;
      lines.splice(at, 0, copy);
      if (kind === 'duplicate-event') renumber(lines);
      return {
        files: withTrace(base, lines),
        description: `duplicate line ${i + 1} (${typeOf(copy)}) at line ${at + 1}${kind === 'duplicate-event' ? ', renumber seq' : ''}`,
      };
    }
    case 'move-event': {
      const i = rng.pick(evs);
      const [l] = lines.splice(i, 1);
      const span = rng.chance(0.7) ? 3 : lines.length;
      const j = Math.max(0, Math.min(lines.length, i + rng.range(-span, span)));
      if (j === i) return null;
      lines.splice(j, 0, l);
      renumber(lines);
      return { files: withTrace(base, lines), description: `move line ${i + 1} (${typeOf(l)}) to line ${j + 1}, renumber seq` };
    }
    case 'swap-events-raw': {
      const i = rng.pick(evs);
      const j = Math.min(lines.length - 1, i + 1);
      if (i === j) return null;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return { files: withTrace(base, lines), description: `swap lines ${i + 1} and ${j + 1} without renumbering` };
    }
    case 'set-enum': {
      const cands: { i: number; p: (string | number)[]; key: string }[] = [];
      for (const i of evs) {
        for (const p of leafPaths(lines[i].obj.payload)) {
          const key = p.slice(-2).join('.');
          const k1 = String(p[p.length - 1]);
          if (ENUMS[key]) cands.push({ i, p, key });
          else if (ENUMS[k1] && !isRef(getAt(lines[i].obj.payload, p.slice(0, -1)))) cands.push({ i, p, key: k1 });
        }
      }
      if (!cands.length) return null;
      const c = rng.pick(cands);
      const old = getAt(lines[c.i].obj.payload, c.p);
      const nv = rng.pick(ENUMS[c.key].filter((x) => x !== old));
      setAt(lines[c.i].obj.payload, c.p, nv);
      if (c.key === 'kind.type' && nv === 'mcp') setAt(lines[c.i].obj.payload, [...c.p.slice(0, -1)], { type: 'mcp', server: 's', tool: 't' });
      touch(lines[c.i]);
      return {
        files: withTrace(base, lines),
        description: `line ${c.i + 1} (${typeOf(lines[c.i])}): payload.${fmtPath(c.p)} ${JSON.stringify(old)} -> ${JSON.stringify(nv)}`,
      };
    }
    case 'replace-value':
    case 'retype-value':
    case 'delete-field': {
      const i = rng.pick(evs);
      const l = lines[i];
      const inEnvelope = rng.chance(0.15);
      const root = inEnvelope ? l.obj : l.obj.payload;
      const paths = (kind === 'delete-field' ? allPaths(root) : leafPaths(root)).filter(
        (p) => p.length > 0 && !(p.length === 1 && p[0] === 'type') && !(inEnvelope && p[0] === 'payload'),
      );
      if (!paths.length) return null;
      const p = rng.pick(paths);
      const old = getAt(root, p);
      let what: string;
      if (kind === 'delete-field') {
        deleteAt(root, p);
        what = `delete ${fmtPath(p)}`;
      } else {
        const nv = kind === 'replace-value' ? otherValue(rng, old, pool) : retype(rng, old);
        setAt(root, p, nv);
        what = `${fmtPath(p)} ${JSON.stringify(old)?.slice(0, 50)} -> ${JSON.stringify(nv)?.slice(0, 50)}`;
      }
      touch(l);
      return { files: withTrace(base, lines), description: `line ${i + 1} (${typeOf(l)}) ${inEnvelope ? 'envelope' : 'payload'}: ${what}` };
    }
    case 'change-context': {
      const i = rng.pick(evs);
      const l = lines[i];
      const field = rng.pick(['thread_id', 'codex_turn_id']);
      const old = l.obj[field];
      const choices: (string | null)[] = [null, ...new Set(lines.filter((x) => x.obj && typeof x.obj[field] === 'string').map((x) => x.obj[field] as string))];
      const nv = rng.pick(choices.filter((c) => c !== old).length ? choices.filter((c) => c !== old) : ['ctx-x']);
      l.obj[field] = nv;
      touch(l);
      return { files: withTrace(base, lines), description: `line ${i + 1} (${typeOf(l)}) envelope ${field} ${JSON.stringify(old)} -> ${JSON.stringify(nv)}` };
    }
    case 'null-ref': {
      const refs = refsIn(lines);
      if (!refs.length) return null;
      const r = rng.pick(refs);
      setAt(lines[r.line].obj, r.path, null);
      touch(lines[r.line]);
      return { files: withTrace(base, lines), description: `line ${r.line + 1} (${typeOf(lines[r.line])}): ${fmtPath(r.path)} -> null` };
    }
    case 'swap-ids':
    case 'merge-ids': {
      // Ids: values of *_id fields (tool_call_id, inference_call_id, thread_id, codex_turn_id, runtime_cell_id, ...).
      const byField = new Map<string, Set<string>>();
      for (const l of lines) {
        if (!l.obj) continue;
        for (const p of leafPaths(l.obj)) {
          const k = String(p[p.length - 1]);
          const v = getAt(l.obj, p);
          if (typeof v === 'string' && /_id$/.test(k) && k !== 'raw_payload_id' && k !== 'rollout_id') {
            if (!byField.has(k)) byField.set(k, new Set());
            byField.get(k)!.add(v);
          }
        }
      }
      const fields = [...byField.entries()]
        .filter(([, s]) => s.size >= 2)
        .map(([k]) => k)
        .sort();
      if (!fields.length) return null;
      const f = rng.pick(fields);
      const vals = [...byField.get(f)!].sort();
      const a = rng.pick(vals);
      const b = rng.pick(vals.filter((v) => v !== a));
      let n = 0;
      for (const l of lines) {
        if (!l.obj) continue;
        let changed = false;
        for (const p of leafPaths(l.obj)) {
          const v = getAt(l.obj, p);
          if (v === a) {
            setAt(l.obj, p, b);
            changed = true;
            n++;
          } else if (v === b && kind === 'swap-ids') {
            setAt(l.obj, p, a);
            changed = true;
            n++;
          }
        }
        if (changed) touch(l);
      }
      return {
        files: withTrace(base, lines),
        description:
          kind === 'swap-ids'
            ? `swap ${f} values ${a} <-> ${b} everywhere in trace.jsonl (${n} fields)`
            : `replace ${f} value ${a} by ${b} everywhere in trace.jsonl (${n} fields)`,
      };
    }
    case 'remove-payload': {
      const refs = refsIn(lines);
      if (!refs.length) return null;
      const r = rng.pick(refs);
      if (typeof r.ref.path !== 'string') return dropRecord(base, r.ref, `referenced by line ${r.line + 1} ${typeOf(lines[r.line])}`);
      const files = new Map(base.files);
      if (!files.delete(r.ref.path)) return null;
      return {
        files: { ...base, files },
        description: `delete ${r.ref.path} (${r.ref.kind?.type}, referenced by line ${r.line + 1} ${typeOf(lines[r.line])})`,
      };
    }
    case 'corrupt-payload-json': {
      const refs = refsIn(lines).filter((r) => payloadText(base, r.ref) !== null);
      if (!refs.length) return null;
      const r = rng.pick(refs);
      const pt = payloadText(base, r.ref)!;
      const text = pt.text;
      const how = rng.int(3);
      const nt = how === 0 ? text.slice(0, rng.int(Math.max(1, text.length))) : how === 1 ? text + '\n}' : 'not json ' + text;
      return { files: pt.replace(nt), description: `corrupt ${pt.label} (${r.ref.kind?.type}): ${['truncate', 'trailing garbage', 'leading garbage'][how]}` };
    }
    case 'edit-payload-json': {
      const refs = refsIn(lines).filter((r) => payloadText(base, r.ref) !== null);
      if (!refs.length) return null;
      // Prefer model-facing payloads, where reconciliation lives.
      const preferred = refs.filter((r) => /inference_|compaction_checkpoint|tool_|model_item|prepared_prompt/.test(r.ref.kind?.type ?? ''));
      const r = rng.pick(preferred.length && rng.chance(0.8) ? preferred : refs);
      const pt = payloadText(base, r.ref)!;
      let doc: Json;
      try {
        doc = JSON.parse(pt.text);
      } catch {
        return null;
      }
      const what = editJson(rng, doc);
      if (!what) return null;
      // Payload files are pretty-printed; shard records (and composite fragments) are kept compact.
      return {
        files: pt.replace(typeof r.ref.path === 'string' ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)),
        description: `${pt.label} (${r.ref.kind?.type}): ${what}`,
      };
    }
    case 'cut-line': {
      const i = rng.pick(evs);
      const l = lines[i];
      const at = rng.int(Math.max(1, l.raw.length));
      const t = typeOf(l);
      l.raw = l.raw.slice(0, at);
      l.obj = null;
      return { files: withTrace(base, lines), description: `cut line ${i + 1} (${t}) after ${at} chars` };
    }
    case 'cut-file': {
      const text = base.trace;
      const at = rng.int(text.length);
      return {
        files: { ...base, files: new Map(base.files), trace: text.slice(0, at) },
        description: `cut trace.jsonl after character ${at} of ${text.length}`,
      };
    }
    default:
      return hasShards(base) ? mutateShards(kind, base, lines, rng) : null;
  }
}

function dropRecord(base: BundleFiles, ref: any, why: string): Mutant | null {
  const file = shardFile(ref.shard);
  const shard = readShard(base, file);
  if (!shard) return null;
  const records = shard.records.filter((r) => r.id !== ref.raw_payload_id);
  if (records.length === shard.records.length) return null;
  return { files: withShard(base, file, records, shard.rest), description: `drop record ${ref.raw_payload_id} from ${file} (${ref.kind?.type}, ${why})` };
}

function mutateShards(kind: MutationKind, base: BundleFiles, lines: Line[], rng: Rng): Mutant | null {
  const files = shardFiles(base);
  if (!files.length) return null;
  switch (kind) {
    case 'shard-remove': {
      const f = rng.pick(files);
      const m = new Map(base.files);
      m.delete(f);
      return { files: { ...base, files: m }, description: `delete ${f}` };
    }
    case 'shard-cut': {
      const f = rng.pick(files);
      const c = base.files.get(f) as Buffer;
      const at = rng.int(c.length);
      const m = new Map(base.files);
      m.set(f, c.subarray(0, at));
      return { files: { ...base, files: m }, description: `cut ${f} after byte ${at} of ${c.length} (compressed)` };
    }
    case 'shard-cut-records': {
      // A writer stopped mid-record, then the stream was closed: a sealed shard with a partial last record.
      const f = rng.pick(files);
      const shard = readShard(base, f);
      if (!shard || !shard.records.length) return null;
      const raw = Buffer.concat(shard.records.map((r) => recordBytes(r)));
      const at = rng.int(raw.length);
      const m = new Map(base.files);
      m.set(f, encodeShardFile([], raw.subarray(0, at)));
      return { files: { ...base, files: m }, description: `cut ${f}'s records after byte ${at} of ${raw.length} (decompressed), re-compressed` };
    }
    case 'shard-corrupt-bytes': {
      const f = rng.pick(files);
      const c = Buffer.from(base.files.get(f) as Buffer);
      const n = rng.range(1, 4);
      const where: number[] = [];
      for (let i = 0; i < n; i++) {
        const at = rng.int(c.length);
        c[at] = rng.chance(0.5) ? c[at] ^ (1 << rng.int(8)) : rng.int(256);
        where.push(at);
      }
      const m = new Map(base.files);
      m.set(f, c);
      return { files: { ...base, files: m }, description: `corrupt ${n} byte(s) of ${f} at ${where.join(',')} (compressed, of ${c.length})` };
    }
    case 'shard-reorder-records': {
      const f = rng.pick(files);
      const shard = readShard(base, f);
      if (!shard || shard.records.length < 2) return null;
      const records = shard.records.slice();
      let what: string;
      if (rng.chance(0.7)) {
        const i = rng.int(records.length);
        let j = rng.int(records.length);
        if (j === i) j = (i + 1) % records.length;
        [records[i], records[j]] = [records[j], records[i]];
        what = `swap records ${records[j].id} and ${records[i].id}`;
      } else {
        for (let i = records.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [records[i], records[j]] = [records[j], records[i]];
        }
        what = `shuffle all ${records.length} records`;
      }
      return { files: withShard(base, f, records, shard.rest), description: `${f}: ${what}` };
    }
    case 'shard-drop-record': {
      const refs = refsIn(lines).filter((r) => typeof r.ref.shard === 'number');
      if (refs.length && rng.chance(0.8)) {
        const r = rng.pick(refs);
        return dropRecord(base, r.ref, `referenced by line ${r.line + 1} ${typeOf(lines[r.line])}`);
      }
      const f = rng.pick(files);
      const shard = readShard(base, f);
      if (!shard || !shard.records.length) return null;
      const i = rng.int(shard.records.length);
      const records = shard.records.filter((_, k) => k !== i);
      return { files: withShard(base, f, records, shard.rest), description: `drop record #${i} (${shard.records[i].id}) from ${f}` };
    }
    case 'shard-duplicate-record': {
      // A second record with the same id, with the body changed, placed after or before the first.
      const f = rng.pick(files);
      const shard = readShard(base, f);
      if (!shard || !shard.records.length) return null;
      const i = rng.int(shard.records.length);
      const rec = shard.records[i];
      const body = rng.chance(0.5) ? Buffer.from('{"fuzz_duplicate":true}') : rec.body;
      const records = shard.records.slice();
      const before = rng.chance(0.3);
      records.splice(before ? i : records.length, 0, { id: rec.id, body });
      return {
        files: withShard(base, f, records, shard.rest),
        description: `${f}: duplicate record ${rec.id} ${before ? 'before it' : 'at the end'}${body === rec.body ? '' : ' with another body'}`,
      };
    }
    case 'ref-parts-drop':
    case 'ref-parts-alter': {
      const comps = refsIn(lines).filter((r) => Array.isArray(r.ref.parts) && r.ref.parts.length > 0);
      if (!comps.length) return null;
      const c = rng.pick(comps);
      const ref = c.ref;
      let what: string;
      if (kind === 'ref-parts-drop') {
        delete ref.parts;
        what = 'delete parts';
      } else {
        const parts: any[] = ref.parts;
        const op = rng.int(5);
        const i = rng.int(parts.length);
        if (op === 0) {
          parts.splice(i, 1);
          what = `remove parts[${i}]`;
        } else if (op === 1 && parts.length > 1) {
          const j = (i + 1 + rng.int(parts.length - 1)) % parts.length;
          [parts[i], parts[j]] = [parts[j], parts[i]];
          what = `swap parts[${i}] and parts[${j}]`;
        } else if (op === 2) {
          const ids = refsIn(lines)
            .map((r) => r.ref.raw_payload_id as string)
            .filter((id) => id !== parts[i].raw_payload_id);
          const nid = ids.length ? rng.pick(ids) : 'raw_payload:999999';
          what = `parts[${i}].raw_payload_id ${parts[i].raw_payload_id} -> ${nid}`;
          parts[i].raw_payload_id = nid;
        } else if (op === 3) {
          const ns = rng.pick([parts[i].shard + 1, 0, 999]);
          what = `parts[${i}].shard ${parts[i].shard} -> ${ns}`;
          parts[i].shard = ns;
        } else {
          parts.push(structuredClone(parts[i]));
          what = `append a copy of parts[${i}]`;
        }
      }
      touch(lines[c.line]);
      return {
        files: withTrace(base, lines),
        description: `line ${c.line + 1} (${typeOf(lines[c.line])}) ${fmtPath(c.path)} (${ref.raw_payload_id}): ${what}`,
      };
    }
    default:
      return null;
  }
}

function recordBytes(r: ShardRecord): Buffer {
  const id = Buffer.from(r.id, 'utf8');
  const head = Buffer.alloc(10);
  head.writeUInt16LE(id.length, 0);
  head.writeBigUInt64LE(BigInt(r.body.length), 2);
  return Buffer.concat([head, id, r.body]);
}
