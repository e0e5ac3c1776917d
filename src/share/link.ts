/**
 * Share links: `<page>?trace=<served name>#view=<json>`. The view (v2, see
 * src/store/viewState.ts) names the trace by served name and content hash, so
 * the link reopens the trace from `serve`, from the recent-bundles cache, or
 * asks for the bundle to be dropped.
 */
import { writeViewStateToHash, type ViewState } from '../store/viewState';

export interface LocationLike {
  protocol: string;
  origin: string;
  pathname: string;
  search: string;
  href: string;
}

/** The link that reopens `vs` from the page at `loc`. */
export function shareLink(vs: ViewState, loc: LocationLike): string {
  const params = new URLSearchParams(loc.search);
  if (vs.trace?.name) params.set('trace', vs.trace.name);
  else params.delete('trace');
  const query = params.toString();
  const base = loc.protocol === 'file:' ? loc.href.replace(/[?#].*$/, '') : `${loc.origin}${loc.pathname}`;
  return `${base}${query ? `?${query}` : ''}${writeViewStateToHash('', vs)}`;
}

/** Copies text to the clipboard; falls back to a hidden textarea + execCommand where the async API is refused. */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through
  }
  const ta = doc.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  doc.body.appendChild(ta);
  ta.select();
  let ok: boolean;
  try {
    ok = doc.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}
