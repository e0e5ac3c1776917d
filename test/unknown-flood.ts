/**
 * A bundle flooded with events of types the reducer does not know, as a newer
 * Codex that writes a frequent new event type would make it: single-turn-answer
 * with `n` unknown events inserted after line `after`, seq renumbered so the
 * log stays contiguous. Unknown events take lines after+1 … after+n and seqs
 * after+1 … after+n (the fixture's line k has seq k).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRACES } from './loader-helpers';

export const FLOOD_BASE = 'single-turn-answer';

export interface FloodOptions {
  /** Insert after this line (1-based); default 6. */
  after?: number;
  /** The type of the i-th inserted event (default every one `foo_bar`). */
  typeOf?: (i: number) => string;
}

export function floodedTrace(n: number, { after = 6, typeOf = () => 'foo_bar' }: FloodOptions = {}): string {
  const lines = readFileSync(path.join(TRACES, FLOOD_BASE, 'trace.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const template = JSON.parse(lines[after - 1]) as Record<string, unknown>;
  const before = lines.slice(0, after);
  // The envelope's required fields as a fixed prefix (thread and turn are optional): building 200k lines stays a string concatenation.
  const head = JSON.stringify({
    schema_version: template.schema_version,
    wall_time_unix_ms: template.wall_time_unix_ms,
    rollout_id: template.rollout_id,
  }).slice(1, -1);
  const inserted: string[] = new Array(n);
  let lastType = '';
  let lastJson = '';
  for (let i = 0; i < n; i++) {
    const t = typeOf(i);
    if (t !== lastType) [lastType, lastJson] = [t, JSON.stringify(t)];
    inserted[i] = `{"seq":${after + 1 + i},${head},"payload":{"type":${lastJson}}}`;
  }
  const tail = lines.slice(after).map((l) => {
    const ev = JSON.parse(l) as { seq: number };
    ev.seq += n;
    return JSON.stringify(ev);
  });
  return `${before.join('\n')}\n${inserted.join('\n')}\n${tail.join('\n')}\n`;
}

/** The flooded bundle as files in `dir` (manifest and payloads copied from the fixture). */
export function writeFloodedBundle(dir: string, n: number, options?: FloodOptions): string {
  mkdirSync(dir, { recursive: true });
  const src = path.join(TRACES, FLOOD_BASE);
  cpSync(path.join(src, 'manifest.json'), path.join(dir, 'manifest.json'));
  cpSync(path.join(src, 'payloads'), path.join(dir, 'payloads'), { recursive: true });
  writeFileSync(path.join(dir, 'trace.jsonl'), floodedTrace(n, options));
  return dir;
}
