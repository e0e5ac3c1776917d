/**
 * Archives that lie or explode (issue 14, items 3 and 7): sizes are checked
 * from headers before anything is held and again while unpacking, and a zip's
 * lengths and CRC-32s are verified, each failure naming the entry.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync, strToU8, zipSync } from 'fflate';
import { readZip } from '../src/trace/bundle/zip';
import { readTar, readTarGz } from '../src/trace/bundle/tar';
import { SizeLimitError } from '../src/trace/bundle/sizeLimit';
import { ScanError } from '../src/trace/bundle/scan';
import { collectFiles } from '../src/trace/bundle/unpack';
import { createWorkerHandler } from '../src/worker/handler';
import type { WorkerResponse } from '../src/worker/protocol';
import { TRACES, tgzOf, zipOf } from './loader-helpers';

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);

/** Offsets of an entry's local header and central directory header in a zip made by fflate. */
function headersOf(zip: Uint8Array, name: string): { local: number; central: number } {
  const enc = strToU8(name);
  const find = (sig: number, nameAt: number) => {
    for (let i = 0; i + nameAt + enc.length <= zip.length; i++) {
      if (u32(zip, i) !== sig) continue;
      if (enc.every((c, j) => zip[i + nameAt + j] === c) && zip[i + nameAt + enc.length] !== 0x2f) return i;
    }
    throw new Error(`no ${name}`);
  };
  return { local: find(0x04034b50, 30), central: find(0x02014b50, 46) };
}

/** Rewrites an entry's declared uncompressed size in both headers, as a lying archiver would. */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const h = headersOf(out, name);
  setU32(out, h.local + 22, size);
  setU32(out, h.central + 24, size);
  return out;
}

function harness(maxBundleBytes?: number) {
  const out: WorkerResponse[] = [];
  const send = createWorkerHandler((m) => out.push(m), { maxBundleBytes, recent: null });
  return { out, send };
}

describe('zip integrity', () => {
  it('a zip whose trace.jsonl declares fewer bytes than it holds is refused, naming the entry (not shown as a shorter healthy trace)', () => {
    const zip = zipOf(['single-turn-answer']);
    const real = readFileSync(path.join(TRACES, 'single-turn-answer/trace.jsonl')).byteLength;
    const lying = declareSize(zip, 'single-turn-answer/trace.jsonl', Math.floor(real / 2));
    expect(() => readZip(lying)).toThrow(/zip entry "single-turn-answer\/trace\.jsonl" inflates to more than the \d+ bytes it declares/);
  });

  it('an entry that declares more than it holds is refused too', () => {
    const zip = zipOf(['single-turn-answer']);
    const real = readFileSync(path.join(TRACES, 'single-turn-answer/trace.jsonl')).byteLength;
    expect(() => readZip(declareSize(zip, 'single-turn-answer/trace.jsonl', real + 10))).toThrow(/holds \d+ bytes but declares \d+/);
  });

  it('a 64 MB entry declared as 100 bytes stops after one piece, with the entry named', () => {
    const zip = zipSync({ 'b/trace.jsonl': new Uint8Array(64 << 20) }, { level: 9 });
    const lying = declareSize(zip, 'b/trace.jsonl', 100);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readZip(lying)).toThrow(/zip entry "b\/trace\.jsonl" inflates to more than the 100 bytes it declares/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
  });

  it('altered content fails the CRC-32 check, naming the entry', () => {
    const zip = zipSync({ 'b/manifest.json': strToU8('{"schema_version":2}') }, { level: 0 });
    const h = headersOf(zip, 'b/manifest.json');
    const altered = zip.slice();
    altered[h.local + 30 + 'b/manifest.json'.length + 3] ^= 1; // one bit of the stored data
    expect(() => readZip(altered)).toThrow(/zip entry "b\/manifest\.json" fails its CRC-32 check/);
  });

  it('a zip truncated inside an entry is named as cut off', () => {
    const zip = zipSync({ 'b/trace.jsonl': new Uint8Array(4096).fill(65) }, { level: 0 });
    const central = headersOf(zip, 'b/trace.jsonl').central;
    // Keep the central directory but drop part of the data before it: the entry now runs past its neighbour.
    const cut = new Uint8Array([...zip.subarray(0, 2000), ...zip.subarray(central)]);
    setU32(cut, cut.length - 22 + 16, 2000); // where the central directory now starts
    expect(() => readZip(cut)).toThrow(/zip entry "b\/trace\.jsonl"/);
  });

  it('dropped, a damaged zip says which entry is bad', async () => {
    const zip = zipOf(['single-turn-answer']);
    const lying = declareSize(zip, 'single-turn-answer/trace.jsonl', 200);
    const err = await collectFiles([{ path: 'x.zip', file: new Blob([lying as Uint8Array<ArrayBuffer>]) }]).catch((e) => e);
    expect(err).toBeInstanceOf(ScanError);
    expect((err as ScanError).info.file).toBe('x.zip');
    expect((err as ScanError).info.causes.join(' ')).toContain('single-turn-answer/trace.jsonl');
  });
});

describe('bombs stop at the limit', () => {
  it('a zip declaring 3 GB is refused before anything is inflated', () => {
    const zip = declareSize(zipSync({ 'b/trace.jsonl': strToU8('{}') }), 'b/trace.jsonl', 3_000_000_000);
    const err = (() => {
      try {
        readZip(zip, { maxBytes: 384 << 20, subject: 'bomb.zip' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SizeLimitError);
    expect(err).toMatchObject({ subject: 'bomb.zip', bytes: 3_000_000_000, known: 'declared' });
  });

  it('a tar.gz whose header declares 3 GB stops at that header: nothing of it is held', async () => {
    // One ustar header announcing a 3 GB file, followed by a little data: a gzip of a few hundred bytes.
    const tar = new Uint8Array(execFileSync('tar', ['-cf', '-', '--format=ustar', '-C', TRACES, 'single-turn-answer/manifest.json']));
    const header = tar.slice(0, 512);
    header.set(strToU8('26264057000'.padStart(11, '0') + '\0'), 124); // 3 GB in octal
    header.set(strToU8('        '), 148);
    let sum = 0;
    for (const b of header) sum += b;
    header.set(strToU8(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    const tgz = gzipSync(new Uint8Array([...header, ...new Uint8Array(1 << 16)]));
    const err = await readTarGz(tgz, { maxBytes: 384 << 20, subject: 'bomb.tar.gz' }).catch((e) => e);
    expect(err).toBeInstanceOf(SizeLimitError);
    expect(err).toMatchObject({ subject: 'bomb.tar.gz', known: 'declared' });
    expect((err as SizeLimitError).bytes).toBeGreaterThanOrEqual(3_000_000_000);
  });

  it('files that add up past the limit stop the unpacking at the first one over', async () => {
    const tgz = tgzOf('tools-one-turn');
    const err = await readTarGz(tgz, { maxBytes: 8 * 1024, subject: 't.tgz' }).catch((e) => e);
    expect(err).toBeInstanceOf(SizeLimitError);
    expect((err as SizeLimitError).bytes).toBeGreaterThan(8 * 1024);
    // Within the limit the same archive reads in full.
    expect((await readTarGz(tgz, { maxBytes: 10 << 20 })).size).toBeGreaterThan(3);
  });

  it('dropped, an archive over the unpack limit says which archive, which limit and what to do', async () => {
    const h = harness(4 * 1024); // unpack budget 8 KB: tools-one-turn unpacks to more
    await h.send({
      type: 'load',
      id: 1,
      label: 'big.tgz',
      input: { kind: 'files', files: [{ path: 'big.tgz', file: new File([tgzOf('tools-one-turn') as Uint8Array<ArrayBuffer>], 'big.tgz') }] },
    });
    const e = h.out.find((m) => m.type === 'error');
    if (e?.type !== 'error') throw new Error(JSON.stringify(h.out));
    expect(e.error.file).toBe('big.tgz');
    expect(e.error.message).toMatch(/^big\.tgz (declares|unpacks to more than) [\d.]+ KiB.*over the 8.0 KiB a browser tab unpacks from one drop/);
    expect((e.error.advice ?? []).join(' ')).toContain('codex-trace-viewer reduce <bundle>');
  });

  it('a dropped folder over the limit is refused from its files\u2019 sizes, before any is read', async () => {
    const h = harness(1024);
    let reads = 0;
    const files = ['manifest.json', 'trace.jsonl', 'payloads/1.json'].map((p) => {
      const f = new File([readFileSync(path.join(TRACES, 'single-turn-answer', p))], path.basename(p));
      const arrayBuffer = f.arrayBuffer.bind(f);
      Object.defineProperty(f, 'arrayBuffer', { value: () => (reads++, arrayBuffer()) });
      return { path: p, file: f };
    });
    await h.send({ type: 'load', id: 1, label: 'b', input: { kind: 'stream', paths: files.map((f) => f.path), bytes: 5 << 20 } });
    const e = h.out.find((m) => m.type === 'error');
    expect(e?.type === 'error' && e.error.message).toMatch(/too large for a browser tab: 5.0 MiB .* nothing was read/);
    expect(reads).toBe(0);
  });
});

describe('tar paths', () => {
  it('a PAX archive of a folder with a non-ASCII name (GNU --format=pax, macOS tar) is found under that name', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-pax-'));
    try {
      const name = `сессия-${'ü'.repeat(40)}-trace`;
      cpSync(path.join(TRACES, 'single-turn-answer'), path.join(tmp, name), { recursive: true });
      const tgz = new Uint8Array(execFileSync('tar', ['-czf', '-', '--format=pax', '-C', tmp, name]));
      const entries = await readTarGz(tgz);
      expect(entries.has(`${name}/manifest.json`)).toBe(true);
      expect(entries.has(`${name}/payloads/1.json`)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a tar read in one piece or streamed in small pieces gives the same files', async () => {
    const tgz = tgzOf('tools-one-turn', 'pax');
    const whole = await readTarGz(tgz);
    const tar = (await import('fflate')).gunzipSync(tgz);
    const stepped = readTar(tar);
    expect([...stepped.keys()]).toEqual([...whole.keys()]);
    for (const [k, v] of whole) expect(Buffer.from(stepped.get(k)!).equals(Buffer.from(v))).toBe(true);
  });
});
