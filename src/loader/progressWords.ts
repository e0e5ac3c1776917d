/**
 * How a load's progress is put in words, for the app's progress bar
 * (LoadProgress.tsx) and for the one the page's first script shows before the
 * app has started (bootProgress.ts). Imports nothing heavy: the first script
 * carries it.
 */
import { formatBytes } from '../trace/format';
import { formatInt } from '../ui/format';
import type { LoadProgress } from '../store/types';

/** What the load is doing, before the bundle's name. */
export function progressLabel(p: LoadProgress | null): string {
  return p?.phase === 'server' ? 'Reducing on the server' : p?.phase === 'receiving' ? 'Receiving the reduced state of' : 'Loading';
}

/** Bytes done and the total (0 when unknown), done never past the total. */
function amounts(p: LoadProgress | null): { done: number; total: number } {
  const total = p?.bytesTotal ?? 0;
  return { done: Math.min(p?.bytesDone ?? 0, total || Infinity), total };
}

/** How far the load is, in words: files walked, bytes read or received, events replayed. */
export function progressFigures(p: LoadProgress | null): string {
  const { done, total } = amounts(p);
  if (!p) return 'reading files…';
  if (p.phase === 'walking') return `reading files… ${formatInt(p.filesDone ?? 0)} so far (${formatBytes(done)})`;
  if (p.phase === 'receiving') return `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''}`;
  return `${formatBytes(done)}${total ? ` of ${p.phase === 'reading' ? '≈' : ''}${formatBytes(total)}` : ''} · ${formatInt(p.eventsDone)} events`;
}

/** Percent done, or null while the total is unknown. */
export function progressPercent(p: LoadProgress | null): number | null {
  const { done, total } = amounts(p);
  return total > 0 ? Math.round((done / total) * 100) : null;
}
