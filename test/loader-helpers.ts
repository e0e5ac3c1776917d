/** Shared by the loader tests: fixture bundles as browser-like inputs, archives built in memory. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { zipSync } from 'fflate';
import type { InputFile } from '../src/trace/bundle/scan';
import type { DroppedHandle } from '../src/worker/handles';
import { resultStateParts, type WorkerResponse } from '../src/worker/protocol';
import type { RolloutTrace } from '../src/trace/schema/state';

export const TRACES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/traces');

/** Every file under `dir`, as paths relative to `dir`'s parent (like webkitRelativePath: `long-session/payloads/1.json`). */
export function listFiles(dir: string, base = path.dirname(dir)): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** A fixture bundle folder as picked with a folder input. */
export function folderInputs(name: string): InputFile[] {
  const dir = path.join(TRACES, name);
  return listFiles(dir).map((rel) => ({ path: rel, file: new File([readFileSync(path.join(path.dirname(dir), rel))], path.basename(rel)) }));
}

/** A .zip of fixture bundle folders, built with fflate (entries under `<name>/`). */
export function zipOf(names: string[], prefix = ''): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const name of names) {
    const dir = path.join(TRACES, name);
    for (const rel of listFiles(dir)) files[prefix + rel] = new Uint8Array(readFileSync(path.join(path.dirname(dir), rel)));
  }
  return zipSync(files, { level: 6 });
}

/** A .tar.gz of a fixture folder made by the system `tar` (so the reader is checked against a real archiver). */
export function tgzOf(name: string, format: 'gnu' | 'ustar' | 'pax' = 'gnu'): Uint8Array {
  return new Uint8Array(execFileSync('tar', ['-czf', '-', `--format=${format}`, '-C', TRACES, name], { maxBuffer: 1 << 28 }));
}

export function fixtureState(name: string): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(path.join(TRACES, name, 'state.json'), 'utf8'));
}

/** The counts the summary shows, from an official state.json. */
export function officialCounts(name: string) {
  const s = fixtureState(name);
  const n = (k: string) => Object.keys(s[k]).length;
  return {
    threads: n('threads'),
    turns: n('codex_turns'),
    items: n('conversation_items'),
    inferenceCalls: n('inference_calls'),
    toolCalls: n('tool_calls'),
    compactions: n('compactions'),
  };
}

/** A fake file-system handle tree over a fixture folder, as `getAsFileSystemHandle` gives for a dropped folder. */
export function handleFor(absDir: string, reads?: string[], at = path.basename(absDir)): DroppedHandle {
  return {
    kind: 'directory',
    name: path.basename(absDir),
    async *values() {
      // A folder's listing is told as `list:<path>`.
      reads?.push(`list:${at}`);
      for (const e of readdirSync(absDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(absDir, e.name);
        if (e.isDirectory()) yield handleFor(p, reads, `${at}/${e.name}`);
        else
          yield {
            kind: 'file' as const,
            name: e.name,
            getFile: async () => {
              reads?.push(`${at}/${e.name}`);
              return new File([readFileSync(p)], e.name);
            },
          };
      }
    },
  };
}

/** The state a result message carries, parsed as the page parses it, whichever form it came in (null: none). */
export function stateOf(r: Extract<WorkerResponse, { type: 'result' }>): RolloutTrace | null {
  const parts = resultStateParts(r);
  return parts === null ? null : (Object.fromEntries(parts.map(([k, json]) => [k, JSON.parse(json()) as unknown])) as RolloutTrace);
}
