import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { hashBundleFiles, hashBundleFilesPortable, hashedPaths } from '../../src/trace/bundle/hash';
import type { FileBody } from '../../src/trace/bundle/source';
import { TRACES } from '../loader-helpers';

function bundleFiles(name: string, as: 'text' | 'bytes' | 'blob'): Map<string, FileBody> {
  const dir = path.join(TRACES, name);
  const m = new Map<string, FileBody>();
  const add = (rel: string) => {
    const buf = readFileSync(path.join(dir, rel));
    m.set(rel, as === 'text' ? buf.toString('utf8') : as === 'bytes' ? new Uint8Array(buf) : new Blob([buf]));
  };
  for (const f of readdirSync(dir)) if (f !== 'payloads') add(f);
  for (const f of readdirSync(path.join(dir, 'payloads'))) add(`payloads/${f}`);
  return m;
}

describe('bundle content hash', () => {
  it('is SHA-256 over "path NUL length NUL sha256(bytes)" of manifest, trace, sorted payloads (checked against node:crypto)', async () => {
    const files = bundleFiles('multi-agent', 'bytes');
    const h = createHash('sha256');
    for (const p of hashedPaths(files.keys())) {
      const b = files.get(p) as Uint8Array;
      h.update(`${p}\0${b.byteLength}\0`);
      h.update(createHash('sha256').update(b).digest());
    }
    const expected = h.digest('hex');
    expect(await hashBundleFiles(files)).toBe(expected);
    // the pure-JS path (no crypto.subtle) gives the same value
    expect(await hashBundleFilesPortable(files)).toBe(expected);
  });

  it('does not depend on how the files arrived (text, bytes, Blob) or on extra files', async () => {
    const a = await hashBundleFiles(bundleFiles('multi-agent', 'text'));
    const b = await hashBundleFiles(bundleFiles('multi-agent', 'bytes'));
    const blobs = bundleFiles('multi-agent', 'blob');
    blobs.set('scenario.md', 'something else');
    blobs.set('notes.txt', 'x');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(await hashBundleFiles(blobs)).toBe(a);
  });

  it('changes when the trace, a payload or the manifest changes, and differs between bundles', async () => {
    const base = bundleFiles('multi-agent', 'text');
    const h0 = await hashBundleFiles(base);
    const edit = (p: string) => {
      const m = new Map(base);
      m.set(p, `${m.get(p) as string} `);
      return hashBundleFiles(m);
    };
    const payload = [...base.keys()].find((p) => p.startsWith('payloads/'))!;
    expect(await edit('trace.jsonl')).not.toBe(h0);
    expect(await edit('manifest.json')).not.toBe(h0);
    expect(await edit(payload)).not.toBe(h0);
    // a payload renamed (same bytes) is a different bundle
    const renamed = new Map(base);
    renamed.set('payloads/zzz.json', renamed.get(payload)!);
    renamed.delete(payload);
    expect(await hashBundleFiles(renamed)).not.toBe(h0);
    expect(await hashBundleFiles(bundleFiles('long-session', 'text'))).not.toBe(h0);
  });

  it('orders payloads by path, manifest and trace first', () => {
    expect(hashedPaths(['payloads/2.json', 'x.md', 'trace.jsonl', 'payloads/10.json', 'manifest.json'])).toEqual([
      'manifest.json',
      'trace.jsonl',
      'payloads/10.json',
      'payloads/2.json',
    ]);
  });
});
