/**
 * A trace bundle as plain files in memory, for building and mutating bundles
 * in scripts (synthetic fixtures, the oracle fuzzer). Texts are kept verbatim,
 * so a bundle read and written back is byte-identical.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface BundleFiles {
  /** manifest.json text; null = the file is absent. */
  manifest: string | null;
  /** trace.jsonl text; null = the file is absent. */
  trace: string | null;
  /** Every other file, by relative path with '/' (payloads/3.json, ...). */
  files: Map<string, string | Buffer>;
}

export function readBundleDir(dir: string): BundleFiles {
  const manifestPath = path.join(dir, 'manifest.json');
  const tracePath = path.join(dir, 'trace.jsonl');
  const files = new Map<string, string | Buffer>();
  const payloadDir = path.join(dir, 'payloads');
  if (fs.existsSync(payloadDir)) {
    for (const name of fs.readdirSync(payloadDir).sort()) {
      const p = path.join(payloadDir, name);
      if (fs.statSync(p).isFile()) files.set(`payloads/${name}`, fs.readFileSync(p));
    }
  }
  return {
    manifest: fs.existsSync(manifestPath) ? fs.readFileSync(manifestPath, 'utf8') : null,
    trace: fs.existsSync(tracePath) ? fs.readFileSync(tracePath, 'utf8') : null,
    files,
  };
}

export function writeBundleDir(dir: string, b: BundleFiles): void {
  fs.mkdirSync(dir, { recursive: true });
  if (b.manifest !== null) fs.writeFileSync(path.join(dir, 'manifest.json'), b.manifest);
  if (b.trace !== null) fs.writeFileSync(path.join(dir, 'trace.jsonl'), b.trace);
  for (const [rel, content] of b.files) {
    const p = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** Total size in bytes of a bundle's files. */
export function bundleSize(b: BundleFiles): number {
  let n = Buffer.byteLength(b.manifest ?? '') + Buffer.byteLength(b.trace ?? '');
  for (const c of b.files.values()) n += typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength;
  return n;
}

/** trace.jsonl split into lines without their '\n' (a final empty piece after the last '\n' is dropped). */
export function traceLines(trace: string): string[] {
  const lines = trace.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function joinTraceLines(lines: string[], finalNewline = true): string {
  return lines.join('\n') + (finalNewline && lines.length ? '\n' : '');
}
