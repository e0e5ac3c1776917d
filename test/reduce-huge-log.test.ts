/**
 * An event log past V8's string limit (issue 14, item 10): `reduce` read
 * trace.jsonl as one string and failed over 512 MiB with "Cannot create a
 * string longer than 0x1fffffe8 characters". The CLI's reader now hands the
 * log over in pieces; the state is the official one, and bad UTF-8 found part
 * way still gets the reference's verdict and empty partial state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { TRACES } from './loader-helpers';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-huge-log-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('an event log larger than a string can hold', () => {
  it('a 600 MiB trace.jsonl (events, then whitespace lines) reduces to the official state', async () => {
    const dir = path.join(tmp, 'huge');
    cpSync(path.join(TRACES, 'tools-one-turn'), dir, { recursive: true });
    // Lines of spaces are blank to the reference (Rust's trim) and skipped: 600 lines of 1 MiB each.
    const fd = openSync(path.join(dir, 'trace.jsonl'), 'a');
    const line = Buffer.alloc(1 << 20, 0x20);
    line[line.length - 1] = 0x0a;
    for (let i = 0; i < 600; i++) writeSync(fd, line);
    closeSync(fd);
    const result = await reduceBundle(new DirectorySource(dir));
    expect(result.error).toBeNull();
    expect(serializeState(result.state!)).toBe(readFileSync(path.join(TRACES, 'tools-one-turn/state.json'), 'utf8'));
  }, 120_000);

  it('bytes that are not UTF-8 far into the log: the reference message and no replayed event', async () => {
    const dir = path.join(tmp, 'bad-utf8');
    cpSync(path.join(TRACES, 'tools-one-turn'), dir, { recursive: true });
    // Past the first 16 MiB piece, so the events before it were already replayed when the bad byte is read.
    appendFileSync(path.join(dir, 'trace.jsonl'), Buffer.concat([Buffer.alloc(20 << 20, 0x20), Buffer.from([0x0a, 0xff, 0x0a])]));
    const result = await reduceBundle(new DirectorySource(dir));
    expect(result.error).toMatchObject({ file: 'trace.jsonl', line: null, message: 'read trace event log trace.jsonl' });
    expect(result.error!.causes.join(' ')).toContain('not valid UTF-8');
    expect(result.eventsApplied).toBe(0);
    expect(Object.keys(result.state!.threads)).toEqual([]);
  }, 60_000);
});
