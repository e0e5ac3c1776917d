/**
 * Shown when a link (or a hand-edited `#view=`) named things the loaded trace
 * does not have: a thread, a selection, a thread filter, a call pair. They
 * were ignored (the view falls back to the trace's defaults) and this says so.
 */
import { useStore } from '../store';
import './share.css';

export function ViewNoticeBanner() {
  const notice = useStore((s) => s.viewNotice);
  const dismiss = useStore((s) => s.dismissViewNotice);
  if (!notice) return null;
  return (
    <div className="pending-view view-notice" role="status" data-testid="view-notice">
      <span className="pending-view-icon" aria-hidden="true">
        !
      </span>
      <div className="pending-view-text">
        <strong>Part of this link’s view is not in this trace</strong>
        <span className="dim">Ignored: {shown(notice.ignored)}. The rest of the view is shown.</span>
      </div>
      <button type="button" className="ctv-btn ctv-btn--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** What a link named is the link author's text: a few of them, each cut short, so a long link cannot fill the page. */
function shown(ignored: readonly string[]): string {
  const cut = (t: string) => (t.length > 80 ? `${t.slice(0, 80)}…` : t);
  const first = ignored.slice(0, 5).map(cut).join('; ');
  return ignored.length > 5 ? `${first}; and ${ignored.length - 5} more` : first;
}
