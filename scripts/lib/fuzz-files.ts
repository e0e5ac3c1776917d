/**
 * The `files` phase of the robustness fuzzer: special files in a bundle on
 * disk, as a tarball someone else made can carry them (src/cli/directory-source.ts).
 * Case I writes a corpus bundle that reduces cleanly to a temporary folder and
 * puts in place of its manifest, its event log or a payload it reads: a FIFO,
 * a symlink to /dev/zero, a symlink to a file outside the bundle (a copy with
 * a secret in its strings), a symlink to a directory, a directory; or links
 * the payload folder from outside; or makes the file a symlink to a copy of
 * itself inside the bundle. Reducing with DirectorySource must finish (the
 * parent's watchdog kills a hang) with an error naming that file and without
 * the outside file's content in the state, or, for the link inside the
 * bundle, give exactly the state it gives without the link.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectorySource } from '../../src/cli/directory-source';
import type { ReduceResult } from '../../src/trace/api';
import { reduceBundle } from '../../src/trace/reducer';
import { serializeState } from '../../src/trace/serialize';
import { type BundleFiles, writeBundleDir } from './bundle-files';
import type { PhaseResult } from './phases';
import type { Rng } from './prng';
import { sourceFor } from './robustness';

const SECRET = 'FUZZ-SECRET-8d1f0c';
const CPU_BUDGET_MS = 5_000;

export const SPECIAL_KINDS = ['fifo', 'dev-zero', 'outside-file', 'dir-symlink', 'directory', 'inside-symlink', 'payloads-from-outside'] as const;
type Special = (typeof SPECIAL_KINDS)[number];

const clean = new Map<string, ReduceResult>();

async function cleanResult(name: string, files: BundleFiles): Promise<ReduceResult> {
  let r = clean.get(name);
  if (!r) clean.set(name, (r = await reduceBundle(sourceFor(files, true))));
  return r;
}

/** Payload files the event log references (each is read, or checked, by the reduction). */
function referencedPayloads(files: BundleFiles): string[] {
  const refs = new Set<string>();
  for (const m of (files.trace ?? '').matchAll(/"path":"(payloads\/[^"]+)"/g)) if (files.files.has(m[1])) refs.add(m[1]);
  return [...refs].sort();
}

/** The file's text with the secret put into its strings: what must not reach the state if the link is followed. */
function withSecret(text: string): string {
  return text.replace(/("(?:trace_id|text|message|input_preview|label|model|summary)"\s*:\s*")/g, `$1${SECRET} `);
}

const errorText = (r: ReduceResult) => (r.error ? [r.error.file, r.error.message, ...r.error.causes].join('\n') : '');

export async function filesCase(rng: Rng, bundles: { name: string; files: BundleFiles }[], i: number): Promise<PhaseResult> {
  // Bundles that reduce cleanly, so that any error is the special file's.
  const healthy: { name: string; files: BundleFiles; clean: ReduceResult }[] = [];
  for (const b of bundles.filter((x) => !x.name.startsWith('broken'))) {
    const r = await cleanResult(b.name, b.files);
    if (!r.error) healthy.push({ ...b, clean: r });
  }
  const b = rng.pick(healthy);
  const payloads = referencedPayloads(b.files);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `ctv-fuzz-files-${i}-`));
  try {
    return await specialCase(rng, b, payloads, root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function specialCase(rng: Rng, b: { name: string; files: BundleFiles; clean: ReduceResult }, payloads: string[], root: string): Promise<PhaseResult> {
  const special: Special = rng.pick(SPECIAL_KINDS.filter((k) => k !== 'payloads-from-outside' || payloads.length));
  const target =
    special === 'payloads-from-outside'
      ? rng.pick(payloads)
      : rng.pick(['manifest.json', 'trace.jsonl', ...(payloads.length ? [rng.pick(payloads), rng.pick(payloads)] : [])]);
  const dir = path.join(root, 'bundle');
  writeBundleDir(dir, b.files);
  const full = path.join(dir, target);
  const original = fs.readFileSync(full);
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  switch (special) {
    case 'fifo':
      fs.rmSync(full);
      execFileSync('mkfifo', [full]);
      break;
    case 'dev-zero':
      fs.rmSync(full);
      fs.symlinkSync('/dev/zero', full);
      break;
    case 'outside-file': {
      const secret = path.join(outside, path.basename(target));
      fs.writeFileSync(secret, withSecret(original.toString('utf8')));
      fs.rmSync(full);
      fs.symlinkSync(rng.chance(0.5) ? secret : path.relative(path.dirname(full), secret), full);
      break;
    }
    case 'dir-symlink':
      fs.rmSync(full);
      fs.symlinkSync(rng.chance(0.5) ? outside : dir, full);
      break;
    case 'directory':
      fs.rmSync(full);
      fs.mkdirSync(full);
      fs.writeFileSync(path.join(full, 'x.json'), '{}');
      break;
    case 'inside-symlink': {
      const moved = path.join(path.dirname(full), `moved-${path.basename(target)}`);
      fs.renameSync(full, moved);
      fs.symlinkSync(path.basename(moved), full);
      break;
    }
    case 'payloads-from-outside': {
      // The payload folder is a link to a copy elsewhere, with the secret in its strings.
      const copy = path.join(outside, 'payloads');
      fs.cpSync(path.join(dir, 'payloads'), copy, { recursive: true });
      for (const f of fs.readdirSync(copy)) fs.writeFileSync(path.join(copy, f), withSecret(fs.readFileSync(path.join(copy, f), 'utf8')));
      fs.rmSync(path.join(dir, 'payloads'), { recursive: true });
      fs.symlinkSync(copy, path.join(dir, 'payloads'));
      break;
    }
  }
  const violations: string[] = [];
  const cpu0 = process.cpuUsage();
  let r: ReduceResult | null = null;
  try {
    r = await reduceBundle(new DirectorySource(dir), rng.chance(0.5) ? { unknownEvents: 'skip' } : {});
  } catch (e) {
    violations.push(`uncaught exception: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600));
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (cpuMs > CPU_BUDGET_MS) violations.push(`took ${cpuMs.toFixed(0)} ms of CPU (> ${CPU_BUDGET_MS} ms)`);
  let outcome = 'exception';
  if (r) {
    if (special === 'inside-symlink') {
      outcome = r.error ? 'refused' : 'read';
      if (r.error) violations.push(`a link to a file inside the bundle was refused: ${errorText(r).slice(0, 200)}`);
      else if (serializeState(r.state!) !== serializeState(b.clean.state!))
        violations.push('a link to a file inside the bundle gives another state than the file itself');
    } else {
      outcome = r.error ? `refused: ${r.error.causes[0]?.replace(/^\S+ /, '').slice(0, 60) ?? r.error.message}` : 'read';
      if (!r.error) violations.push(`a ${special} in place of ${target} was read`);
      else {
        // With the payload folder linked from outside, the first payload read is the one named.
        const named =
          special === 'payloads-from-outside' ? /payloads\/\S+ lies in a folder linked from outside/.test(errorText(r)) : errorText(r).includes(target);
        if (!named) violations.push(`the error does not name ${special === 'payloads-from-outside' ? 'a payload' : target}: ${errorText(r).slice(0, 200)}`);
      }
    }
    if (r.state && JSON.stringify(r.state).includes(SECRET)) violations.push(`the state holds content of a file outside the bundle`);
    if (r.error && errorText(r).includes(SECRET)) violations.push(`the error holds content of a file outside the bundle`);
  }
  return {
    kind: `${special} as ${target.startsWith('payloads/') ? 'payload' : target}`,
    bundle: b.name,
    description: `${special} in place of ${target}`,
    violations,
    outcome,
    cpuMs,
  };
}
