/**
 * Structure-aware mutations of trace bundles for the oracle fuzzer. Each
 * mutation takes a bundle (as files) and a seeded PRNG and returns a changed
 * copy plus a one-line description, or null when it does not apply.
 */
import type { BundleFiles } from './bundle-files';
import { joinTraceLines, traceLines } from './bundle-files';
import type { Rng } from './prng';

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
  | 'cut-file';

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
];

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
};

const ENUMS: Record<string, string[]> = {
  status: ['running', 'completed', 'failed', 'cancelled', 'aborted', 'starting', 'yielded', 'terminated'],
  'kind.type': ['exec_command', 'write_stdin', 'apply_patch', 'web', 'image_generation', 'spawn_agent', 'assign_agent_task', 'send_message', 'wait_agent', 'close_agent', 'other', 'mcp'],
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

const isRef = (v: any) => v && typeof v === 'object' && typeof v.raw_payload_id === 'string' && typeof v.path === 'string';

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

const fmtPath = (p: (string | number)[]) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');
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
  const filtered = options.filter((o) => typeof o !== typeof v || (Array.isArray(o) !== Array.isArray(v)) || (o === null) !== (v === null));
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
      return { files: withTrace(base, lines), description: `duplicate line ${i + 1} (${typeOf(copy)}) at line ${at + 1}${kind === 'duplicate-event' ? ', renumber seq' : ''}` };
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
      return { files: withTrace(base, lines), description: `line ${c.i + 1} (${typeOf(lines[c.i])}): payload.${fmtPath(c.p)} ${JSON.stringify(old)} -> ${JSON.stringify(nv)}` };
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
      const fields = [...byField.entries()].filter(([, s]) => s.size >= 2).map(([k]) => k).sort();
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
        description: kind === 'swap-ids' ? `swap ${f} values ${a} <-> ${b} everywhere in trace.jsonl (${n} fields)` : `replace ${f} value ${a} by ${b} everywhere in trace.jsonl (${n} fields)`,
      };
    }
    case 'remove-payload': {
      const refs = refsIn(lines);
      if (!refs.length) return null;
      const r = rng.pick(refs);
      const files = new Map(base.files);
      if (!files.delete(r.ref.path)) return null;
      return { files: { ...base, files }, description: `delete ${r.ref.path} (${r.ref.kind?.type}, referenced by line ${r.line + 1} ${typeOf(lines[r.line])})` };
    }
    case 'corrupt-payload-json': {
      const refs = refsIn(lines).filter((r) => base.files.has(r.ref.path));
      if (!refs.length) return null;
      const r = rng.pick(refs);
      const text = textOf(base.files.get(r.ref.path)!);
      const how = rng.int(3);
      const nt = how === 0 ? text.slice(0, rng.int(Math.max(1, text.length))) : how === 1 ? text + '\n}' : 'not json ' + text;
      const files = new Map(base.files);
      files.set(r.ref.path, nt);
      return { files: { ...base, files }, description: `corrupt ${r.ref.path} (${r.ref.kind?.type}): ${['truncate', 'trailing garbage', 'leading garbage'][how]}` };
    }
    case 'edit-payload-json': {
      const refs = refsIn(lines).filter((r) => base.files.has(r.ref.path));
      if (!refs.length) return null;
      // Prefer model-facing payloads, where reconciliation lives.
      const preferred = refs.filter((r) => /inference_|compaction_checkpoint|tool_/.test(r.ref.kind?.type ?? ''));
      const r = rng.pick(preferred.length && rng.chance(0.8) ? preferred : refs);
      let doc: Json;
      try {
        doc = JSON.parse(textOf(base.files.get(r.ref.path)!));
      } catch {
        return null;
      }
      const what = editJson(rng, doc);
      if (!what) return null;
      const files = new Map(base.files);
      files.set(r.ref.path, JSON.stringify(doc, null, 2));
      return { files: { ...base, files }, description: `${r.ref.path} (${r.ref.kind?.type}): ${what}` };
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
      return { files: { ...base, files: new Map(base.files), trace: text.slice(0, at) }, description: `cut trace.jsonl after character ${at} of ${text.length}` };
    }
  }
}
