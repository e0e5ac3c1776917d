import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { strToU8, zipSync, gunzipSync } from 'fflate';
import { readZip } from '../src/trace/bundle/zip';
import { withReadAhead } from '../src/trace/bundle/readahead';
import { readTar, readTarGz } from '../src/trace/bundle/tar';
import { normalizePath } from '../src/trace/bundle/paths';
import { MemorySource, type FileBody } from '../src/trace/bundle/source';
import {
  archiveKind,
  bundleSource,
  bundleSources,
  checkManifest,
  describeBundles,
  findBundleDirs,
  groupByRollout,
  ScanError,
  singleBundleFiles,
} from '../src/trace/bundle/scan';
import { collectFiles } from '../src/trace/bundle/unpack';
import { TRACES, folderInputs, listFiles, tgzOf, zipOf } from './loader-helpers';

const fixtureText = (rel: string) => readFileSync(path.join(TRACES, rel), 'utf8');
const fileOf = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name);

describe('paths', () => {
  it('normalizes separators and refuses climbing out', () => {
    expect(normalizePath('a\\b/./c.json')).toBe('a/b/c.json');
    expect(normalizePath('/a//b/')).toBe('a/b');
    expect(normalizePath('a/../b')).toBeNull();
    expect(normalizePath('')).toBeNull();
  });
});

describe('zip reader', () => {
  it('reads every file of a bundle zipped with fflate, byte for byte', () => {
    const entries = readZip(zipOf(['single-turn-answer']));
    expect([...entries.keys()].sort()).toEqual(listFiles(path.join(TRACES, 'single-turn-answer')));
    expect(new TextDecoder().decode(entries.get('single-turn-answer/trace.jsonl'))).toBe(fixtureText('single-turn-answer/trace.jsonl'));
  });

  it('drops directory entries, macOS junk and paths that climb out', () => {
    const zip = zipSync({
      'b/': new Uint8Array(),
      'b/manifest.json': strToU8('{}'),
      '__MACOSX/b/._manifest.json': strToU8('junk'),
      'b/.DS_Store': strToU8('junk'),
      '../evil.json': strToU8('x'),
    });
    expect([...readZip(zip).keys()]).toEqual(['b/manifest.json']);
  });

  it('throws on bytes that are not a zip', () => {
    expect(() => readZip(strToU8('definitely not a zip file'))).toThrow();
  });
});

describe('tar reader', () => {
  for (const format of ['gnu', 'ustar', 'pax'] as const) {
    it(`reads a .tar.gz made by system tar (${format} format)`, async () => {
      const entries = await readTarGz(tgzOf('tools-one-turn', format));
      expect([...entries.keys()].sort()).toEqual(listFiles(path.join(TRACES, 'tools-one-turn')));
      expect(new TextDecoder().decode(entries.get('tools-one-turn/payloads/3.json'))).toBe(fixtureText('tools-one-turn/payloads/3.json'));
    });
  }

  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    it(`reads paths longer than 100 characters (${format})`, async () => {
      const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(20)}`;
      const tgz = execFileSync('tar', ['-czf', '-', `--format=${format}`, '-C', TRACES, `--transform=s,^single-turn-answer,${deep},`, 'single-turn-answer']);
      const entries = await readTarGz(new Uint8Array(tgz));
      expect(entries.has(`${deep}/manifest.json`)).toBe(true);
      expect(entries.has(`${deep}/payloads/1.json`)).toBe(true);
    });
  }

  it('rejects a damaged header and a truncated archive', () => {
    const tar = gunzipSync(tgzOf('single-turn-answer', 'ustar'));
    const damaged = tar.slice();
    damaged[10] ^= 0xff; // inside the first header's name: the checksum no longer matches
    expect(() => readTar(damaged)).toThrow(/checksum/);
    // One file of a few KB: header at 0, data from 512. Cut inside the data, then inside the next header.
    const one = new Uint8Array(execFileSync('tar', ['-cf', '-', '--format=ustar', '-C', TRACES, 'single-turn-answer/trace.jsonl']));
    expect(readTar(one).size).toBe(1);
    expect(() => readTar(one.slice(0, 1024))).toThrow(/cut off/);
    const two = new Uint8Array(
      execFileSync('tar', ['-cf', '-', '--format=ustar', '-C', TRACES, 'single-turn-answer/manifest.json', 'single-turn-answer/trace.jsonl']),
    );
    expect(() => readTar(two.slice(0, 1024 + 200))).toThrow(/cut off/);
  });

  it('does not mistake random bytes for a tar', () => {
    expect(() => readTar(strToU8('x'.repeat(2048)))).toThrow();
  });
});

describe('bundle detection', () => {
  it('knows archive names', () => {
    expect(archiveKind('a/B.ZIP')).toBe('zip');
    expect(archiveKind('x.tar.gz')).toBe('tar.gz');
    expect(archiveKind('x.tgz')).toBe('tar.gz');
    expect(archiveKind('x.tar')).toBe('tar');
    expect(archiveKind('trace.jsonl')).toBeNull();
  });

  it('finds bundle roots by trace.jsonl, nested bundles included', () => {
    const paths = folderInputs('multi-turn-resume').map((f) => f.path);
    expect(findBundleDirs(paths)).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    expect(findBundleDirs(['x/manifest.json', 'x/payloads/1.json'])).toEqual(['x']);
    expect(findBundleDirs(['README.md'])).toEqual([]);
  });

  it('strips the bundle directory from paths', async () => {
    const files = await collectFiles(folderInputs('single-turn-answer'));
    const src = bundleSource(files, 'single-turn-answer', 'single-turn-answer');
    expect(await src.readText('trace.jsonl')).toBe(fixtureText('single-turn-answer/trace.jsonl'));
    expect(await src.readText('payloads/1.json')).toBe(fixtureText('single-turn-answer/payloads/1.json'));
    expect(await src.readText('single-turn-answer/trace.jsonl')).toBeNull();
    expect(src.size('trace.jsonl')).toBe(Buffer.byteLength(fixtureText('single-turn-answer/trace.jsonl')));
  });

  it("a dropped root's bundles, sorted out at once, each read exactly the files they read alone, nested ones included", async () => {
    const files = await collectFiles(
      [...folderInputs('multi-turn-resume'), ...folderInputs('single-turn-answer')].map((f) => ({ ...f, path: `root/${f.path}` })),
    );
    const dirs = findBundleDirs([...files.keys()]);
    expect(dirs).toEqual(['root/multi-turn-resume', 'root/multi-turn-resume/bundle-2', 'root/multi-turn-resume/bundle-3', 'root/single-turn-answer']);
    const sourceOf = bundleSources(files, dirs);
    const filesOf = (src: MemorySource) => [...(src as unknown as { files: Map<string, FileBody> }).files];
    for (const dir of dirs) {
      // Every file under the bundle's folder, in the drop's order, its path made relative to the bundle.
      const alone = [...files].filter(([p]) => p.startsWith(`${dir}/`)).map(([p, body]) => [p.slice(dir.length + 1), body]);
      expect(filesOf(sourceOf(dir, dir))).toEqual(alone);
      expect(filesOf(bundleSource(files, dir, dir))).toEqual(alone);
      expect(alone.some(([p]) => p === 'trace.jsonl')).toBe(true);
    }
    // The outer bundle holds its resumed bundles' files too, as it does alone.
    expect(filesOf(sourceOf('root/multi-turn-resume', 'x')).some(([p]) => p === 'bundle-2/trace.jsonl')).toBe(true);
  });

  it('streams one plain bundle directly: its own files only, in the order the reducer reads them', () => {
    const blob = new Blob(['x']);
    const f = (p: string) => ({ path: p, file: blob });
    const picked = [f('b/payloads/10.json'), f('b/state.json'), f('b/payloads/2.json'), f('b/trace.jsonl'), f('b/scenario.md'), f('b/manifest.json')];
    expect(singleBundleFiles(picked)?.map((x) => x.path)).toEqual(['manifest.json', 'trace.jsonl', 'payloads/2.json', 'payloads/10.json']);
    // Anything that needs the full scan is left to it: archives, several bundles, a missing manifest or event log.
    expect(singleBundleFiles([...picked, f('b.zip')])).toBeNull();
    expect(singleBundleFiles([...picked, f('b/bundle-2/trace.jsonl'), f('b/bundle-2/manifest.json')])).toBeNull();
    expect(singleBundleFiles(picked.filter((x) => !x.path.endsWith('manifest.json')))).toBeNull();
    expect(singleBundleFiles(picked.filter((x) => !x.path.endsWith('trace.jsonl')))).toBeNull();
  });
});

describe('manifest check', () => {
  it('accepts schema 2', () => {
    const r = checkManifest(fixtureText('single-turn-answer/manifest.json'));
    expect(r.problem).toBeNull();
    expect(r.manifest).toEqual(JSON.parse(fixtureText('single-turn-answer/manifest.json')));
  });

  it('explains a missing manifest, bad JSON, missing fields and another schema in plain words', () => {
    expect(checkManifest(null).problem?.message).toMatch(/manifest\.json is missing/);
    expect(checkManifest('{oops').problem?.message).toMatch(/not valid JSON/);
    expect(checkManifest('{"schema_version":2}').problem?.message).toMatch(/trace_id/);
    const p = checkManifest(fixtureText('broken/unknown-schema-version/manifest.json')).problem;
    expect(p?.message).toMatch(/trace schema 99: no Codex release writes it/);
    expect(p?.causes.join(' ')).toMatch(/1 \(Codex 0\.125\.0 – 0\.164\.0\), 2 \(Codex 0\.165\.0 – 0\.169\.1\), 3 \(Codex 0\.171\.0\)/);
    expect(p?.file).toBe('manifest.json');
  });
});

describe('collectFiles + describeBundles', () => {
  it('unpacks a zip and a tgz among loose inputs, each under its own name', async () => {
    const files = await collectFiles([
      { path: 'a.zip', file: fileOf(zipOf(['single-turn-answer']), 'a.zip') },
      { path: 'b.tgz', file: fileOf(tgzOf('mcp-tools'), 'b.tgz') },
      ...folderInputs('image-input'),
    ]);
    expect(findBundleDirs(files.keys())).toEqual(['a.zip/single-turn-answer', 'b.tgz/mcp-tools', 'image-input']);
  });

  it('names an unreadable archive', async () => {
    const err = await collectFiles([{ path: 'bad.zip', file: new File(['not a zip'], 'bad.zip') }]).catch((e) => e);
    expect(err).toBeInstanceOf(ScanError);
    expect((err as ScanError).info.file).toBe('bad.zip');
    expect((err as ScanError).info.message).toMatch(/Could not unpack bad\.zip/);
  });

  it('describes the bundles of a resumed session (one rollout, three bundles) with start and size', async () => {
    const files = await collectFiles(folderInputs('multi-turn-resume'));
    const bundles = await describeBundles(files, 'multi-turn-resume');
    expect(bundles.map((b) => b.key)).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    const manifests = bundles.map((b) => JSON.parse(fixtureText(`${b.key}/manifest.json`)));
    expect(bundles.map((b) => b.startedAtUnixMs)).toEqual(manifests.map((m) => m.started_at_unix_ms));
    expect(bundles.every((b) => b.problem === null)).toBe(true);
    // The top bundle's size excludes the nested bundles' files.
    const ownFiles = listFiles(path.join(TRACES, 'multi-turn-resume')).filter((p) => !p.includes('/bundle-'));
    const ownSize = ownFiles.reduce((n, p) => n + readFileSync(path.join(TRACES, p)).byteLength, 0);
    expect(bundles[0].sizeBytes).toBe(ownSize);
    const sizeOf = (dir: string) => listFiles(path.join(TRACES, dir)).reduce((n, p) => n + readFileSync(path.join(TRACES, path.dirname(dir), p)).byteLength, 0);
    expect(bundles.slice(1).map((b) => b.sizeBytes)).toEqual([sizeOf('multi-turn-resume/bundle-2'), sizeOf('multi-turn-resume/bundle-3')]);

    const groups = groupByRollout(bundles);
    expect(groups).toHaveLength(1);
    expect(groups[0].rolloutId).toBe(manifests[0].rollout_id);
    expect(new Set(manifests.map((m) => m.rollout_id)).size).toBe(1);
  });

  it('groups several sessions by rollout, ordered by start time, unloadable ones last', async () => {
    const files = await collectFiles([
      ...folderInputs('multi-turn-resume'),
      ...folderInputs('single-turn-answer'),
      ...folderInputs('multi-agent'),
      ...folderInputs('broken/missing-manifest'),
      ...folderInputs('broken/unknown-schema-version'),
    ]);
    const bundles = await describeBundles(files, 'drop');
    const groups = groupByRollout(bundles);
    const starts = groups.slice(0, -1).map((g) => g.bundles[0].startedAtUnixMs!);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const resume = groups.find((g) => g.bundles.some((b) => b.key === 'multi-turn-resume'))!;
    expect(resume.bundles.map((b) => b.key)).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    const last = groups[groups.length - 1];
    expect(last.rolloutId).toBeNull();
    expect(last.bundles.map((b) => b.key)).toEqual(['missing-manifest']);
    expect(last.bundles[0].problem?.message).toMatch(/manifest\.json is missing/);
    // A readable manifest of another schema still groups by its rollout, but cannot be opened.
    const v99 = bundles.find((b) => b.key === 'unknown-schema-version')!;
    expect(v99.problem?.message).toMatch(/schema 99/);
  });

  it('reads a bundle whose files are Blobs, bytes or strings alike', async () => {
    const files = new Map<string, FileBody>([
      ['x/manifest.json', new Blob([fixtureText('single-turn-answer/manifest.json')])],
      ['x/trace.jsonl', strToU8(fixtureText('single-turn-answer/trace.jsonl'))],
      ['x/payloads/1.json', '{}'],
    ]);
    const [b] = await describeBundles(files, 'x');
    expect(b.problem).toBeNull();
    const src = bundleSource(files, 'x', 'x') as MemorySource;
    expect(await src.readText('payloads/1.json')).toBe('{}');
  });
});

describe('read-ahead', () => {
  it('reads the payloads trace.jsonl mentions a window ahead, in order, once each; errors reach the reader', async () => {
    const trace = [1, 2, 3, 2, 4, 5, 6].map((n) => `{"seq":${n},"payload":{"ref":{"path":"payloads/${n}.json"}}}`).join('\n');
    const reads: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const base = {
      name: 'b',
      readBytes: async () => null,
      async readText(p: string) {
        reads.push(p);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (p === 'payloads/5.json') throw new Error('disk on fire');
        return p === 'trace.jsonl' ? trace : p === 'payloads/6.json' ? null : `body of ${p}`;
      },
    };
    const src = withReadAhead(base, 2);
    expect(await src.readText('trace.jsonl')).toBe(trace);
    expect(reads).toEqual(['trace.jsonl', 'payloads/1.json', 'payloads/2.json']);
    expect(await src.readText('payloads/1.json')).toBe('body of payloads/1.json');
    expect(reads.slice(3)).toEqual(['payloads/3.json']); // window slid by one
    expect(await src.readText('payloads/2.json')).toBe('body of payloads/2.json');
    expect(await src.readText('payloads/2.json')).toBe('body of payloads/2.json'); // asked again: read again
    expect(await src.readText('payloads/3.json')).toBe('body of payloads/3.json');
    expect(await src.readText('payloads/4.json')).toBe('body of payloads/4.json');
    await expect(src.readText('payloads/5.json')).rejects.toThrow('disk on fire');
    expect(await src.readText('payloads/6.json')).toBeNull();
    expect(reads.filter((r) => r === 'payloads/4.json')).toHaveLength(1);
    expect(maxInFlight).toBeGreaterThan(1);
  });
});
