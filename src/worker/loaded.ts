/** Requests answered from the loaded bundle (payload bodies, search, export) and from the recent-bundles cache. */
import { zipSync } from 'fflate';
import { payloadLocation } from '../trace/bundle/payloads';
import { normalizePath } from '../trace/bundle/paths';
import { MemorySource } from '../trace/bundle/source';
import { FetchSource, openHttpBundle } from '../trace/bundle/fetch';
import { stateBytesHome } from '../trace/bundle/served-state';
import { SearchIndex } from './search';
import { errorInfo, type WorkerSession } from './session';

export async function readPayload(s: WorkerSession, id: number, rawPath: string): Promise<void> {
  const { loaded, post } = s;
  if (!loaded) {
    post({ type: 'error', id, error: errorInfo(rawPath, 'No trace is loaded.') });
    return;
  }
  // Accept a payload id (raw_payload:N) as well as a payload file's path.
  const ref = Object.hasOwn(loaded.state.raw_payloads, rawPath) ? loaded.state.raw_payloads[rawPath] : undefined;
  let text: string;
  let path: string;
  if (ref) {
    path = payloadLocation(ref);
    const read = await loaded.payloads.read(ref);
    if ('problem' in read) {
      post({ type: 'error', id, error: errorInfo(read.problem.file, `${read.problem.message} (the recorder may have failed to write it).`) });
      return;
    }
    text = read.body.text();
  } else {
    const p = normalizePath(rawPath);
    if (!p) {
      post({ type: 'error', id, error: errorInfo(rawPath, `"${rawPath}" is not a path inside the bundle.`) });
      return;
    }
    path = p;
    const t = await loaded.source.readText(p);
    if (t === null) {
      post({ type: 'error', id, error: errorInfo(p, `${p} is not in the bundle (the recorder may have failed to write it).`) });
      return;
    }
    text = t;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    post({ type: 'error', id, error: errorInfo(path, `${path} is not valid JSON.`, e) });
    return;
  }
  post({ type: 'payload', id, path, data });
}

/** The loaded bundle (manifest, trace, payloads) as a deflated zip, files at its root (opened with the label it was exported under). */
export async function exportBundle(s: WorkerSession, id: number): Promise<void> {
  const { loaded, post } = s;
  if (!loaded) {
    post({ type: 'error', id, error: errorInfo('', 'No trace is loaded.') });
    return;
  }
  let src = loaded.source;
  if (loaded.readFromFiles) {
    post({
      type: 'error',
      id,
      error: errorInfo(
        '',
        'This bundle is too large for a browser tab to hold, so it was read from its files as it was reduced, and a file holding the whole bundle would be too large as well. Share the bundle folder itself instead, or a link to this view.',
      ),
    });
    return;
  }
  if (loaded.servedReduction) {
    // Reduced by the server, so the tab holds none of the bundle's files: fetched now, if a tab could have held them.
    const whole = src instanceof FetchSource ? await openHttpBundle(src.name, src.baseUrl, s.fetch, undefined, s.tarLimits).catch(() => null) : null;
    if (!(whole instanceof MemorySource)) {
      post({
        type: 'error',
        id,
        error: errorInfo(
          '',
          'This trace was reduced by the server because it is too large for a browser tab, and a file holding the whole bundle would be too. Share the bundle folder the server was given instead, or a link to this view.',
        ),
      });
      return;
    }
    src = whole;
  }
  const paths =
    src instanceof MemorySource
      ? [...src.paths()].filter((p) => p === 'manifest.json' || p === 'trace.jsonl' || p.startsWith('payloads/'))
      : ['manifest.json', 'trace.jsonl', ...loaded.payloads.files(Object.values(loaded.state.raw_payloads))];
  const dir = (src.name || 'bundle').replace(/[\\/:*?"<>|]+/g, '_');
  const entries: Record<string, Uint8Array> = {};
  const enc = new TextEncoder();
  for (const p of new Set(paths)) {
    const body = src instanceof MemorySource ? src.fileMap().get(p) : await src.readBytes(p);
    if (body === undefined || body === null) continue;
    entries[p] = typeof body === 'string' ? enc.encode(body) : body instanceof Uint8Array ? body : new Uint8Array(await body.arrayBuffer());
  }
  const zip = zipSync(entries, { level: 6 });
  post({ type: 'exported', id, name: dir, zip });
}

export async function search(s: WorkerSession, id: number, query: string, limit: number): Promise<void> {
  const { loaded, post } = s;
  if (!loaded) {
    post({ type: 'searchResult', id, hits: [] });
    return;
  }
  // Every field is read: a served state's text must be back from the page first.
  await stateBytesHome(loaded.state);
  loaded.index ??= new SearchIndex(loaded.state);
  post({ type: 'searchResult', id, hits: loaded.index.search(query, limit) });
}
