#!/usr/bin/env node
// The command line is built ahead of time into dist-cli/cli.mjs (scripts/build-cli.mjs,
// run by `npm run build` and before `npm pack`). In a clone, where src/ is present,
// it is rebuilt first whenever src/ is newer; the published package has no src/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { buildCli } = await import('../scripts/build-cli.mjs');
  await buildCli({ ifStale: true });
}
const cli = new URL('../dist-cli/cli.mjs', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`error: ${fileURLToPath(cli)} is missing; this copy of codex-trace-viewer is incomplete (in a clone: npm run build)\n`);
  process.exit(1);
}
await import(cli.href);
