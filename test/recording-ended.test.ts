/**
 * Whether a served bundle's recording has ended, read from its log's last
 * line: a large finished bundle is then reduced by `serve` (nothing more will
 * come to follow), a recording one is read and followed in the tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENDED_QUIET_MS, recordingEnded } from '../src/cli/recording-ended';
import { TRACES } from './loader-helpers';

const FIXTURES = path.dirname(TRACES);
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ctv-ended-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture bundle whose log is `edit`ed, last modified `ageMs` ago. */
function bundle(from: string, edit: (log: string) => string, ageMs: number): string {
  const dir = mkdtempSync(path.join(tmp, 'b-'));
  cpSync(path.join(FIXTURES, from, 'manifest.json'), path.join(dir, 'manifest.json'));
  const log = path.join(dir, 'trace.jsonl');
  writeFileSync(log, edit(readFileSync(path.join(FIXTURES, from, 'trace.jsonl'), 'utf8')));
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(log, at, at);
  return dir;
}

const dropLastLine = (log: string) => `${log.trimEnd().split('\n').slice(0, -1).join('\n')}\n`;

describe('recordingEnded', () => {
  it('a log ending in recording_completed has ended, at once', async () => {
    expect(await recordingEnded(bundle('traces/image-input', (l) => l, 0))).toBe(true);
    expect(await recordingEnded(bundle('traces-schema3/long-session', (l) => l, 0))).toBe(true);
  });

  it('a log ending in rollout_ended has ended once it has been left alone a moment (releases without recording_completed)', async () => {
    expect(await recordingEnded(bundle('traces-variants/0.125.0-single-turn-answer', (l) => l, ENDED_QUIET_MS + 1000))).toBe(true);
    // Releases that write recording_completed write it just after: a fresh rollout_ended may still be followed by it.
    expect(await recordingEnded(bundle('traces-variants/0.125.0-single-turn-answer', (l) => l, 0))).toBe(false);
    expect(await recordingEnded(bundle('traces/image-input', dropLastLine, 0))).toBe(false);
  });

  it('a log still being written, or cut short, has not ended', async () => {
    // Its last event is another one.
    expect(await recordingEnded(bundle('traces/image-input', (l) => dropLastLine(dropLastLine(l)), 60_000))).toBe(false);
    // Its last line is half written.
    expect(await recordingEnded(bundle('traces/image-input', (l) => l.trimEnd().slice(0, -20), 60_000))).toBe(false);
    // The ending event without its newline yet.
    expect(await recordingEnded(bundle('traces/image-input', (l) => l.trimEnd(), 60_000))).toBe(false);
    expect(await recordingEnded(bundle('traces/image-input', () => '', 60_000))).toBe(false);
    expect(await recordingEnded(path.join(tmp, 'no-such-bundle'))).toBe(false);
  });

  it('a last line that only mentions the event is not it', async () => {
    const fake = '{"seq":9,"payload":{"type":"tool_call_ended","output":"{\\"type\\":\\"recording_completed\\"}"}}\n';
    expect(await recordingEnded(bundle('traces/image-input', (l) => dropLastLine(l) + fake, 60_000))).toBe(false);
  });
});
