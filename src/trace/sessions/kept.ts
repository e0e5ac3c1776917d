/**
 * The search documents of a dropped root's bundles, kept in memory where
 * there is no index to write them to (the worker), up to a budget: a root of
 * a thousand sessions can hold gigabytes of terminal output, and a tab that
 * kept it all would be killed. Bundles are kept in the order they come
 * (newest first, as the worker summarises them) until the budget is spent;
 * the rest are counted as not searchable. Pure.
 */
import { MAX_BODY, type SearchDocument } from './documents';
import type { BundleDocuments } from './match';

/** Characters of text kept across a root: 256 MiB for text that is mostly ASCII (a byte a character in the engine). */
export const MAX_KEPT_TEXT = 256 * 1024 * 1024;

const size = (d: SearchDocument) => d.ref.length + (d.threadId?.length ?? 0) + d.title.length + d.ids.length + d.body.length;

/**
 * A copy of `s` that holds nothing else: a cut piece of a longer string (a
 * title cut from a long command, a body cut to MAX_BODY from megabytes of
 * output) may be kept by the engine as a view that keeps the whole alive.
 */
const unshared = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

export class KeptDocuments {
  /** Every bundle seen, in order: its documents, or null when they did not fit. */
  private readonly bundles = new Map<string, readonly SearchDocument[] | null>();
  private chars = 0;

  constructor(readonly maxChars = MAX_KEPT_TEXT) {}

  /** Keeps (or replaces) a bundle's documents; false when they do not fit in what is left of the budget. */
  keep(name: string, docs: readonly SearchDocument[]): boolean {
    const before = this.bundles.get(name);
    if (before) this.chars -= before.reduce((n, d) => n + size(d), 0);
    // Map order is first insertion: a replaced bundle keeps its place.
    const need = docs.reduce((n, d) => n + size(d), 0);
    if (this.chars + need > this.maxChars) {
      this.bundles.set(name, null);
      return false;
    }
    this.chars += need;
    this.bundles.set(
      name,
      docs.map((d) => ({ ...d, title: unshared(d.title), body: d.body.length >= MAX_BODY ? unshared(d.body) : d.body })),
    );
    return true;
  }

  /** Bundles seen, kept or not. */
  get seen(): number {
    return this.bundles.size;
  }

  /** Bundles seen whose documents did not fit. */
  get unsearchable(): number {
    let n = 0;
    for (const docs of this.bundles.values()) if (!docs) n++;
    return n;
  }

  /** Characters kept. */
  get size(): number {
    return this.chars;
  }

  /** The kept bundles as they stand now (later additions do not change the list returned). */
  searchable(): BundleDocuments[] {
    const out: BundleDocuments[] = [];
    for (const [name, docs] of this.bundles) if (docs) out.push({ name, docs });
    return out;
  }
}
