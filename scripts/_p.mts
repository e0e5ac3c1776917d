import { z } from 'zod';
if (process.env.JITLESS) z.config({ jitless: true });
const { readFileSync, readdirSync } = await import('node:fs');
const path = await import('node:path');
const { MemorySource } = await import('../src/trace/bundle/source');
const { reduceBundle } = await import('../src/trace/reducer');
const dir = process.argv[2];
const files = new Map<string, any>();
files.set('manifest.json', readFileSync(path.join(dir,'manifest.json')));
files.set('trace.jsonl', readFileSync(path.join(dir,'trace.jsonl')));
for (const f of readdirSync(path.join(dir,'payloads'))) files.set('payloads/'+f, new Uint8Array(readFileSync(path.join(dir,'payloads',f))));
for (let i=0;i<3;i++){ const t0=performance.now();
await reduceBundle(new MemorySource('x', files as any), {unknownEvents:'skip'});
console.log('reduce', (performance.now()-t0).toFixed(0)); }
