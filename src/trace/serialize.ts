import { printExactNumbers } from './json/lossless';
import type { RolloutTrace } from './schema/state';

const MAPS = [
  'threads',
  'codex_turns',
  'conversation_items',
  'inference_calls',
  'code_cells',
  'tool_calls',
  'terminal_sessions',
  'terminal_operations',
  'compactions',
  'compaction_requests',
  'interaction_edges',
  'raw_payloads',
] as const;

/**
 * `state.json` text exactly as the official reducer writes it: serde's pretty
 * printer (two-space indent, no trailing newline), maps sorted by key. Maps
 * are written entry by entry so that an id that looks like an integer cannot
 * be moved by JavaScript's own object key order.
 */
export function serializeState(state: RolloutTrace): string {
  return [...serializeStateChunks(state)].join('');
}

/** Entries printed per JSON.stringify call: enough to amortize the call, few enough that no chunk holds the whole state. */
const BATCH = 256;

/**
 * The same text in pieces, to write one after another: a large state printed
 * as one string was held twice over (as UTF-16 when any character needs it,
 * and again as the UTF-8 written), for nothing.
 */
export function* serializeStateChunks(state: RolloutTrace): Generator<string> {
  const top: [string, unknown][] = [
    ['schema_version', state.schema_version],
    ['trace_id', state.trace_id],
    ['rollout_id', state.rollout_id],
    ['started_at_unix_ms', state.started_at_unix_ms],
    ['ended_at_unix_ms', state.ended_at_unix_ms],
    ['status', state.status],
    ['recording_complete', state.recording_complete],
    ['recording_status', state.recording_status],
    ['root_thread_id', state.root_thread_id],
  ];
  // Each generation writes its own completion field (schema 1 none): absent ones are not written.
  // Numbers held as exact text (floats such as 1.0, integers beyond 2^53) are written as bare numbers.
  yield printExactNumbers(
    () =>
      '{\n' +
      top
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(',\n'),
  );
  for (const name of MAPS) {
    const map = state[name] as Record<string, unknown>;
    const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) {
      yield `,\n  ${JSON.stringify(name)}: {}`;
      continue;
    }
    yield `,\n  ${JSON.stringify(name)}: {\n`;
    for (let at = 0; at < keys.length; at += BATCH) {
      const batch = keys.slice(at, at + BATCH);
      yield (at > 0 ? ',\n' : '') + printExactNumbers(() => (batch.some((k) => UNSAFE_KEY.test(k)) ? entriesOneByOne(map, batch) : entriesAtOnce(map, batch)));
    }
    yield '\n  }';
  }
  yield '\n}';
}

/** Keys JavaScript would move to the front of an object (array indexes), or that would not stay own keys. */
const UNSAFE_KEY = /^(?:0|[1-9][0-9]{0,9})$|^__proto__$/;

/**
 * With no key that JavaScript orders by itself, the entries rebuilt as one
 * object in sorted key order print as serde does in one native call, four
 * times faster than printing and indenting entry by entry.
 */
function entriesAtOnce(map: Record<string, unknown>, keys: string[]): string {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = map[k];
  // Printed one level down, inside a map of its own, the entries come out indented as in state.json:
  // only the wrapper's first two lines and last two are cut (re-indenting the text was a second copy of it).
  const text = JSON.stringify({ m: out }, null, 2);
  return text.slice(WRAPPED_HEAD.length, -WRAPPED_TAIL.length);
}

const WRAPPED_HEAD = '{\n  "m": {\n';
const WRAPPED_TAIL = '\n  }\n}';

function entriesOneByOne(map: Record<string, unknown>, keys: string[]): string {
  return keys.map((k) => `    ${JSON.stringify(k)}: ${indent(JSON.stringify(map[k], null, 2), '    ')}`).join(',\n');
}

function indent(json: string, pad: string): string {
  return json.includes('\n') ? json.split('\n').join('\n' + pad) : json;
}
