/**
 * Answers the page's questions about the recent-bundles cache (./recent.ts).
 * Apart from the loaded bundle's modules: the welcome page asks as it starts.
 */
import { errorInfo, type WorkerSession } from './session';

/** The recent-bundles list, after forgetting one (or all, null) when `forget` is given. */
export async function recentBundles(s: WorkerSession, id: number, forget?: string | null): Promise<void> {
  const store = s.recent();
  try {
    if (forget !== undefined) await store?.forget(forget);
    s.post({ type: 'recent', id, bundles: store ? await store.list() : [] });
  } catch (e) {
    s.post({ type: 'error', id, error: errorInfo('', 'The recent-bundles cache is not available.', e) });
  }
}
