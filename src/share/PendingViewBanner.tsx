/**
 * Shown while a link's view waits for its trace: the link names a bundle (by
 * content hash) that is neither loaded nor in this machine's recent bundles.
 * Dropping a bundle with that hash restores the view (the store applies the
 * pending view on finishLoad when the hash matches).
 */
import { useStore, viewFitsTrace } from '../store';
import { shortHash } from '../trace/bundle/hash';
import './share.css';

export function PendingViewBanner() {
  const pending = useStore((s) => s.pendingView);
  const loading = useStore((s) => s.load.phase === 'loading');
  const bundleHash = useStore((s) => s.bundleHash);
  const servedName = useStore((s) => s.servedName);
  const hashPending = useStore((s) => s.bundleHashPending);
  const hasState = useStore((s) => s.state !== null);
  const dismiss = useStore((s) => s.dismissPendingView);
  const ref = pending?.trace;
  // Until the shown bundle's hash is known, it may yet be the one the link names.
  if (!pending || !ref || loading || hashPending || (!ref.hash && !ref.name)) return null;
  if (hasState && viewFitsTrace(ref, { bundleHash, servedName })) return null;
  const name = ref.label ?? ref.name ?? 'bundle';
  return (
    <div className="pending-view" role="status" data-testid="pending-view">
      <span className="pending-view-icon" aria-hidden="true">
        ⇪
      </span>
      <div className="pending-view-text">
        <strong>
          Drop the bundle this link calls{' '}
          <span className="mono pending-view-label" title="This name comes from the link, not from this machine">
            “{name}”
          </span>
          {ref.hash && (
            <>
              {' '}
              (
              <span className="mono" title={ref.hash}>
                {shortHash(ref.hash)}
              </span>
              )
            </>
          )}{' '}
          to continue
        </strong>
        <span className="dim">
          This link shows a view of that bundle, which is not open{hasState ? '' : ' and not among the bundles recently opened on this machine'}. Drop the
          bundle folder or its archive anywhere in this window; the linked selection and time window are restored when it arrives.
        </span>
      </div>
      <button type="button" className="ctv-btn ctv-btn--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
