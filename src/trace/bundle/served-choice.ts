/**
 * Which served bundles `serve` reduces for the page (`?reduced`, the answer's
 * format in served-state.ts) instead of the page's worker reducing the tar.
 * The worker decides from the tar's headers before reading its body, the
 * server decides alike whether to start ahead of the page, and a tar request
 * may be answered with a state the server already holds. No schemas here:
 * the choice is a few numbers and headers, shared by both sides.
 */

/**
 * From this many bytes of payloads up, a served bundle whose recording has
 * ended may be reduced by `serve` rather than in the tab (serverReducesBetter).
 */
export const SERVER_REDUCES_ABOVE = 16 * 1024 * 1024;

/**
 * Whether `serve` opens a finished bundle sooner than the tab would. The tab
 * downloads and reads every payload; the server's answer is the state, which
 * grows with the event log. So it wins where payloads far outweigh the log:
 * a schema-2 LONG_STEPS=1000 recording (74 MB of payloads, a 3.8 MB log, a
 * 9.5 MB state) opened in 2.6–4.4 s against 5.3 s. The same session in
 * schema 3 (15 MB of compressed shards, a 6.2 MB log, a 14.7 MB state) opened
 * in 2.9 s in the tab and 3.9 s from the server.
 */
export function serverReducesBetter(bundleBytes: number, logBytes: number, above = SERVER_REDUCES_ABOVE): boolean {
  const payloadBytes = bundleBytes - logBytes;
  return payloadBytes >= above && payloadBytes >= 4 * logBytes;
}

/**
 * Whether `serve` starts reducing a finished bundle as soon as a page names
 * it (`?trace=`), for the page to take the state rather than reduce: a large
 * one it opens sooner (serverReducesBetter), and any smaller one, which its
 * child process has reduced while the page was starting. The state stays in
 * the cache folder, so a reload or a shared link opens from a file read: the
 * schema-2 long-session (4.7 MB) interactive 690–910 ms after navigation,
 * against 930–1,180 ms reduced in the tab.
 */
export function serverReducesAhead(bundleBytes: number, logBytes: number, above = SERVER_REDUCES_ABOVE): boolean {
  return bundleBytes < above || serverReducesBetter(bundleBytes, logBytes, above);
}

/**
 * The bundle tar's header saying the recording has ended (`1`): a state the
 * server reduces now stays the bundle's, so there is nothing to follow.
 */
export const RECORDING_ENDED_HEADER = 'X-Bundle-Recording-Ended';

/**
 * From the bundle tar's headers: whether the page asks `serve` for the
 * reduced state instead of reading the tar. Only a finished recording: one
 * Codex still writes is followed by the tab.
 */
export function asksServer(headers: Headers, above = SERVER_REDUCES_ABOVE): boolean {
  if (headers.get(RECORDING_ENDED_HEADER) !== '1') return false;
  const bytes = Number(headers.get('x-bundle-bytes') ?? Number.NaN);
  const log = Number(headers.get('x-bundle-log-bytes') ?? Number.NaN);
  return serverReducesBetter(bytes, log, above);
}

/**
 * The content type of a `?reduced` answer: also the answer to a tar request
 * that allows it (servedTarUrl's `orState`) when the server holds the bundle's
 * state or is making it, so that taking a kept state costs one request, not a
 * tar begun and cancelled.
 */
export const SERVED_STATE_TYPE = 'application/x-ndjson';
