/**
 * What to open at startup: `?trace=<name>` names a bundle served under
 * /bundles/<name>/. Without it, a share link's view (`#view=`) may name a
 * dropped bundle by content hash: it is reopened from the recent-bundles cache
 * when it is there, else nothing is loaded and the app asks for the bundle
 * (src/share/PendingViewBanner.tsx). Otherwise the bundles listed in
 * /bundles/index.json (written by `codex-trace-viewer serve` and `npm run dev`): one opens at
 * once, several are listed to choose from (`?sessions` asks for the list
 * whatever their number). Either way the served list is kept
 * (closed), so that the header offers a way back to it. When the app is not
 * served by the CLI (e.g. `vite dev`), there is no index and the app starts empty.
 */
import { z } from 'zod';
import { ManifestSchema } from '../trace/schema/manifest';
import { groupByRollout } from '../trace/bundle/scan';
import { readViewStateFromHash } from '../store/viewState';
import { traceClient, type LoadOutcome } from '../worker/client';
import { usePickerStore, type BundleInfo } from './pickerStore';

export const BundleIndexSchema = z.array(z.object({ name: z.string().min(1), manifest: z.unknown() }).loose());
export type BundleIndex = z.infer<typeof BundleIndexSchema>;

/** The served bundles, or null when the page is not served by `codex-trace-viewer serve`. */
export async function fetchServedIndex(baseURI: string = document.baseURI): Promise<BundleIndex | null> {
  try {
    const res = await fetch(new URL('bundles/index.json', baseURI), { headers: { accept: 'application/json' } });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return null;
    return BundleIndexSchema.parse(await res.json());
  } catch {
    return null;
  }
}

/** The served index as the bundle list shows it: grouped by rollout, ordered by start. */
export function servedBundles(index: BundleIndex): BundleInfo[] {
  return index.map(({ name, manifest: raw }) => {
    const m = ManifestSchema.safeParse(raw);
    const manifest = m.success ? m.data : null;
    return {
      key: name,
      name,
      rolloutId: manifest?.rollout_id ?? null,
      traceId: manifest?.trace_id ?? null,
      startedAtUnixMs: manifest?.started_at_unix_ms ?? null,
      schemaVersion: manifest?.schema_version ?? null,
      sizeBytes: null,
      problem: manifest ? null : { file: `${name}/manifest.json`, line: null, seq: null, message: 'manifest.json is missing or unreadable.', causes: [] },
    };
  });
}

/** Keeps the served list in the picker (shown when `open`), unless a dropped folder's list is there. */
export function showServedList(index: BundleIndex, open: boolean): void {
  const cur = usePickerStore.getState();
  if (cur.source === 'scan') return;
  usePickerStore.setState({ source: 'served', scanId: null, label: 'This server', groups: groupByRollout(servedBundles(index)), open });
}

export async function loadStartupBundle(
  client: Pick<typeof traceClient, 'loadUrl' | 'loadCached' | 'listRecent'> = traceClient,
  search: string = window.location.search,
  baseURI: string = document.baseURI,
  hash: string = window.location.hash,
): Promise<LoadOutcome | 'none' | 'waiting'> {
  const index = fetchServedIndex(baseURI);
  // A trace named by the URL opens at once; the served list arrives beside it, closed.
  const keepList = () => void index.then((list) => list && list.length > 1 && showServedList(list, false));
  const requested = new URLSearchParams(search).get('trace');
  if (requested) {
    keepList();
    return client.loadUrl(requested);
  }
  const ref = readViewStateFromHash(hash)?.trace;
  if (ref?.name) {
    keepList();
    return client.loadUrl(ref.name);
  }
  if (ref?.hash) {
    keepList();
    const recent = await client.listRecent().catch(() => []);
    const hit = recent.find((b) => b.hash === ref.hash);
    // Not on this machine: the pending view waits for the bundle to be dropped.
    return hit ? client.loadCached(hit.hash, hit.name) : 'waiting';
  }
  const list = await index;
  if (!list || list.length === 0) return 'none';
  // A link to the session list (`?sessions`) opens on it, even for one bundle.
  if (new URLSearchParams(search).has('sessions')) {
    showServedList(list, true);
    return 'picking';
  }
  if (list.length === 1) return client.loadUrl(list[0].name);
  showServedList(list, true);
  return 'picking';
}
