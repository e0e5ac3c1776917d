/**
 * The page's first script, a few hundred bytes: starts the trace worker
 * while the browser is still fetching and compiling the app's main chunk
 * (src/main.tsx), so that the worker's own script load and start-up no longer
 * wait for it. The worker says nothing until it is asked, so the client
 * (src/worker/client.ts) adopts it later without losing a message. On a
 * `?trace=` link the page shows the bundle's load from here
 * (src/loader/bootProgress.ts), not from when the app has started.
 */
import { startEarlyWorker } from './worker/early';
import { showBootProgress } from './loader/bootProgress';

const early = startEarlyWorker();
const root = document.getElementById('root');
// A `?trace=` link's bundle is being read already: say so until the app, still loading, takes over.
if (early?.load && root) showBootProgress(root, early.load.label, early.worker, early.load.id);
