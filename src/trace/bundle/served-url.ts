/**
 * Where `codex-trace-viewer serve` serves a bundle (src/cli/router.ts): the
 * page's first script asks for it before anything else loads, so this module
 * imports nothing.
 */

/** Bundle `name`'s directory: /bundles/<name>/, each part of the name escaped. */
export function servedBundleUrl(name: string, base: string): string {
  return new URL(`bundles/${escapedPath(name)}/`, base).href;
}

/** File `path` of the bundle served at `bundleUrl` (its directory's URL, with the closing slash). */
export function servedFileUrl(bundleUrl: string, path: string): string {
  return new URL(escapedPath(path), bundleUrl).href;
}

/** Each part of a slash-separated path escaped, the slashes kept. */
function escapedPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The query that asks `serve` for a bundle's reduced state (src/cli/served-states.ts); as a tar request's `or`, it allows that state as the answer. */
export const SERVED_STATE_QUERY = 'reduced';

/** A bundle directory's URL with its closing slash, so that relative URLs resolve inside it. */
export const bundleDirUrl = (bundleUrl: string): string => (bundleUrl.endsWith('/') ? bundleUrl : `${bundleUrl}/`);

/**
 * The whole bundle as one tar (src/cli/bundle-tar.ts), from its directory's
 * URL; with `orState`, the server answers with the bundle's reduced state
 * instead when it holds it (src/trace/bundle/served-choice.ts).
 */
export function servedTarUrl(bundleUrl: string, orState = false): string {
  return new URL(orState ? `?pack=tar&or=${SERVED_STATE_QUERY}` : '?pack=tar', bundleDirUrl(bundleUrl)).href;
}

/** The bundle's state as `serve` reduced it, from its directory's URL. */
export function servedStateUrl(bundleUrl: string): string {
  return new URL(`?${SERVED_STATE_QUERY}`, bundleDirUrl(bundleUrl)).href;
}

const LOAD_NAME = 'trace load=';

/** A served bundle a trace worker loads as soon as it starts: its label and its directory's URL. */
export interface NamedLoad {
  readonly label: string;
  readonly baseUrl: string;
}

/**
 * The trace worker's name (its `name` option): `trace`, and on a served
 * `?trace=` page the bundle it loads as soon as it starts (src/worker/prefetch.ts).
 * Not a fragment of its URL: the worker's chunks import its entry module by
 * that URL, and a fragment would make the entry a second module, run twice.
 */
export function traceWorkerName(load: NamedLoad | null): string {
  // encodeURIComponent leaves no space: one parts the two.
  return load === null ? 'trace' : `${LOAD_NAME}${encodeURIComponent(load.label)} ${encodeURIComponent(load.baseUrl)}`;
}

/** The load a trace worker's name tells it to start, or null. */
export function loadOfWorkerName(name: string): NamedLoad | null {
  if (!name.startsWith(LOAD_NAME)) return null;
  const parts = name.slice(LOAD_NAME.length).split(' ');
  if (parts.length !== 2) return null;
  try {
    return { label: decodeURIComponent(parts[0]), baseUrl: decodeURIComponent(parts[1]) };
  } catch {
    return null;
  }
}
