/**
 * Bundles recently opened on this machine (kept in IndexedDB by the worker so
 * that share links to dropped bundles reopen): open one again, forget one, or
 * forget them all.
 */
import { useCallback, useEffect, useState } from 'react';
import { useStore } from '../store';
import { shortHash } from '../trace/bundle/hash';
import { traceClient, type RecentBundle } from '../worker/client';
import { RECENT_MAX_BUNDLES, RECENT_MAX_BYTES } from '../worker/recent';
import { formatBytes } from '../ui/format';
import './share.css';

export function RecentBundles() {
  const [list, setList] = useState<RecentBundle[] | null>(null);
  const loadSeq = useStore((s) => s.loadSeq);
  // Not while a trace opens: the worker's first look into IndexedDB took it 75 ms of a served trace's start-up.
  const loading = useStore((s) => s.load.phase === 'loading');
  const refresh = useCallback(() => {
    traceClient.listRecent().then(setList, () => setList([]));
  }, []);
  useEffect(() => {
    if (!loading) refresh();
  }, [refresh, loadSeq, loading]);
  const forget = (hash: string | null) => {
    traceClient.forgetRecent(hash).then(setList, () => refresh());
  };
  if (!list || list.length === 0) return null;
  return (
    <section className="recent-bundles" data-testid="recent-bundles" aria-label="Recent bundles">
      <div className="recent-head">
        <h2>Recent bundles</h2>
        <span className="faint">
          kept in this browser only · last {RECENT_MAX_BUNDLES} or {formatBytes(RECENT_MAX_BYTES)}
        </span>
        <button type="button" className="ctv-btn ctv-btn--small" data-testid="forget-recent" onClick={() => forget(null)}>
          Forget all
        </button>
      </div>
      <ul>
        {list.map((b) => (
          <li key={b.hash} data-testid="recent-bundle">
            <button type="button" className="recent-open" title={`Open ${b.name} again`} onClick={() => void traceClient.loadCached(b.hash, b.name)}>
              <span className="recent-name">{b.name}</span>
              <span className="mono faint" title={b.hash}>
                {shortHash(b.hash)}
              </span>
              <span className="faint">{formatBytes(b.sizeBytes)}</span>
              <span className="faint">{new Date(b.savedAtMs).toLocaleString()}</span>
            </button>
            <button type="button" className="icon-btn" aria-label={`Forget ${b.name}`} title="Forget this bundle" onClick={() => forget(b.hash)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
