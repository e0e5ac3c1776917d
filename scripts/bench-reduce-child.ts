/** One timed reduction in a fresh process; prints {ms, maxRssBytes, events} as JSON. Used by bench.ts. */
import { writeFileSync } from 'node:fs';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

const [bundle, out] = process.argv.slice(2);
const t0 = performance.now();
const result = await reduceBundle(new DirectorySource(bundle));
if (result.error) throw new Error(JSON.stringify(result.error));
const text = serializeState(result.state!);
if (out) writeFileSync(out, text);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, events: result.eventsApplied }));
