/**
 * What to open at startup: `?trace=<name>` names a bundle served under
 * /bundles/<name>/; without it, the first bundle listed in /bundles/index.json
 * (written by `codex-trace-viewer serve`). When the app is not served by the
 * CLI (e.g. `vite dev`), there is no index and the app starts empty.
 */
import { z } from 'zod';
import { traceClient, type LoadOutcome } from '../worker/client';

export const BundleIndexSchema = z.array(z.object({ name: z.string().min(1), manifest: z.unknown() }).loose());

export async function loadStartupBundle(
  client: Pick<typeof traceClient, 'loadUrl'> = traceClient,
  search: string = window.location.search,
  baseURI: string = document.baseURI,
): Promise<LoadOutcome | 'none'> {
  const requested = new URLSearchParams(search).get('trace');
  if (requested) return client.loadUrl(requested);
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
