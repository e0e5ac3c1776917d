/**
 * The hostile-input phases of `npm run fuzz` (issue 14), a few seeded cases
 * each so CI keeps them covered: floods of unknown events and prototype-named
 * ids (reducer phase), share links (links), bombs and lying archives
 * (archives), special files in a bundle on disk (files), and control
 * sequences in terminal output (ansi). Each case must find no violation; the
 * full runs are `npm run fuzz -- --phase <phase> --cases N`.
 */
import { describe, expect, it } from 'vitest';
import { corpusBundles } from '../scripts/fuzz-robustness';
import { type FloodMutant, type ProtoIdsMutant, mutateHostile } from '../scripts/lib/hostile';
import { mustShowText } from '../scripts/lib/fuzz-ansi';
import { type Phase, runPhaseCase } from '../scripts/lib/phases';
import { Rng } from '../scripts/lib/prng';
import { budgetFor, checkFlood, checkProtoIds, runCase } from '../scripts/lib/robustness';

const SEED = process.env.ROBUSTNESS_SEED ?? 'ci';
const bundles = corpusBundles(null, 1024);

async function phaseProblems(phase: Exclude<Phase, 'reducer'>, cases: number): Promise<{ problems: string[]; kinds: Set<string> }> {
  const problems: string[] = [];
  const kinds = new Set<string>();
  for (let i = 0; i < cases; i++) {
    const r = await runPhaseCase(phase, SEED, i, bundles);
    kinds.add(r.kind);
    for (const v of r.violations) problems.push(`${phase} case ${i} (${r.kind}: ${r.description.slice(0, 100)}): ${v.slice(0, 300)}`);
  }
  return { problems, kinds };
}

describe('fuzz phases', () => {
  it('reducer: floods of unknown events change nothing but lines and seqs, one diagnostic group per type', async () => {
    const problems: string[] = [];
    const names = ['single-turn-answer', 'tools-one-turn', 'broken/truncated-last-line', 'broken/unknown-event-type'];
    for (const [k, name] of names.entries()) {
      const b = bundles.find((x) => x.name === name)!;
      // Small floods here (the fuzzer's reach up to 200,000 events); the seed picks where and which types.
      let m: FloodMutant | null = null;
      for (let attempt = 0; !m || m.flood.types.size < 1 || [...m.flood.types.values()].reduce((n, t) => n + t.count, 0) > 20_000; attempt++)
        m = mutateHostile('unknown-flood', b.files, new Rng(`${SEED}:flood:${k}:${attempt}`)) as FloodMutant;
      const r = await runCase(m.files, k % 2 === 1, budgetFor(m.files));
      for (const v of [...r.violations, ...(await checkFlood(m, k % 2 === 1))]) problems.push(`${name} (${m.description.slice(0, 100)}): ${v.slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('reducer: an id renamed to a prototype name in every field that holds it leaves a clean bundle clean', async () => {
    const problems: string[] = [];
    const healthy = bundles.filter((b) => !b.name.startsWith('broken'));
    for (let i = 0; i < 12; i++) {
      const rng = new Rng(`${SEED}:proto-ids:${i}`);
      const b = rng.pick(healthy);
      const m = mutateHostile('proto-ids', b.files, rng) as ProtoIdsMutant | null;
      if (!m) continue;
      const r = await runCase(m.files, i % 2 === 1);
      for (const v of [...r.violations, ...(await checkProtoIds(m, i % 2 === 1))]) problems.push(`${b.name} (${m.description}): ${v.slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('links: hostile view states parse to null or a valid view, apply without throwing, and leave only own ids in the store', async () => {
    const { problems, kinds } = await phaseProblems('links', 16);
    expect(problems).toEqual([]);
    expect(kinds).toEqual(new Set(['links-loaded', 'links-pending']));
  }, 60_000);

  it('archives: lying zips and tar.gz are read exactly or refused with a named error, within memory', async () => {
    const { problems, kinds } = await phaseProblems('archives', 16);
    expect(problems).toEqual([]);
    expect(kinds.size).toBeGreaterThan(6);
  }, 60_000);

  it('files: FIFOs, links out of the bundle and directories are refused by name; a link inside reads the same', async () => {
    const { problems, kinds } = await phaseProblems('files', 14);
    expect(problems).toEqual([]);
    expect(kinds.size).toBeGreaterThan(5);
  }, 60_000);

  it('ansi: no printable character is hidden, and parsing stays linear', async () => {
    const { problems } = await phaseProblems('ansi', 60);
    expect(problems).toEqual([]);
  }, 60_000);

  it("ansi: the phase's model hides only complete sequences", () => {
    expect(mustShowText('a\u001b[31mb\u001b]0;t\u0007c\u001b(Bd')).toBe('abcd');
    expect(mustShowText('a\u001b(é\u009dtail\nnext\u001b[')).toBe('a(étail\nnext[');
  });
});
