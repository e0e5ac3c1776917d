/**
 * How much a browser tab is asked to hold. A bundle's trace.jsonl plus
 * payloads above MAX_BROWSER_BUNDLE_BYTES is refused up front with a clear
 * message instead of risking a tab that runs out of memory: the reduced state
 * of a bundle, its JSON copy for the hop to the page and the page's indexes
 * take several times the bundle's size (see `npm run bench:memory`).
 */
import type { TraceErrorInfo } from '../trace/errors';
import { formatBytes } from '../trace/format';

export const MAX_BROWSER_BUNDLE_BYTES = 192 * 1024 * 1024;

/** The error shown for a bundle over the limit, or null when it fits. */
export function sizeProblem(bytes: number, limit = MAX_BROWSER_BUNDLE_BYTES): TraceErrorInfo | null {
  if (bytes <= limit) return null;
  return {
    file: 'trace.jsonl',
    line: null,
    seq: null,
    message: `This bundle is too large for this browser (${formatBytes(bytes)} of events and payloads; the limit is ${formatBytes(limit)}): use \`reduce\` or \`serve\``,
    causes: [
      'codex-trace-viewer reduce <bundle> writes the reduced state.json without a browser',
      'codex-trace-viewer serve <bundle> opens it from the command line',
    ],
  };
}
