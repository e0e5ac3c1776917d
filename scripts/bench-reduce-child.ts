/** One timed reduction in a fresh process; prints {ms, maxRssBytes, events} as JSON. Used by bench.ts. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeStateChunks } from '../src/trace/serialize';

const [bundle, out] = process.argv.slice(2);
const t0 = performance.now();
const result = await reduceBundle(new DirectorySource(bundle));
if (result.error) throw new Error(JSON.stringify(result.error));
// As the CLI writes it: piece by piece.
const fd = openSync(out ?? '/dev/null', 'w');
for (const chunk of serializeStateChunks(result.state!)) writeSync(fd, chunk);
closeSync(fd);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, events: result.eventsApplied }));
