/**
 * The `archives` phase of the robustness fuzzer: bombs and lying archives
 * (src/trace/bundle/zip.ts, tar.ts, scan.ts). Case I packs a corpus bundle as
 * .zip (fflate) or .tar.gz (a small ustar writer here, gzipped), then lies
 * about it: bytes flipped in a header, declared sizes set to 0, 1, smaller,
 * larger, 2^32-1 or 3e9, CRCs changed, the archive cut anywhere, entries
 * duplicated; or makes a bomb (an entry declaring 3 GB, 64 MB of zeros
 * declared as 100 bytes, a gzip expanding far past the limit). It is read with
 * readZip / readTarGz and through collectFiles, with a 64 MB limit. A read
 * either returns entries whose bytes are exactly the packed ones (always for a
 * zip, whose sizes and CRCs are checked; for a tar when nothing changed the
 * content) or throws an Error saying what is wrong (collectFiles: a ScanError
 * naming the archive) or a SizeLimitError; never a RangeError, never more than
 * twice the limit of ArrayBuffer memory, never past the CPU budget.
 */
import { gzipSync, zipSync } from 'fflate';
import CRC32 from 'crc-32';
import { deflateRawSync, gzipSync as gzipSyncNative } from 'node:zlib';
import { ScanError } from '../../src/trace/bundle/scan';
import { collectFiles } from '../../src/trace/bundle/unpack';
import { SizeLimitError } from '../../src/trace/bundle/sizeLimit';
import { readTarGz } from '../../src/trace/bundle/tar';
import { readZip } from '../../src/trace/bundle/zip';
import type { BundleFiles } from './bundle-files';
import type { PhaseResult } from './phases';
import type { Rng } from './prng';
import { bundleMap } from './robustness';

/** The unpack limit the readers are given. */
export const ARCHIVE_LIMIT = 64 << 20;
/** ArrayBuffer memory a read may hold above where it started. */
const MEMORY_BOUND = 2 * ARCHIVE_LIMIT + (16 << 20);
const CPU_BUDGET_MS = 5_000;

type Entry = [name: string, data: Uint8Array];

// ---- a ustar writer: headers at known offsets, so they can be lied in ----

function octalField(h: Uint8Array, at: number, len: number, n: number): void {
  const s = n.toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) h[at + i] = s.charCodeAt(i);
  h[at + len - 1] = 0;
}

/** Recomputes a header's checksum (a lie that a tar reader cannot see). */
export function sealTarHeader(h: Uint8Array): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  octalField(h, 148, 7, sum);
  h[155] = 0x20;
}

function tarHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const enc = new TextEncoder().encode(name);
  if (enc.length > 100) throw new Error(`tar name too long: ${name}`);
  h.set(enc, 0);
  octalField(h, 100, 8, 0o644);
  octalField(h, 108, 8, 0);
  octalField(h, 116, 8, 0);
  octalField(h, 124, 12, size);
  octalField(h, 136, 12, 0);
  h[156] = 0x30;
  h.set(new TextEncoder().encode('ustar\u000000'), 257);
  sealTarHeader(h);
  return h;
}

/** A tar of the entries: header, data padded to 512, two zero blocks. Offsets of each header are returned. */
export function makeTar(entries: Entry[]): { tar: Uint8Array; headers: number[] } {
  const parts: Uint8Array[] = [];
  const headers: number[] = [];
  let at = 0;
  for (const [name, data] of entries) {
    headers.push(at);
    parts.push(tarHeader(name, data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));
    at += 512 + data.length + ((512 - (data.length % 512)) % 512);
  }
  parts.push(new Uint8Array(1024));
  return { tar: concat(parts), headers };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- zip structure, to find the fields to lie in ----

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

interface ZipLayout {
  eocd: number;
  central: { at: number; local: number; nameLen: number; size: number }[];
}

function zipLayout(z: Uint8Array): ZipLayout {
  const v = dv(z);
  let eocd = z.length - 22;
  while (eocd >= 0 && v.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = v.getUint16(eocd + 10, true);
  let at = v.getUint32(eocd + 16, true);
  const central: ZipLayout['central'] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = v.getUint16(at + 28, true);
    const size = 46 + nameLen + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    central.push({ at, local: v.getUint32(at + 42, true), nameLen, size });
    at += size;
  }
  return { eocd, central };
}

/** The same zip with central directory entry `k` listed twice (both pointing at the same data). */
function duplicateZipEntry(z: Uint8Array, k: number): Uint8Array {
  const { eocd, central } = zipLayout(z);
  const e = central[k];
  const copy = z.slice(e.at, e.at + e.size);
  const out = concat([z.subarray(0, eocd), copy, z.subarray(eocd)]);
  const v = dv(out);
  const end = eocd + copy.length;
  v.setUint16(end + 8, v.getUint16(end + 8, true) + 1, true);
  v.setUint16(end + 10, v.getUint16(end + 10, true) + 1, true);
  v.setUint32(end + 12, v.getUint32(end + 12, true) + copy.length, true);
  return out;
}

const SIZES = (real: number): [string, number][] => [
  ['0', 0],
  ['1', 1],
  ['smaller', Math.max(0, real - 1 - (real >> 1))],
  ['larger', real + 1 + (real >> 2)],
  ['2^32-1', 0xffffffff],
  ['3e9', 3_000_000_000],
];

// ---- bombs (built once per process) ----

/** A one-entry deflated zip, packed with the platform's zlib (fflate takes seconds over 64 MB). */
function zipOne(name: string, data: Uint8Array): Uint8Array {
  const packed = deflateRawSync(data, { level: 9 });
  const enc = new TextEncoder().encode(name);
  const crc = CRC32.buf(data) >>> 0;
  const local = new Uint8Array(30 + enc.length);
  const central = new Uint8Array(46 + enc.length);
  const end = new Uint8Array(22);
  /** Little-endian fields: [offset, bytes, value]. */
  const put = (b: Uint8Array, fields: [number, 2 | 4, number][]) => {
    for (const [at, n, x] of fields) {
      if (n === 2) dv(b).setUint16(at, x, true);
      else dv(b).setUint32(at, x, true);
    }
  };
  const sizes: [number, 2 | 4, number][] = [
    [0, 4, crc],
    [4, 4, packed.length],
    [8, 4, data.length],
    [12, 2, enc.length],
  ];
  put(local, [[0, 4, 0x04034b50], [4, 2, 20], [8, 2, 8], ...sizes.map(([at, n, x]) => [at + 14, n, x] as [number, 2 | 4, number])]);
  put(central, [[0, 4, 0x02014b50], [4, 2, 20], [6, 2, 20], [10, 2, 8], ...sizes.map(([at, n, x]) => [at + 16, n, x] as [number, 2 | 4, number])]);
  put(end, [
    [0, 4, 0x06054b50],
    [8, 2, 1],
    [10, 2, 1],
    [12, 4, central.length],
    [16, 4, local.length + packed.length],
  ]);
  local.set(enc, 30);
  central.set(enc, 46);
  return concat([local, packed, central, end]);
}

const built = new Map<string, Uint8Array>();
const once = (name: string, make: () => Uint8Array) => built.get(name) ?? built.set(name, make()).get(name)!;
const gzip = (data: Uint8Array) => new Uint8Array(gzipSyncNative(data, { level: 9 }));

const bombs = {
  /** 64 MB of zeros in a zip (its sizes are then lied about). */
  zip: () => once('zip', () => zipOne('b/trace.jsonl', new Uint8Array(64 << 20))),
  /** One tar header declaring 100 bytes, then 64 MB of zeros where its data is. */
  tgz: () => once('tgz', () => gzip(concat([tarHeader('b/trace.jsonl', 100), new Uint8Array(64 << 20)]))),
  /** A tar whose one entry is followed by 200 MB of zeros: the gzip expands far past the limit. */
  gzFlood: () => once('gzFlood', () => gzip(concat([makeTar([['b/manifest.json', new TextEncoder().encode('{}')]]).tar, new Uint8Array(200 << 20)]))),
};

// ---- a case ----

interface Archive {
  format: 'zip' | 'tar.gz';
  bytes: Uint8Array;
  /** What the reader must return when it succeeds: exactly these (null: anything within the limit, the content may have changed). */
  expect: Map<string, Uint8Array> | null;
  /** Contents any returned entry must have one of (zip: sizes and CRCs are checked, so whatever is returned was packed). */
  contents: Set<string> | null;
  /** The read must succeed. */
  mustRead: boolean;
  /** The read must stop at the limit. */
  mustRefuse: boolean;
  description: string;
  kind: string;
}

const key = (b: Uint8Array) => `${b.length}:${CRC32.buf(b) >>> 0}`;

function entriesOf(b: BundleFiles): Entry[] {
  return [...bundleMap(b)].map(([p, c]) => [`b/${p}`, typeof c === 'string' ? new TextEncoder().encode(c) : new Uint8Array(c)]);
}

function makeArchive(rng: Rng, files: BundleFiles): Archive {
  const format = rng.chance(0.5) ? 'zip' : 'tar.gz';
  const entries = entriesOf(files).filter(([n]) => n.length <= 100);
  const expect = new Map(entries.map(([n, d]) => [n, d]));
  const contents = new Set(entries.map(([, d]) => key(d)));
  const kind = rng.weighted<string>([
    ['none', 2],
    ['flip-header', 6],
    ['declared-size', 6],
    ['crc', format === 'zip' ? 3 : 0],
    ['truncate', 4],
    ['duplicate-entry', 3],
    ['flip-data', 3],
    ['bomb-3gb', 1],
    ['bomb-64mb-as-100', 1],
    ['bomb-expanding', format === 'tar.gz' ? 0.5 : 0],
  ]);
  const a = (bytes: Uint8Array, description: string, o: Partial<Archive> = {}): Archive => ({
    format,
    bytes,
    expect: null,
    contents: format === 'zip' ? contents : null,
    mustRead: false,
    mustRefuse: false,
    description,
    kind: `${format} ${kind}`,
    ...o,
  });
  const k = rng.int(entries.length);
  const [name, data] = entries[k];
  if (kind === 'bomb-64mb-as-100') {
    if (format === 'zip') {
      const z = bombs.zip().slice();
      const { central } = zipLayout(z);
      dv(z).setUint32(central[0].local + 22, 100, true);
      dv(z).setUint32(central[0].at + 24, 100, true);
      return a(z, '64 MB of zeros declared as 100 bytes');
    }
    return a(bombs.tgz(), '64 MB of zeros behind a header declaring 100 bytes');
  }
  if (kind === 'bomb-expanding') return a(bombs.gzFlood(), 'a tar followed by 200 MB of zeros in one gzip');
  if (format === 'zip') {
    const level = rng.pick([0, 1, 6, 9] as const);
    const zip = zipSync(Object.fromEntries(entries), { level });
    const z = zip.slice();
    const { eocd, central } = zipLayout(z);
    const e = central[k];
    const v = dv(z);
    switch (kind) {
      case 'none':
        return a(z, `level ${level}`, { expect, mustRead: true });
      case 'flip-header': {
        const where = rng.pick(['local', 'central', 'eocd'] as const);
        const [start, len] = where === 'local' ? [e.local, 30 + e.nameLen] : where === 'central' ? [e.at, e.size] : [eocd, 22];
        const at = start + rng.int(len);
        z[at] ^= 1 << rng.int(8);
        return a(z, `level ${level}: ${where} header of ${name}, byte ${at - start} flipped`);
      }
      case 'declared-size':
      case 'bomb-3gb': {
        const [label, size] = kind === 'bomb-3gb' ? ['3e9', 3_000_000_000] : rng.pick(SIZES(data.length));
        const which = kind === 'bomb-3gb' ? 'both' : rng.pick(['central', 'local', 'both', 'compressed']);
        if (which === 'compressed') v.setUint32(e.at + 20, size, true);
        else {
          if (which !== 'local') v.setUint32(e.at + 24, size, true);
          if (which !== 'central') v.setUint32(e.local + 22, size, true);
        }
        return a(z, `level ${level}: ${name} declares ${which === 'compressed' ? 'compressed ' : ''}size ${label} (${size}) in ${which}`, {
          mustRefuse: size > ARCHIVE_LIMIT && which !== 'local' && which !== 'compressed',
        });
      }
      case 'crc':
        v.setUint32(e.at + 16, (v.getUint32(e.at + 16, true) ^ (1 << rng.int(32))) >>> 0, true);
        return a(z, `level ${level}: CRC of ${name} changed`);
      case 'truncate': {
        const at = rng.int(z.length);
        return a(z.slice(0, at), `level ${level}: cut at byte ${at} of ${z.length}`);
      }
      case 'duplicate-entry':
        return a(duplicateZipEntry(z, k), `level ${level}: ${name} listed twice`, { expect, mustRead: true });
      case 'flip-data': {
        const start = e.local + 30 + e.nameLen;
        const len = Math.max(1, v.getUint32(e.at + 20, true));
        const at = start + rng.int(len);
        z[at] ^= 1 << rng.int(8);
        return a(z, `level ${level}: data byte ${at - start} of ${name} flipped`);
      }
    }
  }
  // tar.gz: the lies are told in the tar, which is then gzipped (a flipped gzip byte only fails the inflate).
  const list = entries.slice();
  if (kind === 'duplicate-entry') list.splice(rng.int(list.length + 1), 0, entries[k]);
  const { tar, headers } = makeTar(list);
  const h = headers[kind === 'duplicate-entry' ? 0 : k];
  const gz = (t: Uint8Array) => gzipSync(t, { level: rng.pick([1, 6, 9] as const) });
  switch (kind) {
    case 'none':
      return a(gz(tar), 'packed as is', { expect, mustRead: true });
    case 'duplicate-entry':
      return a(gz(tar), `${name} packed twice`, { expect, mustRead: true });
    case 'flip-header': {
      const at = h + rng.int(512);
      tar[at] ^= 1 << rng.int(8);
      const seal = rng.chance(0.5);
      if (seal) sealTarHeader(tar.subarray(h, h + 512));
      return a(gz(tar), `header of ${name}, byte ${at - h} flipped${seal ? ', checksum recomputed' : ''}`);
    }
    case 'declared-size':
    case 'bomb-3gb': {
      const [label, size] = kind === 'bomb-3gb' ? ['3e9', 3_000_000_000] : rng.pick(SIZES(data.length));
      octalField(tar, h + 124, 12, size);
      sealTarHeader(tar.subarray(h, h + 512));
      return a(gz(tar), `${name} declares size ${label} (${size})`, { mustRefuse: size > ARCHIVE_LIMIT });
    }
    case 'truncate': {
      const inner = rng.chance(0.5);
      const packed = inner ? tar : gz(tar);
      const at = rng.int(packed.length);
      return a(inner ? gz(packed.slice(0, at)) : packed.slice(0, at), `${inner ? 'tar' : 'gzip'} cut at byte ${at} of ${packed.length}`);
    }
    default: {
      // flip-data
      const start = h + 512;
      if (!data.length) return a(gz(tar), 'packed as is (an empty entry has no data to flip)', { expect, mustRead: true });
      const at = start + rng.int(data.length);
      tar[at] ^= 1 << rng.int(8);
      return a(gz(tar), `data byte ${at - start} of ${name} flipped`);
    }
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/** Samples ArrayBuffer memory while `f` runs (the sync readers only after). */
async function withMemory<T>(f: () => Promise<T>): Promise<{ value: T | null; error: unknown; peak: number; cpuMs: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  };
  const timer = setInterval(sample, 5);
  const cpu0 = process.cpuUsage();
  let value: T | null = null;
  let error: unknown = null;
  try {
    value = await f();
  } catch (e) {
    error = e;
  }
  sample();
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  return { value, error, peak, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function checkRead(
  label: string,
  arc: Archive,
  r: { value: Map<string, Uint8Array> | null; error: unknown; peak: number; cpuMs: number },
  violations: string[],
): string {
  const v = (m: string) => violations.push(`${label}: ${m}`);
  if (r.peak > MEMORY_BOUND) v(`held ${(r.peak / 2 ** 20).toFixed(0)} MB of ArrayBuffers (> ${(MEMORY_BOUND / 2 ** 20).toFixed(0)} MB)`);
  if (r.cpuMs > CPU_BUDGET_MS) v(`took ${r.cpuMs.toFixed(0)} ms of CPU (> ${CPU_BUDGET_MS} ms)`);
  if (r.error !== null) {
    const e = r.error;
    if (arc.mustRead) v(`an intact archive was refused: ${(e as Error)?.message}`);
    if (!(e instanceof Error)) {
      v(`threw a non-Error: ${String(e)}`);
      return 'non-Error';
    }
    if (e instanceof RangeError || /allocation|Array buffer|Invalid typed array length|out of memory/i.test(e.message)) v(`threw ${e.name}: ${e.message}`);
    if (e instanceof TypeError && /Cannot read|is not a function|undefined|null/.test(e.message)) v(`threw an internal TypeError: ${e.message}`);
    if (!e.message) v('threw an Error without a message');
    if (e instanceof SizeLimitError) {
      if (e.limit !== ARCHIVE_LIMIT) v(`SizeLimitError names limit ${e.limit}`);
      return `SizeLimitError (${e.known})`;
    }
    if (arc.mustRefuse) v(`a declared size past the limit was refused as ${e.name}, not as a SizeLimitError: ${e.message}`);
    return `${e.name}: ${e.message
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+/g, 'N')
      .slice(0, 80)}`;
  }
  const got = r.value!;
  if (arc.mustRefuse) v('a declared size past the limit was read');
  let total = 0;
  for (const [p, d] of got) {
    total += d.length;
    if (arc.expect && !(arc.expect.has(p) && sameBytes(arc.expect.get(p)!, d)))
      v(`${p}: ${arc.expect.has(p) ? 'bytes differ from those packed' : 'was not packed'}`);
    if (arc.contents && !arc.contents.has(key(d))) v(`${p}: returned ${d.length} bytes that no packed entry holds (sizes and CRCs are checked)`);
  }
  if (arc.expect && got.size !== arc.expect.size) v(`returned ${got.size} entries of ${arc.expect.size}`);
  if (total > ARCHIVE_LIMIT) v(`returned ${total} bytes, past the ${ARCHIVE_LIMIT} limit`);
  return 'read';
}

export async function archivesCase(rng: Rng, bundles: { name: string; files: BundleFiles }[]): Promise<PhaseResult> {
  const b = rng.pick(bundles);
  const arc = makeArchive(rng, b.files);
  const violations: string[] = [];
  const file = `x.${arc.format}`;
  const direct = await withMemory(async () =>
    arc.format === 'zip' ? readZip(arc.bytes, { maxBytes: ARCHIVE_LIMIT, subject: file }) : readTarGz(arc.bytes, { maxBytes: ARCHIVE_LIMIT, subject: file }),
  );
  const outcome = checkRead(arc.format === 'zip' ? 'readZip' : 'readTarGz', arc, direct, violations);
  // Dropped: the same archive through collectFiles, whose refusals must name the archive.
  const dropped = await withMemory(async () => {
    const files = await collectFiles([{ path: file, file: new Blob([arc.bytes as Uint8Array<ArrayBuffer>]) }], undefined, { maxUnpackedBytes: ARCHIVE_LIMIT });
    const out = new Map<string, Uint8Array>();
    for (const [p, body] of files) out.set(p.slice(file.length + 1), body as Uint8Array);
    return out;
  });
  checkRead('collectFiles', arc, dropped, violations);
  const e = dropped.error;
  if (e !== null && !(e instanceof SizeLimitError)) {
    if (!(e instanceof ScanError)) violations.push(`collectFiles threw ${(e as Error)?.name}, not a ScanError: ${(e as Error)?.message}`);
    else if (e.info.file !== file || !e.info.message.includes(file) || !e.info.causes.length)
      violations.push(`collectFiles: the refusal does not name ${file} with a cause: ${JSON.stringify(e.info).slice(0, 200)}`);
  }
  if ((direct.error === null) !== (dropped.error === null))
    violations.push(`readers disagree: ${direct.error === null ? 'read' : 'refused'} directly, ${dropped.error === null ? 'read' : 'refused'} dropped`);
  return { kind: arc.kind, bundle: b.name, description: arc.description, violations, outcome, cpuMs: direct.cpuMs + dropped.cpuMs };
}
