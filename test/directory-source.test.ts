/**
 * `reduce` reads only regular files inside the bundle (issue 14, item 5): a
 * tarball someone else made can carry a payload symlinked to a file
 * elsewhere, a FIFO that would hang the reader, or a link to /dev/zero that
 * would never end. Each is refused with a message naming the file.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

const FIXTURE = path.join(__dirname, 'fixtures/traces/single-turn-answer');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ctv-special-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function bundleCopy(name: string): string {
  const dir = path.join(scratch, name);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('a bundle directory on disk', () => {
  it('a payload symlinked to a file outside the bundle is refused, and its content is not read', async () => {
    const dir = bundleCopy('outside-link');
    const secret = path.join(scratch, 'secret.json');
    writeFileSync(secret, '{"input":[],"secret":"do not read me"}');
    unlinkSync(path.join(dir, 'payloads/5.json'));
    symlinkSync(secret, path.join(dir, 'payloads/5.json'));
    const r = await reduceBundle(new DirectorySource(dir));
    expect(r.error).not.toBeNull();
    expect([r.error!.message, ...r.error!.causes].join('\n')).toMatch(/payloads\/5\.json links outside the bundle/);
    expect(JSON.stringify(r.state)).not.toContain('do not read me');
  });

  it('a payload linked to /dev/zero is refused at once', async () => {
    const dir = bundleCopy('dev-zero');
    unlinkSync(path.join(dir, 'payloads/5.json'));
    symlinkSync('/dev/zero', path.join(dir, 'payloads/5.json'));
    const r = await reduceBundle(new DirectorySource(dir));
    expect([r.error!.message, ...r.error!.causes].join('\n')).toMatch(/payloads\/5\.json links outside the bundle/);
  });

  it('a FIFO manifest or payload is refused instead of hanging', async () => {
    const dir = bundleCopy('fifo');
    unlinkSync(path.join(dir, 'payloads/5.json'));
    execFileSync('mkfifo', [path.join(dir, 'payloads/5.json')]);
    const r = await reduceBundle(new DirectorySource(dir));
    expect([r.error!.message, ...r.error!.causes].join('\n')).toMatch(/payloads\/5\.json is not a regular file/);
    const dir2 = bundleCopy('fifo-manifest');
    unlinkSync(path.join(dir2, 'manifest.json'));
    execFileSync('mkfifo', [path.join(dir2, 'manifest.json')]);
    const r2 = await reduceBundle(new DirectorySource(dir2));
    expect(r2.error!.file).toBe('manifest.json');
    expect(r2.error!.causes.join('\n')).toMatch(/not a regular file/);
  }, 10_000);

  it('a symlink that stays inside the bundle is still read', async () => {
    const dir = bundleCopy('inside-link');
    const moved = path.join(dir, 'payloads/moved-5.json');
    cpSync(path.join(dir, 'payloads/5.json'), moved);
    unlinkSync(path.join(dir, 'payloads/5.json'));
    symlinkSync('moved-5.json', path.join(dir, 'payloads/5.json'));
    const r = await reduceBundle(new DirectorySource(dir));
    expect(r.error).toBeNull();
    expect(serializeState(r.state!)).toBe(readFileSync(path.join(FIXTURE, 'state.json'), 'utf8'));
  });
});
