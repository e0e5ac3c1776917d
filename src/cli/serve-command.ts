import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve';

/** The project root: the folder holding package.json above this file (source or bundled). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** `serve <bundle-or-trace-root>... [--port N] [--host H] [--open]`; runs until interrupted. */
export async function runServe(args: string[]): Promise<number> {
  const roots: string[] = [];
  let port = 4180;
  let host = '127.0.0.1';
  let open = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port') port = Number(args[++i]);
    else if (a === '--host') host = args[++i];
    else if (a === '--open') open = true;
    else if (a.startsWith('-')) {
      process.stderr.write(`error: unknown option ${a}\n`);
      return 2;
    } else roots.push(resolve(a));
  }
  if (roots.length === 0) {
    process.stderr.write('error: serve needs at least one bundle directory or trace root\n');
    return 2;
  }
  const handle = await serve({ roots, port, host, open, distDir: join(projectRoot(), 'dist') });
  if (handle.bundles.length) process.stdout.write('Open a bundle (each link reopens that trace; "Copy link" in the viewer adds the view):\n');
  for (const b of handle.bundles) process.stdout.write(`  ${handle.url}?trace=${encodeURIComponent(b.name)}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await handle.close();
  return 0;
}
