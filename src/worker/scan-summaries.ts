/**
 * The session list of a dropped or picked trace root: every bundle of the
 * scan reduced and summarised here, one after another, each summary posted
 * as it is made, so the page's list fills in as `serve`'s does; its search
 * documents are kept for search across the sessions (./session-search.ts),
 * where `serve` indexes them. Stops when the scan is replaced or the request
 * cancelled; `skip` names the bundles the page already has (a list reopened
 * after a pick).
 */
import { ownBytes, type BundleInfo } from '../trace/bundle/scan';
import { withBlobReadAhead } from '../trace/bundle/blob-read-ahead';
import { readBlobsInto, type FileBody } from '../trace/bundle/source';
import { reduceBundle } from '../trace/reducer';
import { failedSummary, summarizeSession } from '../trace/sessions/summary';
import { searchDocuments, type SearchDocument } from '../trace/sessions/documents';
import type { WorkerSession } from './session';

/** A bundle up to this size is read whole before it is summarised. */
const HOLD_WHOLE_BYTES = 64 << 20;

export async function summarizeScan(s: WorkerSession, id: number, scanId: number, skip: ReadonlySet<string>, signal: AbortSignal): Promise<void> {
  const scan = s.scan?.id === scanId ? s.scan.value : null;
  if (!scan) {
    s.post({ type: 'scanSummary', id, key: '', summary: null, done: true });
    return;
  }
  // Newest first: the session a user just recorded is the one they look for.
  const bundles = scan.bundles.filter((b) => !skip.has(b.key)).sort((a, b) => (b.startedAtUnixMs ?? 0) - (a.startedAtUnixMs ?? 0));
  // A dropped root's files not yet read are asked of the page a bundle ahead: reading them overlaps the reduction before.
  const readOf = (b: BundleInfo | undefined) => {
    if (!b || b.problem || !scan.unread) return null;
    const read = scan.unread.read(b.key, signal).then(async (files) => {
      // Their bytes too, a group at a time, unless the bundle is too large to hold (then the reducer reads as it goes).
      const bodies = new Map<string, FileBody>(files);
      let bytes = 0;
      for (const f of files.values()) bytes += f.size;
      if (bytes <= HOLD_WHOLE_BYTES) await readBlobsInto(bodies, files.keys(), signal);
      return bodies;
    });
    read.catch(() => {}); // surfaces when its bundle's turn comes
    return read;
  };
  const keys = scan.bundles.map((b) => b.key);
  let next = readOf(bundles[0]);
  for (let i = 0; i < bundles.length; i++) {
    const b = bundles[i];
    const reading = next;
    // Asked for now: the page reads them while this one is reduced (a deeper queue was no sooner: both share this thread).
    next = readOf(bundles[i + 1]);
    // A pick or a new drop in between goes first (it is another job); a replaced scan ends the list.
    do await new Promise((r) => setTimeout(r, s.jobs.size > 1 ? 50 : 0));
    while (s.jobs.size > 1 && !signal.aborted);
    if (signal.aborted || s.scan?.value !== scan) return;
    let summary;
    let sizeBytes = b.sizeBytes;
    let docs: SearchDocument[] = [];
    if (b.problem) summary = failedSummary(b.problem.message);
    else {
      try {
        const read = (await reading) ?? undefined;
        const source = scan.sourceOf(b.key, b.name, read);
        sizeBytes ??= ownBytes(source, b.key, keys);
        // Each dropped file is a round trip to the browser's process: read a group at a time up front, unless the bundle
        // is too large to hold; then a group at a time ahead of the reducer, each body let go once read.
        const hold = sizeBytes <= HOLD_WHOLE_BYTES;
        if (hold) await source.materialize(source.paths(), signal);
        const result = await reduceBundle(hold ? source : withBlobReadAhead(source, { signal, read: s.readBlobs }), { unknownEvents: 'skip', signal });
        summary = summarizeSession(result);
        docs = result.state ? searchDocuments(result.state) : [];
      } catch (e) {
        if (signal.aborted) return;
        summary = failedSummary(`Could not summarise this bundle: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    if (signal.aborted) return;
    // Kept before the summary goes: the page asks again when its count of summarised bundles grows, and must find them.
    scan.documents.keep(b.key, docs);
    s.post({ type: 'scanSummary', id, key: b.key, summary, sizeBytes, done: false });
  }
  s.post({ type: 'scanSummary', id, key: '', summary: null, done: true });
}
