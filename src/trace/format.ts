/** Sizes as every message and view of the viewer writes them. */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A byte count in binary units, named as such (`512 B`, `1.5 KiB`, `200 MiB`):
 * one decimal below 100, none from there on.
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[i]}`;
}
