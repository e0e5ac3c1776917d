/**
 * The page's first script, a few hundred bytes: starts the trace worker
 * while the browser is still fetching and compiling the app's main chunk
 * (src/main.tsx), so that the worker's own script load and start-up no longer
 * wait for it. The worker says nothing until it is asked, so the client
 * (src/worker/client.ts) adopts it later without losing a message.
 */
import { startEarlyWorker } from './worker/early';

startEarlyWorker();
