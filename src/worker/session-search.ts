/**
 * Search across the sessions of a dropped root: no index here, so the
 * documents kept while the bundles were summarised (./scan-summaries.ts) are
 * scanned, in slices so that the worker goes on taking messages (a cancel,
 * a pick, the next query) while it runs. The answer has the shape of
 * `serve`'s /bundles/search, so the page shows both alike.
 */
import { compileQuery, searchBundles } from '../trace/sessions/match';
import type { SearchResult } from '../trace/sessions/list';
import type { WorkerSession } from './session';
import { nextTask, timeSlicer } from './slicing';

export async function searchSessions(s: WorkerSession, id: number, query: string, signal: AbortSignal): Promise<void> {
  const scan = s.scan?.value;
  if (!scan) {
    const result: SearchResult = {
      available: false,
      message: 'The dropped folder is no longer open here: drop it again to search its sessions.',
      indexed: 0,
      total: 0,
      groups: [],
    };
    s.post({ type: 'sessionSearch', id, result });
    return;
  }
  const kept = scan.documents;
  const counts = { indexed: kept.seen, total: scan.bundles.length, unsearchable: kept.unsearchable };
  const q = compileQuery(query);
  let groups: SearchResult['groups'] = [];
  if (q) {
    // Behind queued messages, not ahead of them (scheduler.yield would be): a cancel must get in between slices.
    const slicer = timeSlicer(undefined, nextTask);
    const steps = searchBundles(q, kept.searchable());
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) {
        groups = r.value;
        break;
      }
      await slicer.maybeYield();
      signal.throwIfAborted();
    }
  }
  s.post({ type: 'sessionSearch', id, result: { available: true, message: null, ...counts, groups } });
}
