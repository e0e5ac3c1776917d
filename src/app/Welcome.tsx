/** The empty state: what this is and how to open a trace. */
import { LoadControls } from '../loader';
import { useStore } from '../store';
import { RecentBundles } from '../share/RecentBundles';

export function Welcome() {
  const loading = useStore((s) => s.load.phase === 'loading');
  return (
    <main className="welcome" data-testid="welcome">
      <div className="welcome-card">
        <div className="welcome-drop" aria-hidden="true">
          <svg width="40" height="40" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5">
            <path d="M12 15V3m0 0L8 7m4-4 4 4" strokeLinecap="round" strokeLinejoin="round" />
            <path d="M4 14v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4" strokeLinecap="round" />
          </svg>
        </div>
        <h1>{loading ? 'Opening trace…' : 'Open a Codex rollout trace'}</h1>
        <p className="welcome-lead">
          Drop a trace bundle anywhere in this window, or pick one with the buttons below. Everything is read locally in your browser; nothing is uploaded.
        </p>
        <div className="welcome-actions">
          <LoadControls />
        </div>
        <div className="welcome-grid">
          <section>
            <h2>What to drop</h2>
            <ul>
              <li>
                A bundle folder: <code>manifest.json</code>, <code>trace.jsonl</code>, <code>payloads/</code>
              </li>
              <li>
                A <code>.zip</code> or <code>.tar.gz</code> of one or more bundles
              </li>
              <li>A folder holding several bundles (you will be asked which one)</li>
            </ul>
          </section>
          <section>
            <h2>Where bundles come from</h2>
            <p>
              Run Codex with <code>CODEX_ROLLOUT_TRACE_ROOT=&lt;dir&gt;</code> set; each session writes <code>trace-&lt;trace_id&gt;-&lt;thread_id&gt;/</code>{' '}
              there. Or serve a folder with <code>npx codex-trace-viewer serve &lt;dir&gt;</code>.
            </p>
          </section>
          <section>
            <h2>Then</h2>
            <p>
              Follow a thread's transcript, click any item to inspect it and its raw payloads, and jump between related objects. Press <kbd>?</kbd> for
              shortcuts.
            </p>
          </section>
        </div>
        <RecentBundles />
      </div>
    </main>
  );
}
