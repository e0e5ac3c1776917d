/**
 * How much a browser tab is asked to hold, by what it must hold.
 *
 * - The reduced state grows with the event log, not the payloads (its JSON
 *   copy for the hop to the page and the page's indexes come on top; see
 *   `npm run bench:memory`). A served bundle whose log is over
 *   MAX_BROWSER_LOG_BYTES is left to `serve`'s own reduction; a dropped or
 *   picked one, which has no server, is refused over MAX_DROPPED_LOG_BYTES.
 * - Payloads are held only where that is cheaper than reading them again: a
 *   bundle's trace.jsonl plus payloads up to MAX_BROWSER_BUNDLE_BYTES is read
 *   whole (then hashed, and kept among the recent bundles). A larger one of
 *   dropped or picked files is read from its Files as the reducer goes and
 *   never held whole (../trace/bundle/blob-read-ahead.ts). What an archive
 *   unpacks is held, so one drop may unpack at most MAX_UNPACKED_BYTES (twice
 *   a bundle's limit: an archive may hold several). A served bundle over the
 *   limit is left to `serve`'s own reduction.
 *
 * Each limit is checked before the bytes are held: from file sizes, archive
 * headers and the server's announced size, then again on what actually arrives.
 */
import type { TraceErrorInfo } from '../trace/errors';
import { formatBytes } from '../trace/format';
import type { SizeLimitError } from '../trace/bundle/sizeLimit';
import type { InputFile } from '../trace/bundle/scan';

export const MAX_BROWSER_BUNDLE_BYTES = 192 * 1024 * 1024;

/**
 * Largest event log a tab reduces itself. The reduced state grows with the
 * log, not with the payloads: schema 3's LONG_STEPS=2000 recording is 30 MB
 * on disk with a 25 MB log, reduces to a 91 MB state, and took the tab to
 * 918 MB and 22 s; `serve` reducing it instead keeps the tab to its state.
 */
export const MAX_BROWSER_LOG_BYTES = 16 * 1024 * 1024;

/**
 * Largest event log of a dropped or picked bundle a tab reduces, where no
 * server can do it instead. The state's size per byte of log varies: 7 bytes
 * of state.json in schema 2's LONG_STEPS=2000 recording (a 7.7 MB log, the
 * tab at 870–940 MiB), 3.7 in schema 3's (a 25 MB log, 918 MB), next to none
 * for events of a type the reducer skips (a 28 MiB log of 200,000 of them
 * opens at once). Past this, no schema's state fits a tab.
 */
export const MAX_DROPPED_LOG_BYTES = 32 * 1024 * 1024;
export const MAX_UNPACKED_BYTES = 2 * MAX_BROWSER_BUNDLE_BYTES;

const REDUCE = '`codex-trace-viewer reduce <bundle>` reduces a bundle of any size without a browser and writes its state.json';
const SERVE =
  '`codex-trace-viewer serve <bundle>` opens it in the browser all the same: the server reduces it, and the page fetches only the payloads it shows';

/** Where the bytes came from, for advice that fits: a served bundle is reduced on the machine that serves it. */
export type Origin = 'local' | 'served';

/** The error shown for a bundle over the limit, or null when it fits. */
export function sizeProblem(
  bytes: number,
  limit = MAX_BROWSER_BUNDLE_BYTES,
  origin: Origin = 'local',
  known: 'declared' | 'read' = 'declared',
): TraceErrorInfo | null {
  if (bytes <= limit) return null;
  const amount = known === 'declared' ? formatBytes(bytes) : `more than ${formatBytes(bytes)}`;
  const stopped = known === 'declared' ? (origin === 'served' ? 'nothing was downloaded' : 'nothing was read') : 'reading stopped there';
  return {
    file: 'trace.jsonl',
    line: null,
    seq: null,
    message: `This bundle is too large for a browser tab: ${amount} of events and payloads, over the ${formatBytes(limit)} limit; ${stopped}.`,
    causes: [],
    advice: origin === 'served' ? [`${REDUCE}; run it where the bundle is served from`] : [SERVE, REDUCE],
  };
}

/**
 * The error for a bundle whose event log is over the tab's limit: the
 * reduced state grows with the log, so this is what a tab cannot hold,
 * however its payloads are read.
 */
export function logSizeProblem(bytes: number, limit: number, origin: Origin = 'local'): TraceErrorInfo | null {
  if (bytes <= limit) return null;
  return {
    file: 'trace.jsonl',
    line: null,
    seq: null,
    message: `This bundle's event log is too large for a browser tab to reduce: ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit; nothing was ${origin === 'served' ? 'downloaded' : 'read'}.`,
    causes: [],
    advice: origin === 'served' ? [`${REDUCE}; run it where the bundle is served from`] : [SERVE, REDUCE],
  };
}

/** The error for an archive or a served bundle that a reader stopped at its limit. */
export function limitProblem(e: SizeLimitError, origin: Origin | 'archive'): TraceErrorInfo {
  if (origin !== 'archive' && e.of === 'log') return logSizeProblem(e.bytes, e.limit, origin)!;
  if (origin !== 'archive') return sizeProblem(e.bytes, e.limit, origin, e.known)!;
  const amount = e.known === 'declared' ? `declares ${formatBytes(e.bytes)} of files` : `unpacks to more than ${formatBytes(e.bytes)}`;
  return {
    file: e.subject,
    line: null,
    seq: null,
    message: `${e.subject} ${amount}, over the ${formatBytes(e.limit)} a browser tab unpacks from one drop; ${e.known === 'declared' ? 'nothing was unpacked' : 'unpacking stopped there'}.`,
    causes: [],
    advice: ['Unpack it with your own tools and open the bundle folder you need from it', SERVE, REDUCE],
  };
}

/** Bytes of a plain bundle's event log before it is read (what MAX_DROPPED_LOG_BYTES is about). */
export function eventLogBytes(files: readonly InputFile[]): number {
  return files.find((f) => f.path === 'trace.jsonl')?.file.size ?? 0;
}

/** Bytes of a plain bundle's files before they are read (trace.jsonl and payloads, as the limit counts them). */
export function streamedBytes(files: readonly InputFile[]): number {
  let n = 0;
  for (const f of files) if (f.path !== 'manifest.json') n += f.file.size;
  return n;
}
