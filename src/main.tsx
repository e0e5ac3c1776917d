import './worker/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { useStore } from './store';
import { traceClient } from './worker/client';
import { loadStartupBundle } from './loader/startup';
import { readEmbedded } from './share/embedded';

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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// An exported page (src/share/export.ts) carries its trace and view; any other page loads what the URL names.
const embedded = readEmbedded();
if (embedded) {
  window.__ctvWorkerSource = embedded.workerSource;
  if (embedded.view) useStore.getState().applyViewState(embedded.view);
  void traceClient.loadFiles(embedded.files, embedded.name, { remember: false });
} else void loadStartupBundle();
traceClient.warmUp();
