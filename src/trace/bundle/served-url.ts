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

/** The whole bundle as one tar (src/cli/bundle-tar.ts), from its directory's URL. */
export function servedTarUrl(bundleUrl: string): string {
  return new URL('?pack=tar', bundleUrl.endsWith('/') ? bundleUrl : `${bundleUrl}/`).href;
}

/** The fragment parameter of the worker's URL that names a bundle tar to fetch at once (src/worker/prefetch.ts). */
export const PREFETCH_PARAM = 'prefetch';
