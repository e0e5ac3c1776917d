/**
 * Object references: the one way every panel names "a thing in the trace".
 * Pure TS (no DOM/React): the store's `Selection` is `ObjectRef | null`.
 */
import type { RolloutTrace } from '../schema/state';

export const OBJECT_KINDS = [
  'thread',
  'turn',
  'conversation_item',
  'inference_call',
  'tool_call',
  'terminal_operation',
  'terminal_session',
  'code_cell',
  'compaction',
  'compaction_request',
  'interaction_edge',
  'raw_payload',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** A reference to one object of the reduced state (a discriminated union on `kind`). */
export type ObjectRef = { [K in ObjectKind]: { kind: K; id: string } }[ObjectKind];

/** Which top-level map of the reduced state holds each kind. */
export const COLLECTION_OF = {
  thread: 'threads',
  turn: 'codex_turns',
  conversation_item: 'conversation_items',
  inference_call: 'inference_calls',
  tool_call: 'tool_calls',
  terminal_operation: 'terminal_operations',
  terminal_session: 'terminal_sessions',
  code_cell: 'code_cells',
  compaction: 'compactions',
  compaction_request: 'compaction_requests',
  interaction_edge: 'interaction_edges',
  raw_payload: 'raw_payloads',
} as const satisfies Record<ObjectKind, keyof RolloutTrace>;

export type ObjectOfKind<K extends ObjectKind> = RolloutTrace[(typeof COLLECTION_OF)[K]][string];

/** Human label for each kind (singular). */
export const KIND_LABEL: Record<ObjectKind, string> = {
  thread: 'Thread',
  turn: 'Turn',
  conversation_item: 'Item',
  inference_call: 'Inference',
  tool_call: 'Tool call',
  terminal_operation: 'Terminal op',
  terminal_session: 'Terminal',
  code_cell: 'Code cell',
  compaction: 'Compaction',
  compaction_request: 'Compaction request',
  interaction_edge: 'Edge',
  raw_payload: 'Payload',
};

export function sameRef(a: ObjectRef | null | undefined, b: ObjectRef | null | undefined): boolean {
  if (!a || !b) return a == b;
  return a.kind === b.kind && a.id === b.id;
}

export function refKey(r: ObjectRef): string {
  return `${r.kind}\u0000${r.id}`;
}

/**
 * `map[key]` for a map keyed by text from a trace or a link: only the map's
 * own entries count, so `__proto__`, `constructor` or `toString` find nothing
 * instead of Object.prototype or one of its methods.
 */
export function own<T>(map: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return key != null && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The object a ref points at, or undefined when the state has no such id. */
export function getObject<K extends ObjectKind>(state: RolloutTrace, ref: { kind: K; id: string }): ObjectOfKind<K> | undefined {
  const map = state[COLLECTION_OF[ref.kind]] as Record<string, ObjectOfKind<K>>;
  return own(map, ref.id);
}

export function objectExists(state: RolloutTrace, ref: ObjectRef): boolean {
  return getObject(state, ref) !== undefined;
}
