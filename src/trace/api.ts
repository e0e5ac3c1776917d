/**
 * The one entry point everything else uses (CLI, worker, tests).
 * Implementation lives in ./reducer; this file only states the contract.
 */
import type { DiagnosticGroup } from './diagnostics';
import type { TraceErrorInfo } from './errors';
import type { RolloutTrace } from './schema/state';
import type { Manifest } from './schema/manifest';

export interface ReduceProgress {
  bytesDone: number;
  bytesTotal: number;
  eventsDone: number;
  /** Where a reduction done elsewhere stands: the server reducing (`server`), or its state arriving (`receiving`). */
  phase?: 'server' | 'receiving';
}

export interface ReduceOptions {
  /** 'error' (default) matches the official reducer; 'skip' reports unknown event types as diagnostics and goes on. */
  unknownEvents?: 'error' | 'skip';
  onProgress?: (p: ReduceProgress) => void;
  signal?: AbortSignal;
}

export interface ReduceResult {
  manifest: Manifest | null;
  /** The state reduced so far: complete on success, partial when `error` is set, null if the manifest failed. */
  state: RolloutTrace | null;
  error: TraceErrorInfo | null;
  /** Skipped events, grouped by kind and type with counts and a bounded sample (see ./diagnostics). */
  diagnostics: DiagnosticGroup[];
  /** Number of trace.jsonl events applied successfully. */
  eventsApplied: number;
  /** The state's text, when it came that way (a server's reduction): no need to serialize it again. */
  stateText?: StateText;
}

/** A state.json text as bytes, with each top-level field's key and the byte range of its JSON value, in order. */
export interface StateText {
  bytes: Uint8Array;
  parts: [key: string, start: number, end: number][];
}
