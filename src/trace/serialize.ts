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
  // Numbers held as exact text (floats such as 1.0, integers beyond 2^53) are written as bare numbers.
  return printExactNumbers(() => (wholeIsSafe(state) ? serializeWhole(state) : serializeWith(state)));
}

/** Keys JavaScript would move to the front of an object (array indexes), or that would not stay own keys. */
const UNSAFE_KEY = /^(?:0|[1-9][0-9]{0,9})$|^__proto__$/;

function wholeIsSafe(state: RolloutTrace): boolean {
  for (const name of MAPS) for (const k in state[name]) if (UNSAFE_KEY.test(k)) return false;
  return true;
}

/**
 * The common case in one native call: with no key that JavaScript orders by
 * itself, a state rebuilt with its maps in sorted key order prints exactly
 * as serde does, four times faster than printing and indenting entry by entry.
 */
function serializeWhole(state: RolloutTrace): string {
  const sorted: Record<string, unknown> = {
    schema_version: state.schema_version,
    trace_id: state.trace_id,
    rollout_id: state.rollout_id,
    started_at_unix_ms: state.started_at_unix_ms,
    ended_at_unix_ms: state.ended_at_unix_ms,
    status: state.status,
    recording_complete: state.recording_complete,
    recording_status: state.recording_status,
    root_thread_id: state.root_thread_id,
  };
  for (const name of MAPS) {
    const map = state[name] as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = map[k];
    sorted[name] = out;
  }
  // Absent completion fields (undefined) are left out, as each generation writes only its own.
  return JSON.stringify(sorted, null, 2);
}

function serializeWith(state: RolloutTrace): string {
  const out: string[] = ['{'];
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
  for (let i = top.length - 1; i >= 0; i--) if (top[i][1] === undefined) top.splice(i, 1);
  const lines: string[] = top.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  for (const name of MAPS) {
    const map = state[name] as Record<string, unknown>;
    const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) {
      lines.push(`  ${JSON.stringify(name)}: {}`);
      continue;
    }
    const entries = keys.map((k) => `    ${JSON.stringify(k)}: ${indent(JSON.stringify(map[k], null, 2), '    ')}`);
    lines.push(`  ${JSON.stringify(name)}: {\n${entries.join(',\n')}\n  }`);
  }
  out.push(lines.join(',\n'));
  out.push('}');
  return out.join('\n');
}

function indent(json: string, pad: string): string {
  return json.includes('\n') ? json.split('\n').join('\n' + pad) : json;
}
