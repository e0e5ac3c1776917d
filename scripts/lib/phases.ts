/**
 * Phases of the robustness fuzzer (scripts/fuzz-robustness.ts), each a kind
 * of hostile input: `reducer` (mutated bundles, ./hostile and ./mutate),
 * `links` (share-link view states, ./fuzz-links), `archives` (bombs and
 * lying zips and tar.gz, ./fuzz-archives), `files` (special files in a bundle
 * on disk, ./fuzz-files) and `ansi` (control sequences in terminal output,
 * ./fuzz-ansi). With several phases, case I belongs to phase I mod their
 * number, so a case keeps its number (and its replay) whatever else runs.
 */
import type { BundleFiles } from './bundle-files';
import { ansiCase } from './fuzz-ansi';
import { archivesCase } from './fuzz-archives';
import { filesCase } from './fuzz-files';
import { linksCase } from './fuzz-links';
import { Rng } from './prng';

export const PHASES = ['reducer', 'links', 'archives', 'files', 'ansi'] as const;
export type Phase = (typeof PHASES)[number];

/** What one case of a phase other than `reducer` found. */
export interface PhaseResult {
  kind: string;
  description: string;
  violations: string[];
  /** A short family name for what happened (read, refused and why...). */
  outcome: string;
  cpuMs?: number;
  bundle?: string;
}

/** `all`, or phase names separated by commas. */
export function parsePhases(text: string): Phase[] {
  if (text === 'all') return [...PHASES];
  const out = text.split(',').map((p) => p.trim());
  for (const p of out) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`unknown phase ${p} (phases: ${PHASES.join(', ')}, all)`);
  return out as Phase[];
}

export function phaseOf(i: number, phases: readonly Phase[]): Phase {
  return phases[i % phases.length];
}

/** Case i of a seed in a phase other than `reducer`: always the same input. */
export async function runPhaseCase(
  phase: Exclude<Phase, 'reducer'>,
  seed: string,
  i: number,
  bundles: { name: string; files: BundleFiles }[],
): Promise<PhaseResult> {
  const rng = new Rng(`${seed}:${phase}:${i}`);
  switch (phase) {
    case 'links':
      return linksCase(rng, bundles);
    case 'archives':
      return archivesCase(rng, bundles);
    case 'files':
      return filesCase(rng, bundles, i);
    case 'ansi':
      return ansiCase(rng);
  }
}
