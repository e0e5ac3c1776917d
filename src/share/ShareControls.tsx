/** Header controls: "Copy link" and "Export HTML", with a small status line. */
import { useEffect } from 'react';
import { copyShareLink, exportCurrentView, useShareNotice } from './actions';
import './share.css';

export function ShareControls() {
  return (
    <div className="share-controls" role="group" aria-label="Share">
      <button type="button" className="ctv-btn" data-testid="copy-link" title="Copy a link to this view  ( c )" onClick={() => void copyShareLink()}>
        Copy link
      </button>
      <button
        type="button"
        className="ctv-btn"
        data-testid="export-html"
        title="Download one HTML file with the viewer, this trace and this view; it opens offline"
        onClick={() => void exportCurrentView()}
      >
        Export HTML
      </button>
    </div>
  );
}

/** The status of the last share action (fades after a few seconds). */
export function ShareNoticeLine() {
  const notice = useShareNotice((s) => s.notice);
  const show = useShareNotice((s) => s.show);
  useEffect(() => {
    if (!notice || notice.tone === 'busy') return;
    const t = setTimeout(() => show(null), notice.tone === 'error' ? 15_000 : 3_500);
    return () => clearTimeout(t);
  }, [notice, show]);
  if (!notice) return null;
  return (
    <div className={`share-notice share-notice-${notice.tone}`} role="status" data-testid="share-notice">
      <span>{notice.text}</span>
      {notice.link && (
        <input
          className="share-link mono"
          readOnly
          value={notice.link}
          aria-label="Link to this view"
          data-testid="share-link"
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
      <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => show(null)}>
        ✕
      </button>
    </div>
  );
}
