/**
 * Builds small schema-3 bundles for rules the recorded corpus does not
 * exercise, each derived from a recorded bundle of test/fixtures/traces-schema3
 * by an edit, and records what Codex 0.171.0's `debug trace-reduce` made of it:
 *   state.json            its output, byte for byte, when it succeeds;
 *   expected-error.txt    its stderr when it fails (`<bundle>` for the bundle path);
 *   case.md               what the case exercises and the verdict.
 * into test/fixtures/synthetic-schema3/<case>/.
 *
 *   node --import tsx scripts/make-synthetic-schema3.ts [case-name ...]
 *
 * Dev-time only: shards are re-encoded with the `zstd` CLI, and the oracle is
 * $CODEX_171 or ~/.cache/codex-oracles/0.171.0/node_modules/.bin/codex.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'traces-schema3');
const OUT = path.join(ROOT, 'test', 'fixtures', 'synthetic-schema3');
const ORACLE = process.env.CODEX_171 ?? path.join(os.homedir(), '.cache/codex-oracles/0.171.0/node_modules/.bin/codex');
const ORACLE_HOME = path.join(os.homedir(), '.cache/codex-oracles/home');

type Json = any;
type Rec = { id: string; body: Buffer };

/** A bundle being edited: its events and its shards' records, by shard number. */
class Bundle {
  events: Json[];
  shards = new Map<number, Rec[]>();
  /** Bytes cut from the end of a shard's records before it is compressed (and properly sealed). */
  cut = new Map<number, number>();
  constructor(readonly src: string) {
    const dir = path.join(CORPUS, src);
    this.events = fs
      .readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    for (const f of fs.readdirSync(path.join(dir, 'payloads'))) {
      this.shards.set(Number(f.slice(0, 6)), readShard(execFileSync('zstd', ['-dc', path.join(dir, 'payloads', f)], { maxBuffer: 1 << 30 })));
    }
  }
  record(id: string): Rec {
    for (const recs of this.shards.values()) for (const r of recs) if (r.id === id) return r;
    throw new Error(`no record ${id}`);
  }
  shardOf(id: string): number {
    for (const [n, recs] of this.shards) if (recs.some((r) => r.id === id)) return n;
    throw new Error(`no record ${id}`);
  }
  /** Moves a record to another shard and points every ref at it there. */
  move(id: string, to: number): void {
    const from = this.shardOf(id);
    const recs = this.shards.get(from)!;
    const rec = recs.splice(
      recs.findIndex((r) => r.id === id),
      1,
    )[0];
    if (!this.shards.has(to)) this.shards.set(to, []);
    this.shards.get(to)!.push(rec);
    this.refs((ref) => {
      if (ref.raw_payload_id === id) ref.shard = to;
    });
  }
  remove(id: string): void {
    for (const recs of this.shards.values()) {
      const i = recs.findIndex((r) => r.id === id);
      if (i >= 0) recs.splice(i, 1);
    }
  }
  add(shard: number, id: string, body: string): void {
    if (!this.shards.has(shard)) this.shards.set(shard, []);
    this.shards.get(shard)!.push({ id, body: Buffer.from(body) });
  }
  /** Every payload ref in the events (parts included). */
  refs(f: (ref: Json) => void): void {
    const visit = (v: Json): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        if (typeof v.raw_payload_id === 'string') f(v);
        Object.values(v).forEach(visit);
      }
    };
    visit(this.events);
  }
  write(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'payloads'), { recursive: true });
    fs.copyFileSync(path.join(CORPUS, this.src, 'manifest.json'), path.join(dir, 'manifest.json'));
    this.events.forEach((e, i) => (e.seq = i + 1));
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), this.events.map((e) => JSON.stringify(e) + '\n').join(''));
    for (const [n, recs] of this.shards) {
      const file = path.join(dir, 'payloads', `${String(n).padStart(6, '0')}.zst`);
      const framed = frameRecords(recs);
      execFileSync('zstd', ['-q', '-f', '--check', '-o', file], { input: framed.subarray(0, framed.length - (this.cut.get(n) ?? 0)), maxBuffer: 1 << 30 });
    }
  }
}

function readShard(raw: Buffer): Rec[] {
  const out: Rec[] = [];
  let at = 0;
  while (at + 10 <= raw.length) {
    const idLen = raw.readUInt16LE(at);
    const bodyLen = Number(raw.readBigUInt64LE(at + 2));
    const id = raw.subarray(at + 10, at + 10 + idLen).toString('utf8');
    out.push({ id, body: raw.subarray(at + 10 + idLen, at + 10 + idLen + bodyLen) });
    at += 10 + idLen + bodyLen;
  }
  return out;
}

function frameRecords(recs: Rec[]): Buffer {
  return Buffer.concat(
    recs.flatMap((r) => {
      const id = Buffer.from(r.id);
      const head = Buffer.alloc(10);
      head.writeUInt16LE(id.length, 0);
      head.writeBigUInt64LE(BigInt(r.body.length), 2);
      return [head, id, r.body];
    }),
  );
}

const byType = (b: Bundle, type: string) => b.events.filter((e) => e.payload.type === type);
const indexOf = (b: Bundle, pred: (e: Json) => boolean) => b.events.findIndex(pred);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

interface Case {
  name: string;
  src: string;
  about: string;
  edit(b: Bundle): void;
}

/**
 * The first inference request of single-turn-answer, made composite: its first
 * input item is a part (shard 1), and that item's first text a part of the part
 * (shard 2). 0.171.0 parses every part as JSON, so parts are whole JSON values.
 */
function nestParts(b: Bundle): void {
  const start = byType(b, 'inference_started')[0];
  const ref = start.payload.request_payload;
  const rec = b.record(ref.raw_payload_id);
  const text = rec.body.toString('utf8');
  if (ref.parts) throw new Error('expected a plain request payload');
  const item = JSON.parse(text).input[0];
  const itemText = JSON.stringify(item);
  const inner = JSON.stringify(item.content[0].text);
  const at = text.indexOf(itemText);
  const innerAt = itemText.indexOf(inner);
  if (at < 0 || innerAt < 0) throw new Error('item text not found verbatim');
  b.add(1, 'raw_payload:9001', JSON.stringify([itemText.slice(0, innerAt), itemText.slice(innerAt + inner.length)]));
  b.add(2, 'raw_payload:9002', inner);
  rec.body = Buffer.from(JSON.stringify([text.slice(0, at), text.slice(at + itemText.length)]));
  ref.parts = [
    {
      raw_payload_id: 'raw_payload:9001',
      kind: { type: 'model_item' },
      shard: 1,
      parts: [{ raw_payload_id: 'raw_payload:9002', kind: { type: 'content_value' }, shard: 2 }],
    },
  ];
}

const CASES: Case[] = [
  {
    name: 'nested-parts-two-shards',
    src: 'single-turn-answer',
    about:
      'A request payload composed of a part that is itself composite, its innermost part in a second shard (payloads/000002.zst). raw_payloads lists all three.',
    edit: nestParts,
  },
  {
    name: 'several-shards',
    src: 'single-turn-answer',
    about: 'Every other payload record moved to payloads/000002.zst, refs pointing there.',
    edit(b) {
      const ids = b.shards.get(1)!.map((r) => r.id);
      ids.forEach((id, i) => i % 2 === 1 && b.move(id, 2));
    },
  },
  {
    name: 'shards-outgrow-the-cache',
    src: 'long-session',
    about:
      'The records spread in order over twelve shards, each also holding 4 MiB of padding no event refers to, so that a replay keeps only some of its shards decoded at once and decodes later shards into the memory of those it let go.',
    edit(b) {
      const recs = b.shards.get(1)!.slice();
      const per = Math.ceil(recs.length / 12);
      recs.forEach((r, i) => i >= per && b.move(r.id, 1 + Math.floor(i / per)));
      for (const n of b.shards.keys()) b.add(n, `raw_payload:padding-${n}`, JSON.stringify('x'.repeat(4 << 20)));
    },
  },
  {
    name: 'shared-payload',
    src: 'single-turn-answer',
    about: 'One payload record referenced by several events: every protocol_event_observed points at the first one (the others are dropped from the shard).',
    edit(b) {
      const evs = byType(b, 'protocol_event_observed');
      const first = evs[0].payload.event_payload.raw_payload_id;
      for (const e of evs.slice(1)) {
        b.remove(e.payload.event_payload.raw_payload_id);
        e.payload.event_payload = clone(evs[0].payload.event_payload);
      }
      if (!first) throw new Error('no protocol event');
    },
  },
  {
    name: 'recording-unclosed',
    src: 'single-turn-answer',
    about: 'recording_completed removed: recording_status is "unclosed".',
    edit(b) {
      b.events = b.events.filter((e) => e.payload.type !== 'recording_completed');
    },
  },
  {
    name: 'record-missing-from-second-shard',
    src: 'single-turn-answer',
    about: 'The nested-parts bundle with the innermost part (in shard 2) removed: shard 1 is complete, shard 2 lacks the record.',
    edit(b) {
      nestParts(b);
      b.remove('raw_payload:9002');
    },
  },
  {
    name: 'wait-target-resolved-unknown-cell',
    src: 'code-mode',
    about: 'code_cell_wait_target_resolved naming a runtime cell no code cell has: the id is kept on the tool call, no cell lists the wait.',
    edit(b) {
      byType(b, 'code_cell_wait_target_resolved')[0].payload.runtime_cell_id = '99';
    },
  },
  {
    name: 'wait-target-resolved-other-cell',
    src: 'code-mode',
    about: 'The wait resolved to cell 1 although its arguments name cell 2: the event decides (arguments are not read).',
    edit(b) {
      byType(b, 'code_cell_wait_target_resolved')[0].payload.runtime_cell_id = '1';
    },
  },
  {
    name: 'wait-without-resolution',
    src: 'code-mode',
    about: 'code_cell_wait_target_resolved removed: no cell lists the wait, the tool has no resolved_wait_runtime_cell_id.',
    edit(b) {
      b.events = b.events.filter((e) => e.payload.type !== 'code_cell_wait_target_resolved');
    },
  },
  {
    name: 'wait-resolved-twice',
    src: 'code-mode',
    about: 'A second code_cell_wait_target_resolved for the same tool call: refused.',
    edit(b) {
      const i = indexOf(b, (e) => e.payload.type === 'code_cell_wait_target_resolved');
      b.events.splice(i + 1, 0, clone(b.events[i]));
    },
  },
  {
    name: 'wait-resolved-unknown-tool',
    src: 'code-mode',
    about: 'code_cell_wait_target_resolved naming a tool call that does not exist: refused.',
    edit(b) {
      byType(b, 'code_cell_wait_target_resolved')[0].payload.tool_call_id = 'call_missing';
    },
  },
  {
    name: 'tool-output-never-resent',
    src: 'code-mode',
    about:
      'The trace cut right after the first tool-output acceptance: the item exists, produced by the tool, but neither the tool nor the code cell lists it.',
    edit(b) {
      const i = indexOf(b, (e) => e.payload.type === 'history_item_accepted' && e.payload.tool_output_payload);
      b.events = b.events.slice(0, i + 1);
    },
  },
  {
    name: 'tool-output-body-from-next-request',
    src: 'image-input',
    about:
      'A second, full request after the one that first carries the image tool output: the item body points at the first request that carried it, not the acceptance payload nor the later request.',
    edit(b) {
      const i = indexOf(b, (e) => e.payload.type === 'inference_completed' && b.events.indexOf(e) > indexOf(b, (x) => x.payload.tool_output_payload));
      const start = clone(b.events.filter((e) => e.payload.type === 'inference_started').at(-1));
      const rid = start.payload.request_payload.raw_payload_id;
      b.add(b.shardOf(rid), 'raw_payload:9101', b.record(rid).body.toString('utf8'));
      start.payload.inference_call_id = 'extra-call';
      start.payload.request_payload.raw_payload_id = 'raw_payload:9101';
      const end = clone(b.events[i]);
      end.payload = {
        type: 'inference_cancelled',
        inference_call_id: 'extra-call',
        reason: 'synthetic',
        upstream_request_id: null,
        partial_response_payload: null,
      };
      b.events.splice(i + 1, 0, start, end);
    },
  },
  {
    name: 'part-not-json',
    src: 'single-turn-answer',
    about: 'The first model_item part of the prepared prompt is not JSON by itself: the error names that part, not the composite payload.',
    edit(b) {
      const ref = byType(b, 'inference_started')[0].payload.prepared_prompt_payload;
      const rec = b.record(ref.parts[0].raw_payload_id);
      rec.body = Buffer.concat([Buffer.from('{oops'), rec.body.subarray(5)]);
    },
  },
  {
    name: 'duplicate-record',
    src: 'single-turn-answer',
    about: 'Shard 1 holds raw_payload:2 twice (same body, appended at the end).',
    edit(b) {
      b.add(1, 'raw_payload:2', b.record('raw_payload:2').body.toString('utf8'));
    },
  },
  {
    name: 'partial-record-in-sealed-shard',
    src: 'single-turn-answer',
    about: 'A last record cut in its body, then the stream closed properly: not a crash, a bad write.',
    edit(b) {
      b.add(1, 'raw_payload:999', JSON.stringify({ type: 'unused', text: 'x'.repeat(100) }));
      b.cut.set(1, 40);
    },
  },
  {
    name: 'conflicting-references',
    src: 'single-turn-answer',
    about: "The second protocol event names the first one's payload id with another kind.",
    edit(b) {
      const evs = byType(b, 'protocol_event_observed');
      evs[1].payload.event_payload.raw_payload_id = evs[0].payload.event_payload.raw_payload_id;
      evs[1].payload.event_payload.kind = { type: 'session_metadata' };
    },
  },
  {
    name: 'wait-resolved-without-turn',
    src: 'code-mode',
    about: 'A code_cell_wait_target_resolved whose envelope has no codex_turn_id: refused.',
    edit(b) {
      const e = byType(b, 'code_cell_wait_target_resolved')[0];
      e.codex_turn_id = null;
    },
  },
  {
    name: 'accepted-payload-not-tool-output',
    src: 'code-mode',
    about: 'A tool_output_payload whose item is a function_call (neither an agent message nor a tool output): refused.',
    edit(b) {
      const e = b.events.find((x) => x.payload.type === 'history_item_accepted' && x.payload.tool_output_payload);
      const rec = b.record(e.payload.tool_output_payload.raw_payload_id);
      const item = JSON.parse(rec.body.toString('utf8'));
      rec.body = Buffer.from(JSON.stringify({ ...item, type: 'function_call', name: 'x', arguments: '{}' }));
    },
  },
];

function runOracle(dir: string): { ok: boolean; state: string | null; stderr: string } {
  const out = path.join(os.tmpdir(), `s3-oracle-${process.pid}.json`);
  fs.rmSync(out, { force: true });
  fs.mkdirSync(ORACLE_HOME, { recursive: true });
  const r = spawnSync(ORACLE, ['debug', 'trace-reduce', dir, '-o', out], {
    encoding: 'utf8',
    env: { ...process.env, CODEX_HOME: ORACLE_HOME, RUST_BACKTRACE: '0' },
  });
  const ok = r.status === 0 && fs.existsSync(out);
  return { ok, state: ok ? fs.readFileSync(out, 'utf8') : null, stderr: (r.stderr ?? '').split(dir).join('<bundle>').trimEnd() };
}

const only = process.argv.slice(2);
for (const c of CASES) {
  if (only.length > 0 && !only.includes(c.name)) continue;
  const dir = path.join(OUT, c.name);
  const b = new Bundle(c.src);
  c.edit(b);
  b.write(dir);
  const r = runOracle(dir);
  if (r.ok) fs.writeFileSync(path.join(dir, 'state.json'), r.state!);
  else fs.writeFileSync(path.join(dir, 'expected-error.txt'), r.stderr + '\n');
  const verdict = r.ok ? 'accepted (state.json)' : `refused: \`${r.stderr.split('\n')[0]}\``;
  fs.writeFileSync(path.join(dir, 'case.md'), `# ${c.name}\n\nFrom \`traces-schema3/${c.src}\`. ${c.about}\n\nCodex 0.171.0: ${verdict}\n`);
  console.log(`${c.name}: ${verdict}`);
}
