import './worker/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { connectRefLinksToStore } from './app/refLinks';
import { useStore } from './store';
import { traceClient } from './worker/client';
import { connectLoadsToStores } from './loader/connect';
import { loadStartupBundle } from './loader/startup';
import { EMBEDDED_ID } from './share/embeddedId';
import { preloadWhenIdle } from './app/lazy';

declare global {
  interface Window {
    /** Dev and test builds only: the app store and worker client, for e2e tests and debugging. */
    __traceStore?: typeof useStore;
    __traceClient?: typeof traceClient;
  }
}

if (import.meta.env.MODE !== 'production') {
  window.__traceStore = useStore;
  window.__traceClient = traceClient;
}

// An exported page (src/share/export.ts) carries its trace, its view and the worker's source; only such a page loads the code that reads them (unzip, schema).
const embedded = document.getElementById(EMBEDDED_ID) ? (await import('./share/embedded')).readEmbedded() : null;
if (embedded) window.__ctvWorkerSource = embedded.workerSource;
connectLoadsToStores();
connectRefLinksToStore();
// The worker's script loads and compiles while the page renders: a trace opened at startup or dropped soon after does not wait for it.
traceClient.warmUp();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
preloadWhenIdle();

// Any page but an exported one loads what the URL names.
if (embedded) {
  if (embedded.view) useStore.getState().applyViewState(embedded.view);
  void traceClient.loadFiles(embedded.files, embedded.name, { remember: false });
} else void loadStartupBundle();
