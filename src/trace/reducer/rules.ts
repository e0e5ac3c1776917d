/**
 * Where the generations differ, as named rules. One set is chosen per bundle
 * (from the manifest's schema_version, and for schema 2 from what the bundle
 * holds) before the replay starts; the reducer's modules ask these flags
 * instead of comparing version numbers, so each difference is written once
 * and can be found by its name.
 */
import { GENERATIONS, type SchemaGeneration, type SchemaVersion } from '../schema/generations';

export interface ReductionRules {
  generation: SchemaGeneration;
  /** Which release's reducer the output reproduces. */
  reference: string;

  // Admission: what the reference reducer refuses before reducing.
  /** Envelopes must carry the manifest's schema_version (S2, S3; S1 reads any). */
  checkEnvelopeSchema: boolean;
  /** `seq` must run 1, 2, 3… (S2, S3; S1 accepts gaps). */
  contiguousSeq: boolean;
  /** The envelope's rollout_id must be the manifest's (S2, S3; 0.164.0 reads any). */
  checkRolloutId: boolean;
  /** Nothing may follow `recording_completed`. */
  recordingCompletedIsLast: boolean;
  /** The event types this generation's reducer knows, in the order its error message lists them. */
  eventTypes: readonly string[];
  envelopeSchemaMessage(found: number, line: number): string;

  // Reduction.
  /** `tool_call_runtime_started` carries the tool's `kind` and it replaces the call's (S2 from 0.166, S3). */
  runtimeStartKind: 'required' | 'absent';
  /** A runtime begin without its own kind whose payload has `invocation` makes the call an `mcp` tool of that server/tool (S1, 0.165.0; later S2 and S3 read the event's kind). */
  mcpKindFromRuntimeInvocation: boolean;
  /** Items carry their Responses id, which is part of their identity (S2, S3). */
  responsesItemIdentity: boolean;
  /** Response items join the transcript only once accepted (S2, S3). */
  acceptedTranscript: boolean;
  /** Image and file parts are identified by a SHA-256 of their content (S2, S3). */
  contentSha256: boolean;
  /** A full request reuses a known item at most once, even at its own position (S2, S3; S1 may list it twice). */
  reuseItemOncePerRequest: boolean;
  /** A reused call id must carry the same content in outputs too, not only in calls (S1; S2 lets outputs differ). */
  callIdChecksOutputs: boolean;
  /** A message with no readable content parts gets one `empty_content` payload ref (S1; S2 keeps no parts). */
  emptyContentRef: boolean;
  /** The code-mode `exec` tool names the cell it started (S2, S3). */
  startedCodeCellId: boolean;
  /** write_stdin arguments must parse and name a session, else the invocation is an error (S1; S2 makes no operation). */
  writeStdinArgsRequired: boolean;
  /** An exec_command begin without a process id still opens a session of its own (S1; S2 opens none). */
  execSessionWithoutProcess: boolean;
  /** `stdin_target_resolved` moves the write only once the exec's process id is known, from its begin or end (S1; S2 always). */
  stdinTargetNeedsProcess: boolean;
  /** Top-level completion flag: S2's boolean `recording_complete` or S3's `recording_status`. */
  recordingField: 'none' | 'recording_complete' | 'recording_status';
  /** S3: inference calls keep their prepared prompt payload. */
  preparedPrompt: boolean;
  /** S3: `history_item_accepted.tool_output_payload` creates tool-output items; it and `agent_message_payload` are read alike. */
  toolOutputPayload: boolean;
  /** S3: `code_cell_wait_target_resolved` decides a code cell's waits. */
  waitTargetResolved: boolean;
  /** How a payload that is not JSON is named: `parse payload X` (S1) or `invalid payload X` (S2, S3). */
  notJsonPayload: 'parse payload' | 'invalid payload';
  /** After the replay, every referenced payload must exist and be JSON, read or not (S2, S3; S1 reads payloads only as events need them). */
  checksEveryPayload: boolean;
  /** One payload id referenced with another kind, shard or parts is an error (S3; S1 and S2 keep the last reference). */
  refusesConflictingRefs: boolean;

  // Where 0.165.0, the first schema-2 release, reduces differently from 0.169.1.
  /** Accepted conversation items show `accepted_at_unix_ms`/`accepted_seq` (S2 as 0.169.1 reduces it, S3); 0.165.0 tracks acceptance without writing it. */
  acceptedFieldsWritten: boolean;
  /** `history_item_accepted.agent_message_payload` is read, making the mailbox item at acceptance (S2 as 0.169.1 reduces it, S3); 0.165.0 ignores the field. */
  acceptedAgentMessage: boolean;
}

const S1_TYPES = [
  'rollout_started',
  'rollout_ended',
  'thread_started',
  'thread_ended',
  'codex_turn_started',
  'codex_turn_ended',
  'inference_started',
  'inference_completed',
  'inference_failed',
  'inference_cancelled',
  'tool_call_started',
  'mcp_tool_call_correlation_assigned',
  'stdin_target_resolved',
  'tool_call_runtime_started',
  'tool_call_runtime_ended',
  'tool_call_ended',
  'code_cell_started',
  'code_cell_initial_response',
  'code_cell_ended',
  'compaction_request_started',
  'compaction_request_completed',
  'compaction_request_failed',
  'compaction_installed',
  'agent_result_observed',
  'protocol_event_observed',
  'other',
] as const;

const S2_TYPES = [
  'recording_completed',
  'rollout_started',
  'rollout_ended',
  'thread_started',
  'thread_ended',
  'thread_resumed',
  'codex_turn_started',
  'codex_turn_ended',
  'history_item_accepted',
  'inference_started',
  'inference_completed',
  'inference_failed',
  'inference_cancelled',
  'tool_call_started',
  'mcp_tool_call_correlation_assigned',
  'stdin_target_resolved',
  'tool_call_runtime_started',
  'tool_call_runtime_ended',
  'tool_call_ended',
  'code_cell_started',
  'code_cell_initial_response',
  'code_cell_ended',
  'compaction_request_started',
  'compaction_request_completed',
  'compaction_request_failed',
  'compaction_installed',
  'agent_result_observed',
  'protocol_event_observed',
  'other',
] as const;

const S3_TYPES = [
  ...S2_TYPES.slice(0, S2_TYPES.indexOf('stdin_target_resolved') + 1),
  'code_cell_wait_target_resolved',
  ...S2_TYPES.slice(S2_TYPES.indexOf('stdin_target_resolved') + 1),
] as const;

const SCHEMA_1: ReductionRules = {
  generation: GENERATIONS[1],
  reference: GENERATIONS[1].reference,
  checkEnvelopeSchema: false,
  contiguousSeq: false,
  checkRolloutId: false,
  recordingCompletedIsLast: false,
  eventTypes: S1_TYPES,
  envelopeSchemaMessage: (found, line) => `unsupported trace event schema ${found} at line ${line}`,
  runtimeStartKind: 'absent',
  mcpKindFromRuntimeInvocation: true,
  responsesItemIdentity: false,
  acceptedTranscript: false,
  contentSha256: false,
  reuseItemOncePerRequest: false,
  callIdChecksOutputs: true,
  emptyContentRef: true,
  startedCodeCellId: false,
  writeStdinArgsRequired: true,
  execSessionWithoutProcess: true,
  stdinTargetNeedsProcess: true,
  recordingField: 'none',
  preparedPrompt: false,
  toolOutputPayload: false,
  waitTargetResolved: false,
  refusesConflictingRefs: false,
  notJsonPayload: 'parse payload',
  checksEveryPayload: false,
  acceptedFieldsWritten: false,
  acceptedAgentMessage: false,
};

const SCHEMA_2: ReductionRules = {
  generation: GENERATIONS[2],
  reference: GENERATIONS[2].reference,
  checkEnvelopeSchema: true,
  contiguousSeq: true,
  checkRolloutId: true,
  recordingCompletedIsLast: true,
  eventTypes: S2_TYPES,
  envelopeSchemaMessage: (found, line) => `unsupported trace event schema ${found} at line ${line}`,
  runtimeStartKind: 'required',
  mcpKindFromRuntimeInvocation: false,
  responsesItemIdentity: true,
  acceptedTranscript: true,
  contentSha256: true,
  reuseItemOncePerRequest: true,
  callIdChecksOutputs: false,
  emptyContentRef: false,
  startedCodeCellId: true,
  writeStdinArgsRequired: false,
  execSessionWithoutProcess: false,
  stdinTargetNeedsProcess: false,
  recordingField: 'recording_complete',
  preparedPrompt: false,
  toolOutputPayload: false,
  waitTargetResolved: false,
  refusesConflictingRefs: false,
  notJsonPayload: 'invalid payload',
  checksEveryPayload: true,
  acceptedFieldsWritten: true,
  acceptedAgentMessage: true,
};

const SCHEMA_3: ReductionRules = {
  ...SCHEMA_2,
  generation: GENERATIONS[3],
  reference: GENERATIONS[3].reference,
  eventTypes: S3_TYPES,
  envelopeSchemaMessage: (found, line) =>
    `unsupported trace event schema ${found} at line ${line} (expected 3). Run the exact Codex executable that recorded this bundle`,
  recordingField: 'recording_status',
  preparedPrompt: true,
  toolOutputPayload: true,
  waitTargetResolved: true,
  refusesConflictingRefs: true,
  checksEveryPayload: true,
};

/**
 * Schema 2 as 0.165.0 wrote and reduced it. Its `tool_call_runtime_started`
 * has no `kind`, which every later schema-2 reducer refuses (``missing field
 * `kind` ``), so for such a bundle the reference is 0.165.0's own reducer
 * (trace-format.md §10). Found by reducing the corpus, rewritten that way, with
 * 0.165.0; every flag that differs from SCHEMA_2 is listed here.
 */
const SCHEMA_2_AS_0165: ReductionRules = {
  ...SCHEMA_2,
  reference: '0.165.0',
  // It checks the envelope's schema_version, but not seq order nor rollout_id.
  contiguousSeq: false,
  checkRolloutId: false,
  // `thread_resumed` (0.166.0) and `recording_completed` (0.167.2) came later.
  recordingCompletedIsLast: false,
  eventTypes: S2_TYPES.filter((t) => t !== 'recording_completed' && t !== 'thread_resumed'),
  runtimeStartKind: 'absent',
  startedCodeCellId: false,
  recordingField: 'none',
  acceptedFieldsWritten: false,
  acceptedAgentMessage: false,
  mcpKindFromRuntimeInvocation: true,
};

/** Which release wrote a bundle, where that changes its rules: today only schema 2 from 0.165.0. */
export type Writer = 'schema-2-0.165.0';

export function rulesFor(version: SchemaVersion, writer: Writer | null = null): ReductionRules {
  if (version === 2 && writer === 'schema-2-0.165.0') return SCHEMA_2_AS_0165;
  return version === 1 ? SCHEMA_1 : version === 2 ? SCHEMA_2 : SCHEMA_3;
}
