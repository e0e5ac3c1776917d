/**
 * Import first in every browser entry point (main.tsx, trace.worker.ts).
 * zod 4 compiles object parsers with `new Function` unless told not to; under
 * the app's Content-Security-Policy (no 'unsafe-eval') that probe is blocked
 * and reported as a violation. Jitless parsing is plenty fast for our messages.
 */
import { z } from 'zod';

z.config({ jitless: true });
