import { describe, expect, it } from 'vitest';
import { MAX_BROWSER_BUNDLE_BYTES, sizeProblem } from '../src/worker/limits';
import { formatTraceError } from '../src/trace/errors';

describe('bundle size limit in the browser', () => {
  it('a 200 MB bundle gets a clear message naming reduce and serve; the 87 MB long-1000 bundle fits', () => {
    expect(sizeProblem(87 * 1024 * 1024)).toBeNull();
    expect(sizeProblem(MAX_BROWSER_BUNDLE_BYTES)).toBeNull();
    const e = sizeProblem(200 * 1024 * 1024)!;
    expect(e.message).toMatch(/too large for this browser \(200 MiB.*limit is 192 MiB\): use `reduce` or `serve`/);
    expect(formatTraceError(e)).toContain('codex-trace-viewer serve <bundle>');
  });
});
