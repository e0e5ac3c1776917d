/**
 * Files answered by `serve`: paths mapped inside a base folder and nothing
 * outside it, the app's security headers and MIME types, and plain or ranged
 * file responses.
 */
import type http from 'node:http';
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';
import { inside } from './bundles';
import { requestedRange } from './live';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export type Resolved = { status: 200; file: string; stats: Stats } | { status: 400 | 403 | 404 };

/**
 * Maps URL path segments (still percent-encoded) to an entry inside `baseDir`
 * (a realpath), refusing anything that would leave it: a regular file, or with
 * `kind: 'dir'` a directory.
 */
export async function resolveInside(baseDir: string, rawSegments: string[], kind: 'file' | 'dir' = 'file'): Promise<Resolved> {
  const segs: string[] = [];
  for (const raw of rawSegments) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return { status: 400 };
    }
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) return { status: 403 };
    segs.push(s);
  }
  const target = path.join(baseDir, ...segs);
  if (!inside(target, baseDir)) return { status: 403 };
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return { status: 404 };
  }
  if (!inside(real, baseDir)) return { status: 403 }; // a symlink pointing out of the root
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch {
    return { status: 404 };
  }
  if (kind === 'file' ? !stats.isFile() : !stats.isDirectory()) return { status: 404 };
  return { status: 200, file: real, stats };
}

export function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}

export const STATUS_TEXT: Record<number, string> = { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found' };

export function sendFile(req: http.IncomingMessage, res: http.ServerResponse, r: Extract<Resolved, { status: 200 }>, cache: string, ranges = false): void {
  const size = r.stats.size;
  // Bundle files only: a page following a recording fetches what was appended, not the whole file again.
  const range = ranges ? requestedRange(req.headers.range, size) : null;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...SECURITY_HEADERS, 'Content-Range': `bytes */${size}`, 'Content-Length': 0, 'Cache-Control': cache });
    res.end();
    return;
  }
  res.writeHead(range ? 206 : 200, {
    ...SECURITY_HEADERS,
    'Content-Type': MIME[path.extname(r.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': range ? range.end - range.start + 1 : size,
    'Cache-Control': cache,
    ...(ranges ? { 'Accept-Ranges': 'bytes' } : {}),
    ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (size === 0) {
    res.end();
    return;
  }
  // The file may grow while it is sent: never more than the length announced.
  const stream = createReadStream(r.file, range ? { start: range.start, end: range.end } : { start: 0, end: size - 1 });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
