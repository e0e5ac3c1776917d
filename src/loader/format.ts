export function formatStart(ms: number | null): string {
  if (ms === null) return 'unknown start';
  const d = new Date(ms);
  return Number.isNaN(d.getTime())
    ? String(ms)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}
