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
        <span className="dim">
          Ignored: {notice.ignored.join('; ')}. The rest of the view is shown.
        </span>
      </div>
      <button type="button" className="ctv-btn ctv-btn--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
