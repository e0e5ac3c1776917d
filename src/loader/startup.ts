/**
 * What to open at startup: `?trace=<name>` names a bundle served under
 * /bundles/<name>/. Without it, a share link's view (`#view=`) may name a
 * dropped bundle by content hash: it is reopened from the recent-bundles cache
 * when it is there, else nothing is loaded and the app asks for the bundle
 * (src/share/PendingViewBanner.tsx). Otherwise the first bundle listed in
 * /bundles/index.json (written by `codex-trace-viewer serve` and `npm run dev`).
 * Served by anything else, there is no index and the app starts empty.
 */
import { z } from 'zod';
import { readViewStateFromHash } from '../store/viewState';
import { traceClient, type LoadOutcome } from '../worker/client';

export const BundleIndexSchema = z.array(z.object({ name: z.string().min(1), manifest: z.unknown() }).loose());

export async function loadStartupBundle(
  client: Pick<typeof traceClient, 'loadUrl' | 'loadCached' | 'listRecent'> = traceClient,
  search: string = window.location.search,
  baseURI: string = document.baseURI,
  hash: string = window.location.hash,
): Promise<LoadOutcome | 'none' | 'waiting'> {
  const requested = new URLSearchParams(search).get('trace');
  if (requested) return client.loadUrl(requested);
  const ref = readViewStateFromHash(hash)?.trace;
  if (ref?.name) return client.loadUrl(ref.name);
  if (ref?.hash) {
    const recent = await client.listRecent().catch(() => []);
    const hit = recent.find((b) => b.hash === ref.hash);
    // Not on this machine: the pending view waits for the bundle to be dropped.
    return hit ? client.loadCached(hit.hash, hit.name) : 'waiting';
  }
  let list: z.infer<typeof BundleIndexSchema>;
  try {
    const res = await fetch(new URL('bundles/index.json', baseURI), { headers: { accept: 'application/json' } });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return 'none';
    list = BundleIndexSchema.parse(await res.json());
  } catch {
    return 'none';
  }
  return list.length ? client.loadUrl(list[0].name) : 'none';
}
