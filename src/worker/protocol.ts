/**
 * Messages between the main thread (client.ts) and the trace worker
 * (trace.worker.ts). Every message carries the `id` of the request it belongs
 * to; each side validates what it receives: the worker the requests
 * (requests.ts), the page the responses (responses.ts). Their schemas are
 * apart so that neither thread builds the other's at start-up; this module
 * holds the messages' types and what both sides do with them, and no schema.
 *
 * The reduced state in `result` travels as JSON text, one piece per
 * top-level field: for a large trace, JSON.parse on the main thread costs a
 * fraction of deserializing the same object graph from a structured clone,
 * and pieces let the page parse it in several short tasks. It was produced by our own reducer in
 * the worker and is not schema-checked again (that would cost the main thread
 * a long task); everything else is checked fully.
 *
 * Many dropped files are sent in chunks (a `load` with the first chunk and
 * `more` announced, then `files` messages) because cloning a File costs the
 * main thread about half a millisecond: thousands at once would freeze the page.
 */
export type { BytesEntry, LoadInputMsg, UnreadEntry, WorkerRequest } from './requests';
export type { BundleInfo, ProgressMsg, RecentBundle, SearchHit, WorkerResponse } from './responses';
import type { WorkerResponse } from './responses';

/** The id of the load a worker starts by itself, of the bundle its name names (prefetch.ts): the client numbers its own from 1. */
export const EARLY_LOAD_ID = 0;

/** What a message hands over to the page rather than copies: a state's text. */
export function transferablesOf(msg: WorkerResponse): Transferable[] {
  return msg.type === 'result' && msg.stateText ? [msg.stateText.bytes.buffer as ArrayBuffer] : [];
}

/** A result's state as its top-level fields in order, each [key, its JSON text]: a text that came as bytes is decoded when asked for. */
export function resultStateParts(msg: Extract<WorkerResponse, { type: 'result' }>): [string, () => string][] | null {
  if (msg.stateText) {
    const { bytes, parts } = msg.stateText;
    const decoder = new TextDecoder();
    return parts.map(([key, start, end]) => [key, () => decoder.decode(bytes.subarray(start, end))]);
  }
  return msg.stateParts?.map(([key, json]) => [key, () => json]) ?? null;
}

/** The state as `stateParts`. */
export function stateToParts(state: object): [string, string][] {
  return Object.entries(state).map(([k, v]) => [k, JSON.stringify(v)]);
}
