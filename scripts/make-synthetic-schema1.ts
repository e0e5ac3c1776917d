/**
 * Schema-1 probes: edited copies of traces-schema1 bundles that exercise
 * reducer rules the recorded corpus does not, each kept with what Codex
 * 0.164.0's `debug trace-reduce` made of it (test/fixtures/synthetic-schema1/<case>/,
 * checked by test/synthetic.test.ts like the schema-2 set).
 *
 *   CODEX_ORACLE_BIN=~/.cache/codex-oracles/0.164.0/node_modules/.bin/codex \
 *     node --import tsx scripts/make-synthetic-schema1.ts [case…]
 */
import fs from 'node:fs';
import path from 'node:path';
import { runOracle } from './oracle';
import { joinTraceLines, readBundleDir, traceLines, writeBundleDir, type BundleFiles } from './lib/bundle-files';
import { headlineOf, locateOracleError } from './lib/oracle-locate';

const CORPUS = 'test/fixtures/traces-schema1';
const OUT = 'test/fixtures/synthetic-schema1';

type Json = any;
interface Ev {
  schema_version: number;
  seq: number;
  wall_time_unix_ms: number;
  rollout_id: string;
  thread_id: string | null;
  codex_turn_id: string | null;
  payload: Json;
}

/** A corpus bundle being edited: its events (renumbered on write) and payload files. */
class Edit {
  private added = 0;
  constructor(
    readonly events: Ev[],
    readonly files: BundleFiles,
  ) {}
  index(pred: (p: Json) => boolean, nth = 0): number {
    const all = this.events.flatMap((e, i) => (pred(e.payload) ? [i] : []));
    if (all[nth] === undefined) throw new Error('no such event');
    return all[nth];
  }
  /** A new event with the context of the event at `like`, inserted at `at`. */
  insert(at: number, like: number, payload: Json): void {
    this.events.splice(at, 0, { ...structuredClone(this.events[like]), payload });
  }
  /** Edit, in place, the payload an event refers to under `field`. */
  editPayload(at: number, field: string, edit: (v: Json) => void): void {
    const ref = this.events[at].payload[field];
    const v = this.payload(ref);
    edit(v);
    this.setPayload(ref, v);
  }
  payload(ref: { path: string }): Json {
    return JSON.parse(this.files.files.get(ref.path)!.toString());
  }
  setPayload(ref: { path: string }, value: Json): void {
    this.files.files.set(ref.path, JSON.stringify(value, null, 2));
  }
  /** A new payload file; its id is beyond every id the bundle uses. */
  addPayload(kind: string, value: Json): Json {
    const n = 900 + this.added++;
    const ref = { raw_payload_id: `raw_payload:${n}`, kind: { type: kind }, path: `payloads/${n}.json` };
    this.setPayload(ref, value);
    return ref;
  }
}

interface Case {
  name: string;
  from: string;
  /** What the case exercises and what 0.164.0 did (case.md). */
  note: string;
  edit(b: Edit): void;
}

const CASES: Case[] = [
  {
    name: 'exec-tool-names-no-cell',
    from: 'code-mode',
    note:
      'The code-mode `exec` call traced as a tool (as schema 2 records it). 0.164.0 links call and output items both ways, ' +
      'gives the output producers [tool, code_cell], but writes no `started_code_cell_id`.',
    edit(b) {
      const start = b.index((p) => p.type === 'code_cell_started');
      const inv = b.addPayload('tool_invocation', { tool_name: 'exec', payload: { type: 'custom', input: 'x' } });
      b.insert(start, start, {
        type: 'tool_call_started',
        tool_call_id: 'call_0002',
        model_visible_call_id: 'call_0002',
        code_mode_runtime_tool_id: null,
        requester: { type: 'model' },
        kind: { type: 'other', name: 'exec' },
        summary: { type: 'generic', label: 'exec', input_preview: null, output_preview: null },
        invocation_payload: inv,
      });
      const end = b.index((p) => p.type === 'code_cell_ended');
      b.insert(end + 1, end, { type: 'tool_call_ended', tool_call_id: 'call_0002', status: 'completed', result_payload: null });
    },
  },
  {
    name: 'request-repeats-item-by-position',
    from: 'tools-one-turn',
    note:
      'The second request drops the first developer message and repeats the second one in its place. 0.164.0 matches ' +
      'index 0 to the second item by content and index 1 to it again by position, so `request_item_ids` lists it twice ' +
      '(schema 2 reuses an item at most once per request); later requests then get a fresh item for the first message.',
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'inference_started', 1),
        'request_payload',
        (v) => {
          v.input = [v.input[1], ...v.input.slice(1)];
        },
      );
    },
  },
  {
    name: 'call-id-output-reused-different-content',
    from: 'tools-one-turn',
    note:
      'A later request carries the output of call_0002 with different text. 0.164.0 refuses it: the call-id check covers ' +
      'outputs too (schema 2 checks only calls).',
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'inference_started', 2),
        'request_payload',
        (v) => {
          for (const item of v.input) if (item.type === 'function_call_output' && item.call_id === 'call_0002') item.output = 'CHANGED';
        },
      );
    },
  },
  ...(
    [
      ['write-stdin-without-session-id', 'has no `session_id`', (a: Json) => delete a.session_id],
      ['write-stdin-empty-session-id', 'has an empty `session_id`', (a: Json) => (a.session_id = '')],
    ] as const
  ).map(([name, what, edit]): Case => ({
    name,
    from: 'tools-one-turn',
    note: `The write_stdin invocation ${what}. 0.164.0 refuses the invocation (schema 2 makes no terminal operation).`,
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'tool_call_started' && p.kind.type === 'write_stdin'),
        'invocation_payload',
        (v) => {
          const args = JSON.parse(v.payload.arguments);
          edit(args);
          v.payload.arguments = JSON.stringify(args);
        },
      );
    },
  })),
  {
    name: 'write-stdin-unknown-session',
    from: 'tools-one-turn',
    note: 'The write_stdin invocation names a session no exec opened; 0.164.0 accepts it.',
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'tool_call_started' && p.kind.type === 'write_stdin'),
        'invocation_payload',
        (v) => {
          v.payload.arguments = JSON.stringify({ ...JSON.parse(v.payload.arguments), session_id: 999 });
        },
      );
    },
  },
  {
    name: 'empty-message-content',
    from: 'tools-one-turn',
    note: "The first request's user message has `content: []`; 0.164.0 gives it one `empty_content` payload ref (schema 2: no parts).",
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'inference_started'),
        'request_payload',
        (v) => {
          v.input.find((i: Json) => i.role === 'user').content = [];
        },
      );
    },
  },
  {
    name: 'mcp-runtime-invocation-without-tool',
    from: 'mcp-tools',
    note: "The first MCP runtime begin's `invocation` lacks `tool`; 0.164.0 refuses it (an intact one makes the call an mcp tool).",
    edit(b) {
      b.editPayload(
        b.index((p) => p.type === 'tool_call_runtime_started'),
        'runtime_payload',
        (v) => delete v.invocation.tool,
      );
    },
  },
  {
    name: 'event-of-another-rollout',
    from: 'single-turn-answer',
    note: "The inference start's envelope names another rollout_id; 0.164.0 does not check it (schema 2 refuses it).",
    edit(b) {
      b.events[b.index((p) => p.type === 'inference_started')].rollout_id = 'another-rollout';
    },
  },
  ...([false, true] as const).map((afterEnd): Case => ({
    name: afterEnd ? 'exec-without-process-target-after-end' : 'exec-without-process-target-before-end',
    from: 'tools-one-turn',
    note:
      "The interactive exec's runtime begin has no process_id (its end still has one)" +
      (afterEnd ? ', and `stdin_target_resolved` comes after the exec ended. ' : '. ') +
      '0.164.0 still gives the exec a session of its own; the write_stdin to it joins that session only once the ' +
      "exec's process id is known" +
      (afterEnd ? ' (here: from its end).' : ' (here it is not yet, so the write keeps a session of its own).'),
    edit(b) {
      const begin = b.index((p) => p.type === 'tool_call_runtime_started' && p.tool_call_id === 'call_0008');
      b.editPayload(begin, 'runtime_payload', (v) => delete v.process_id);
      if (afterEnd) {
        const [target] = b.events.splice(
          b.index((p) => p.type === 'stdin_target_resolved'),
          1,
        );
        b.events.splice(b.index((p) => p.type === 'tool_call_runtime_ended' && p.tool_call_id === 'call_0008') + 1, 0, target);
      }
    },
  })),
];

function build(c: Case): BundleFiles {
  const files = readBundleDir(path.join(CORPUS, c.from));
  const events = traceLines(files.trace!).map((l) => JSON.parse(l) as Ev);
  const b = new Edit(events, files);
  c.edit(b);
  events.forEach((e, i) => (e.seq = i + 1));
  return { ...files, trace: joinTraceLines(events.map((e) => JSON.stringify(e))) };
}

async function main(only: string[]): Promise<void> {
  if (!process.env.CODEX_ORACLE_BIN) throw new Error('set CODEX_ORACLE_BIN to the 0.164.0 codex executable');
  for (const c of CASES) {
    if (only.length && !only.includes(c.name)) continue;
    const dir = path.join(OUT, c.name);
    fs.rmSync(dir, { recursive: true, force: true });
    const files = build(c);
    writeBundleDir(dir, files);
    const r = await runOracle(dir);
    let verdict: string;
    if (r.ok) {
      fs.writeFileSync(path.join(dir, 'state.json'), r.stateText!);
      verdict = 'accepted (state.json)';
    } else {
      fs.writeFileSync(path.join(dir, 'expected-error.txt'), r.stderr.split(path.resolve(dir)).join('<bundle>'));
      const loc = await locateOracleError(files, r.stderr);
      fs.writeFileSync(path.join(dir, 'error-location.json'), JSON.stringify(loc, null, 2) + '\n');
      verdict = `refused: ${headlineOf(r.stderr)}`;
    }
    fs.writeFileSync(path.join(dir, 'case.md'), `# ${c.name}\n\nFrom \`traces-schema1/${c.from}\`. ${c.note}\n\nCodex 0.164.0: ${verdict}.\n`);
    console.log(`${c.name}: ${verdict}`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
