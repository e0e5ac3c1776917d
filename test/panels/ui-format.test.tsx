import { describe, expect, it } from 'vitest';
import { encodedByteLength, formatDuration, formatRelative } from '../../src/ui/format';
import { clipPoint } from '../../src/ui/TruncatedText';

describe('formatting', () => {
  it('formats durations at a readable precision', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(412)).toBe('412 ms');
    expect(formatDuration(1240)).toBe('1.24 s');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(187_000)).toBe('3m 07s');
    expect(formatDuration(7_500_000)).toBe('2h 05m');
    expect(formatDuration(null)).toBe('—');
  });

  it('formats offsets from the trace start', () => {
    expect(formatRelative(1038, 1000)).toBe('+38 ms');
    expect(formatRelative(3500, 1000)).toBe('+2.500 s');
    expect(formatRelative(990, 1000)).toBe('−10 ms');
  });

  it('sizes encrypted blobs by their decoded bytes when base64', () => {
    expect(encodedByteLength('bW9jayBjb21wYWN0aW9uIHN1bW1hcnkgIzI=')).toBe('mock compaction summary #2'.length);
    expect(encodedByteLength('not base64 at all!')).toBe(18);
  });

  it('clips long text by characters and by lines', () => {
    expect(clipPoint('short', 100, 5)).toBe(5);
    expect(clipPoint('x'.repeat(500), 100, 5)).toBe(100);
    const lines = ['a', 'b', 'c', 'd', 'e', 'f'].join('\n');
    expect(lines.slice(0, clipPoint(lines, 100, 3))).toBe('a\nb\nc');
  });
});
