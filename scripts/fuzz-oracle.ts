/**
 * Differential fuzzing of our reducer against the official one.
 *
 *   npm run fuzz:oracle -- [--cases N] [--seed S] [--out DIR] [--kinds k1,k2] [--bundles b1,b2]
 *                          [--ours inproc|cli] [--max-bundle-kb K] [--only I[,J...]] [--keep-all]
 *
 * Takes the recorded bundles under test/fixtures/traces (not broken/), applies
 * one structure-aware mutation per case (drop / duplicate / move events with
 * and without seq renumbering, change enum values, ids, field values and types,
 * envelope context, null refs, remove or corrupt or edit payload files, cut
 * lines), reduces each mutant with ours and with `codex debug trace-reduce`
 * 0.169.0 (scripts/oracle.ts, at most 2 at a time), and reports every case
 * where the verdict (ok / error) or the state.json bytes differ.
 *
 * Case I of seed S is always the same mutant (its PRNG is seeded with S and I)
 * for the same --kinds / --bundles / --max-bundle-kb, so `--seed S --only I`
 * (plus those options) replays one case; mutation.json records the command. Mutants that disagree are kept in
 * the out dir (default .cache/fuzz-oracle/<seed>/) with mutation.json, both
 * outputs and a diff; a summary.json is written there too. Not part of CI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { type BundleFiles, bundleSize, readBundleDir, writeBundleDir } from './lib/bundle-files';
import { diffStateTexts } from './lib/json-diff';
import { MUTATION_KINDS, MUTATION_WEIGHTS, type MutationKind, mutate } from './lib/mutate';
import { Rng } from './lib/prng';
import { ensureOracle, runOracle } from './oracle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'traces');

interface Options {
  cases: number;
  seed: string;
  out: string;
  kinds: MutationKind[];
  bundles: string[] | null;
  ours: 'inproc' | 'cli';
  maxBundleKb: number;
  only: number[] | null;
  keepAll: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    cases: 200,
    seed: '1',
    out: '',
    kinds: [...MUTATION_KINDS],
    bundles: null,
    ours: 'inproc',
    maxBundleKb: 1024,
    only: null,
    keepAll: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--cases') o.cases = Number(val());
    else if (a === '--seed') o.seed = val();
    else if (a === '--out') o.out = val();
    else if (a === '--kinds') {
      const ks = val().split(',');
      for (const k of ks) if (!MUTATION_KINDS.includes(k as MutationKind)) throw new Error(`unknown mutation kind ${k}; known: ${MUTATION_KINDS.join(', ')}`);
      o.kinds = ks as MutationKind[];
    } else if (a === '--bundles') o.bundles = val().split(',');
    else if (a === '--ours') {
      const v = val();
      if (v !== 'inproc' && v !== 'cli') throw new Error('--ours is inproc or cli');
      o.ours = v;
    } else if (a === '--max-bundle-kb') o.maxBundleKb = Number(val());
    else if (a === '--only') o.only = val().split(',').map(Number);
    else if (a === '--keep-all') o.keepAll = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.cases) || o.cases < 0) throw new Error('--cases must be a non-negative integer');
  if (!o.out) o.out = path.join(ROOT, '.cache', 'fuzz-oracle', o.seed);
  return o;
}

/** The options that decide which mutant case I is (for replay hints). */
function replayArgs(o: Options): string {
  const a = [`--seed ${o.seed}`];
  if (o.kinds.length !== MUTATION_KINDS.length) a.push(`--kinds ${o.kinds.join(',')}`);
  if (o.bundles) a.push(`--bundles ${o.bundles.join(',')}`);
  if (o.maxBundleKb !== 1024) a.push(`--max-bundle-kb ${o.maxBundleKb}`);
  return a.join(' ');
}

/** Corpus bundles: every directory under test/fixtures/traces with a manifest and trace (nested bundle-N too). */
function findBundles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === 'broken' || e.name === 'payloads') continue;
    const p = path.join(dir, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (fs.existsSync(path.join(p, 'manifest.json')) && fs.existsSync(path.join(p, 'trace.jsonl'))) out.push(r);
    out.push(...findBundles(p, r));
  }
  return out.sort();
}

interface Verdict {
  ok: boolean;
  /** state.json text, or the error headline. */
  text: string;
}

async function runOurs(dir: string, mode: 'inproc' | 'cli'): Promise<Verdict> {
  if (mode === 'inproc') {
    try {
      const r = await reduceBundle(new DirectorySource(dir));
      if (r.error || !r.state) {
        const e = r.error;
        return { ok: false, text: e ? [e.message, ...e.causes.map((c) => `  caused by: ${c}`)].join('\n') + (e.line != null ? `\n  (line ${e.line}, seq ${e.seq})` : '') : 'no state' };
      }
      return { ok: true, text: serializeState(r.state) };
    } catch (e) {
      return { ok: false, text: `THREW: ${(e as Error).stack ?? e}` };
    }
  }
  const out = path.join(dir, '..', `${path.basename(dir)}.ours.json`);
  const res = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'codex-trace-viewer.mjs'), 'reduce', dir, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: Buffer.concat(err).toString('utf8') }));
  });
  if (res.code === 0 && fs.existsSync(out)) {
    const text = fs.readFileSync(out, 'utf8');
    fs.rmSync(out, { force: true });
    return { ok: true, text };
  }
  fs.rmSync(out, { force: true });
  return { ok: false, text: res.stderr.trim() || `exit ${res.code}` };
}

type Outcome = 'agree' | 'verdict-ours-ok' | 'verdict-ours-error' | 'output-differs' | 'skipped';

interface CaseResult {
  index: number;
  base: string;
  kind: MutationKind;
  description: string;
  outcome: Outcome;
  /** Both failed but with different first lines (informational). */
  messageDiffers?: boolean;
  dir?: string;
}

function pickKind(rng: Rng, kinds: MutationKind[]): MutationKind {
  return rng.weighted(kinds.map((k) => [k, MUTATION_WEIGHTS[k]] as const));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  await ensureOracle();
  let names = findBundles(CORPUS);
  if (o.bundles) {
    for (const b of o.bundles) if (!names.includes(b)) throw new Error(`unknown bundle ${b}; known: ${names.join(', ')}`);
    names = o.bundles;
  }
  const bases = new Map<string, BundleFiles>();
  for (const n of names) {
    const b = readBundleDir(path.join(CORPUS, n));
    if (!o.bundles && bundleSize(b) > o.maxBundleKb * 1024) continue;
    bases.set(n, b);
  }
  const baseNames = [...bases.keys()];
  if (!baseNames.length) throw new Error('no corpus bundles to mutate');
  fs.mkdirSync(o.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctv-fuzz-'));
  console.log(`fuzz: seed ${o.seed}, ${o.only ? `cases ${o.only.join(',')}` : `${o.cases} cases`}, ${baseNames.length} base bundles, ours=${o.ours}, out ${path.relative(process.cwd(), o.out) || '.'}`);

  const indices = o.only ?? Array.from({ length: o.cases }, (_, i) => i);
  const results: CaseResult[] = [];
  let next = 0;
  let done = 0;

  const runCase = async (index: number): Promise<CaseResult> => {
    const rng = new Rng(`${o.seed}:${index}`);
    let base = rng.pick(baseNames);
    let kind = pickKind(rng, o.kinds);
    let m = mutate(kind, bases.get(base)!, rng);
    for (let tries = 0; !m && tries < 10; tries++) {
      base = rng.pick(baseNames);
      kind = pickKind(rng, o.kinds);
      m = mutate(kind, bases.get(base)!, rng);
    }
    if (!m) return { index, base, kind, description: 'no applicable mutation', outcome: 'skipped' };
    const name = `${String(index).padStart(5, '0')}-${kind}-${base.replace(/\//g, '_')}`;
    const dir = path.join(work, name);
    writeBundleDir(dir, m.files);
    const [oracle, ours] = await Promise.all([runOracle(dir), runOurs(dir, o.ours)]);
    const theirs: Verdict = oracle.ok ? { ok: true, text: oracle.stateText! } : { ok: false, text: oracle.stderr.trim() };
    let outcome: Outcome;
    if (ours.ok !== theirs.ok) outcome = ours.ok ? 'verdict-ours-ok' : 'verdict-ours-error';
    else if (ours.ok && ours.text !== theirs.text) outcome = 'output-differs';
    else outcome = 'agree';
    const messageDiffers = !ours.ok && !theirs.ok && ours.text.split('\n')[0] !== theirs.text.split('\n')[0].replace(/^Error: /, '');
    const result: CaseResult = { index, base, kind, description: m.description, outcome, messageDiffers };
    if (outcome !== 'agree' || o.keepAll) {
      const keep = path.join(o.out, name);
      fs.rmSync(keep, { recursive: true, force: true });
      fs.cpSync(dir, keep, { recursive: true });
      fs.writeFileSync(
        path.join(keep, 'mutation.json'),
        JSON.stringify({ seed: o.seed, index, base, kind, description: m.description, outcome, replay: `npm run fuzz:oracle -- ${replayArgs(o)} --only ${index}` }, null, 2) + '\n',
      );
      fs.writeFileSync(path.join(keep, theirs.ok ? 'oracle-state.json' : 'oracle-error.txt'), theirs.text);
      fs.writeFileSync(path.join(keep, ours.ok ? 'ours-state.json' : 'ours-error.txt'), ours.text);
      if (outcome === 'output-differs') {
        const d = diffStateTexts(ours.text, theirs.text, 40);
        fs.writeFileSync(path.join(keep, 'diff.txt'), d.map((x) => `${x.path}\n  ours:     ${x.ours}\n  official: ${x.theirs}`).join('\n') + '\n');
      }
      result.dir = keep;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return result;
  };

  // Two workers: the oracle runs at most twice at a time (bounded concurrency 2).
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const r = await runCase(index);
      results.push(r);
      done++;
      if (r.outcome !== 'agree' && r.outcome !== 'skipped') {
        console.log(`  #${r.index} ${r.outcome.padEnd(18)} ${r.base}: ${r.description}`);
      }
      if (done % 50 === 0) console.log(`  ... ${done}/${indices.length}`);
    }
  };
  try {
    await Promise.all([worker(), worker()]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  results.sort((a, b) => a.index - b.index);

  // Summary, by mutation kind.
  const count = (rs: CaseResult[], oc: Outcome) => rs.filter((r) => r.outcome === oc).length;
  const run = results.filter((r) => r.outcome !== 'skipped');
  const rows = o.kinds
    .map((k) => {
      const rs = run.filter((r) => r.kind === k);
      return { kind: k, run: rs.length, agree: count(rs, 'agree'), oursOk: count(rs, 'verdict-ours-ok'), oursErr: count(rs, 'verdict-ours-error'), output: count(rs, 'output-differs'), msg: rs.filter((r) => r.messageDiffers).length };
    })
    .filter((r) => r.run > 0);
  console.log('');
  console.log(`cases run ${run.length} (skipped ${results.length - run.length}); agree ${count(run, 'agree')}; verdict differs ${count(run, 'verdict-ours-ok') + count(run, 'verdict-ours-error')} (we succeed where official fails: ${count(run, 'verdict-ours-ok')}, we fail where official succeeds: ${count(run, 'verdict-ours-error')}); output differs ${count(run, 'output-differs')}`);
  console.log('');
  const header = ['mutation', 'run', 'agree', 'ours ok/off err', 'ours err/off ok', 'output differs', '(error text differs)'];
  const table = [header, ...rows.map((r) => [r.kind, r.run, r.agree, r.oursOk, r.oursErr, r.output, r.msg].map(String))];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  const summary = {
    seed: o.seed,
    cases: results.length,
    run: run.length,
    agree: count(run, 'agree'),
    verdictDiffers: count(run, 'verdict-ours-ok') + count(run, 'verdict-ours-error'),
    outputDiffers: count(run, 'output-differs'),
    byKind: rows,
    disagreements: run.filter((r) => r.outcome !== 'agree').map((r) => ({ index: r.index, base: r.base, kind: r.kind, outcome: r.outcome, description: r.description, dir: r.dir && path.relative(ROOT, r.dir) })),
  };
  fs.writeFileSync(path.join(o.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (summary.verdictDiffers || summary.outputDiffers) {
    console.log(`\ndisagreeing mutants kept in ${path.relative(process.cwd(), o.out)} (replay one: npm run fuzz:oracle -- ${replayArgs(o)} --only <index>)`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(2);
});
