import { describe, expect, it } from 'vitest';
import { MAX_BROWSER_BUNDLE_BYTES, sizeProblem } from '../src/worker/limits';
import { formatTraceError } from '../src/trace/errors';

describe('bundle size limit in the browser', () => {
  it('a 200 MB bundle gets a clear message naming the limit and reduce; the 87 MB long-1000 bundle fits', () => {
    expect(sizeProblem(87 * 1024 * 1024)).toBeNull();
    expect(sizeProblem(MAX_BROWSER_BUNDLE_BYTES)).toBeNull();
    const e = sizeProblem(200 * 1024 * 1024)!;
    expect(e.message).toBe('This bundle is too large for a browser tab: 200 MiB of events and payloads, over the 192 MiB limit; nothing was read.');
    expect(formatTraceError(e)).toContain('codex-trace-viewer reduce <bundle>');
    // A served bundle: serve cannot help (it is already served), and reduce runs where the bundle is.
    const served = sizeProblem(200 * 1024 * 1024, MAX_BROWSER_BUNDLE_BYTES, 'served')!;
    expect(served.message).toContain('nothing was downloaded');
    expect(formatTraceError(served)).not.toContain('serve <bundle>');
    expect(formatTraceError(served)).toContain('where the bundle is served from');
  });
});
