import { expect } from 'vitest';

/** The first differing line, rather than a megabyte string diff. */
export function expectSameText(ours: string, official: string): void {
  if (ours !== official) {
    const a = ours.split('\n');
    const b = official.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    expect({ line: i + 1, ours: a[i] }).toEqual({ line: i + 1, ours: b[i] });
  }
  expect(ours).toBe(official);
}
