/**
 * What a walk of a dropped folder reads as it goes. Chromium hands out a
 * dropped folder's entries and files one at a time: a trace root of 1,000
 * bundles (34,000 files) took 7–27 s before anything showed. Once a walk has
 * met two bundles, the drop is a root: it reads only what lists its bundles
 * (manifests) and what must be unpacked (archives), and does not enter a
 * bundle's payloads/ folder; the rest of a bundle is read when it is
 * summarised or opened. A single bundle is read as it is walked.
 */
import { archiveKind } from './scan';
import { basename, dirname } from './paths';

export class WalkPolicy {
  private readonly bundles = new Set<string>();

  /** Hears of every file the walk finds, before it is read. */
  found(path: string): void {
    if (basename(path) === 'manifest.json' && this.bundles.size < 2) this.bundles.add(dirname(path));
  }

  /** Whether to read `path` now; asked as late as the walk can, as a second bundle may have been met meanwhile. */
  readNow(path: string): boolean {
    return !this.isRoot() || basename(path) === 'manifest.json' || archiveKind(path) !== null;
  }

  /** Whether to enter folder `path` now; `siblings`: the names beside it (a bundle's payloads/ sits beside its manifest and event log). */
  enterNow(path: string, siblings: readonly string[]): boolean {
    return !this.isRoot() || basename(path) !== 'payloads' || !(siblings.includes('manifest.json') || siblings.includes('trace.jsonl'));
  }

  private isRoot(): boolean {
    return this.bundles.size >= 2;
  }
}
