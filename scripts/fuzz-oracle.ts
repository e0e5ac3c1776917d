/**
 * Differential fuzzing of our reducer against the official one, per schema.
 *
 *   npm run fuzz:oracle -- [--schema 1|2|3 | --release V] [--cases N] [--seed S] [--out DIR]
 *                          [--kinds k1,k2] [--bundles b1,b2] [--ours inproc|cli] [--max-bundle-kb K]
 *                          [--only I[,J...]] [--keep-all] [--jobs J]
 *
 * Seeds are the recorded bundles of the schema's corpus (not broken/):
 * schema 1 test/fixtures/traces-schema1, schema 2 test/fixtures/traces,
 * schema 3 test/fixtures/traces-schema3 (default schema 2). Each case applies
 * one structure-aware mutation (scripts/lib/mutate.ts: drop / duplicate / move
 * events with and without seq renumbering, change enum values, ids, field
 * values and types, envelope context, null refs, remove or corrupt or edit
 * payloads, cut lines; for schema 3 also cut, corrupt or remove shards,
 * reorder, drop or duplicate their records, drop or alter a ref's `parts`),
 * reduces the mutant with ours and with `codex debug trace-reduce` of the
 * schema's reference release (scripts/oracle.ts: 0.164.0, 0.169.1, 0.171.0,
 * installed on demand; `--release V` runs another release's binary instead,
 * on the corpus of the schema given by --schema or guessed from V), and
 * reports every case where the verdict (ok / error) or the state.json bytes
 * differ. For schema 2 without --release, a mutant that 0.165.0 would have
 * written (a `tool_call_runtime_started` without `kind`) is compared with
 * 0.165.0, the reference for such bundles (trace-format.md §10), as our
 * reducer does.
 *
 * Case I of seed S is always the same mutant (its PRNG is seeded with S and I)
 * for the same --schema / --kinds / --bundles / --max-bundle-kb, so `--seed S --only I`
 * (plus those options) replays one case; mutation.json records the command. Mutants that disagree are kept in
 * the out dir (default .cache/fuzz-oracle/s<schema>-<seed>/) with mutation.json, both
 * outputs and a diff; a summary.json is written there too. Not part of CI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle, writtenBy0165 } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';
import { type BundleFiles, bundleSize, readBundleDir, writeBundleDir } from './lib/bundle-files';
import { diffStateTexts } from './lib/json-diff';
import { MUTATION_KINDS, MUTATION_WEIGHTS, type MutationKind, mutate, mutationKindsFor } from './lib/mutate';
import { Rng } from './lib/prng';
import { REFERENCE_RELEASES, ensureOracle, runOracle } from './oracle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type Schema = 1 | 2 | 3;
const CORPORA: Record<Schema, string> = {
  1: path.join(ROOT, 'test', 'fixtures', 'traces-schema1'),
  2: path.join(ROOT, 'test', 'fixtures', 'traces'),
  3: path.join(ROOT, 'test', 'fixtures', 'traces-schema3'),
};
/** The schema-2 release whose own reducer is the reference for the bundles it alone writes. */
const S2_FIRST_RELEASE = '0.165.0';

/** The schema a release writes (trace-format.md §10). */
function schemaOfRelease(v: string): Schema {
  const [maj, min] = v.split('.').map(Number);
  if (maj !== 0 || !Number.isInteger(min)) throw new Error(`cannot tell the schema of release ${v}; pass --schema`);
  if (min <= 164) return 1;
  if (min <= 169) return 2;
  return 3;
}

interface Options {
  schema: Schema;
  /** --release: one binary for every case; otherwise the schema's reference (and 0.165.0 where it is the reference). */
  release: string | null;
  jobs: number;
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
    schema: 2,
    release: null,
    jobs: 2,
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
  let schemaGiven = false;
  let kindsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--schema') {
      const n = Number(val());
      if (n !== 1 && n !== 2 && n !== 3) throw new Error('--schema is 1, 2 or 3');
      o.schema = n;
      schemaGiven = true;
    } else if (a === '--release') o.release = val();
    else if (a === '--jobs') o.jobs = Number(val());
    else if (a === '--cases') o.cases = Number(val());
    else if (a === '--seed') o.seed = val();
    else if (a === '--out') o.out = val();
    else if (a === '--kinds') {
      const ks = val().split(',');
      for (const k of ks) if (!MUTATION_KINDS.includes(k as MutationKind)) throw new Error(`unknown mutation kind ${k}; known: ${MUTATION_KINDS.join(', ')}`);
      o.kinds = ks as MutationKind[];
      kindsGiven = true;
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
  if (!Number.isInteger(o.jobs) || o.jobs < 1) throw new Error('--jobs must be a positive integer');
  if (o.release && !schemaGiven) o.schema = schemaOfRelease(o.release);
  if (!kindsGiven) o.kinds = mutationKindsFor(o.schema === 3 ? 'shards' : 'files');
  if (!o.out) o.out = path.join(ROOT, '.cache', 'fuzz-oracle', `${o.release ? `r${o.release}` : `s${o.schema}`}-${o.seed}`);
  return o;
}

/** The options that decide which mutant case I is (for replay hints). */
function replayArgs(o: Options): string {
  const a = [`--schema ${o.schema}`];
  if (o.release) a.push(`--release ${o.release}`);
  a.push(`--seed ${o.seed}`);
  if (o.kinds.length !== mutationKindsFor(o.schema === 3 ? 'shards' : 'files').length) a.push(`--kinds ${o.kinds.join(',')}`);
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
        return {
          ok: false,
          text: e
            ? [e.message, ...e.causes.map((c) => `  caused by: ${c}`)].join('\n') + (e.line != null ? `\n  (line ${e.line}, seq ${e.seq})` : '')
            : 'no state',
        };
      }
      return { ok: true, text: serializeState(r.state) };
    } catch (e) {
      return { ok: false, text: `THREW: ${(e as Error).stack ?? e}` };
    }
  }
  const out = path.join(dir, '..', `${path.basename(dir)}.ours.json`);
  const res = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'codex-trace-viewer.mjs'), 'reduce', dir, '-o', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
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
  /** The release whose reducer was the reference for this mutant. */
  reference: string;
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

/** The reference release for one mutant: the option, the schema's reference, or 0.165.0 for what only 0.165.0 writes. */
function referenceFor(o: Options, files: BundleFiles): string {
  if (o.release) return o.release;
  if (o.schema === 2 && files.trace !== null && writtenBy0165(files.trace)) return S2_FIRST_RELEASE;
  return REFERENCE_RELEASES[o.schema];
}

/** The official error text with the bundle's absolute path written `<bundle>`, as the broken corpus writes it. */
function normalizeOfficialError(stderr: string, dir: string): string {
  return stderr.trim().split(dir).join('<bundle>');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const CORPUS = CORPORA[o.schema];
  await ensureOracle(o.release ?? REFERENCE_RELEASES[o.schema]);
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
  // How far ours already is from the reference on the unmutated seeds (their recorded state.json): with
  // seeds that disagree, most of their mutants disagree too, whatever the mutation.
  let seedsIdentical = 0;
  for (const n of baseNames) {
    const want = path.join(CORPUS, n, 'state.json');
    const got = await runOurs(path.join(CORPUS, n), 'inproc');
    if (fs.existsSync(want) && got.ok && got.text === fs.readFileSync(want, 'utf8')) seedsIdentical++;
  }
  console.log(`fuzz: ${seedsIdentical}/${baseNames.length} seed bundles reduce identically to their recorded state.json`);
  fs.mkdirSync(o.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctv-fuzz-'));
  console.log(
    `fuzz: schema ${o.schema}, reference ${o.release ?? REFERENCE_RELEASES[o.schema]}${!o.release && o.schema === 2 ? ` (${S2_FIRST_RELEASE} for bundles only it writes)` : ''}, corpus ${path.relative(ROOT, CORPUS)}`,
  );
  console.log(
    `fuzz: seed ${o.seed}, ${o.only ? `cases ${o.only.join(',')}` : `${o.cases} cases`}, ${baseNames.length} base bundles, ours=${o.ours}, out ${path.relative(process.cwd(), o.out) || '.'}`,
  );

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
    if (!m) return { index, reference: '', base, kind, description: 'no applicable mutation', outcome: 'skipped' };
    const reference = referenceFor(o, m.files);
    const name = `${String(index).padStart(5, '0')}-${kind}-${base.replace(/\//g, '_')}`;
    const dir = path.join(work, name);
    writeBundleDir(dir, m.files);
    const [oracle, ours] = await Promise.all([runOracle(dir, { release: reference }), runOurs(dir, o.ours)]);
    const theirs: Verdict = oracle.ok ? { ok: true, text: oracle.stateText! } : { ok: false, text: normalizeOfficialError(oracle.stderr, dir) };
    let outcome: Outcome;
    if (ours.ok !== theirs.ok) outcome = ours.ok ? 'verdict-ours-ok' : 'verdict-ours-error';
    else if (ours.ok && ours.text !== theirs.text) outcome = 'output-differs';
    else outcome = 'agree';
    const messageDiffers = !ours.ok && !theirs.ok && ours.text.split('\n')[0] !== theirs.text.split('\n')[0].replace(/^Error: /, '');
    const result: CaseResult = { index, reference, base, kind, description: m.description, outcome, messageDiffers };
    if (outcome !== 'agree' || o.keepAll) {
      const keep = path.join(o.out, name);
      fs.rmSync(keep, { recursive: true, force: true });
      fs.cpSync(dir, keep, { recursive: true });
      fs.writeFileSync(
        path.join(keep, 'mutation.json'),
        JSON.stringify(
          {
            schema: o.schema,
            reference,
            seed: o.seed,
            index,
            base,
            kind,
            description: m.description,
            outcome,
            replay: `npm run fuzz:oracle -- ${replayArgs(o)} --only ${index}`,
          },
          null,
          2,
        ) + '\n',
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

  // --jobs workers (default 2): the oracle runs at most that many times at once.
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const r = await runCase(index);
      results.push(r);
      done++;
      if (r.outcome !== 'agree' && r.outcome !== 'skipped') {
        console.log(
          `  #${r.index} ${r.outcome.padEnd(18)} ${r.base}${r.reference !== (o.release ?? REFERENCE_RELEASES[o.schema]) ? ` [vs ${r.reference}]` : ''}: ${r.description}`,
        );
      }
      if (done % 50 === 0) console.log(`  ... ${done}/${indices.length}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.jobs }, () => worker()));
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
      return {
        kind: k,
        run: rs.length,
        agree: count(rs, 'agree'),
        oursOk: count(rs, 'verdict-ours-ok'),
        oursErr: count(rs, 'verdict-ours-error'),
        output: count(rs, 'output-differs'),
        msg: rs.filter((r) => r.messageDiffers).length,
      };
    })
    .filter((r) => r.run > 0);
  console.log('');
  console.log(
    `cases run ${run.length} (skipped ${results.length - run.length}); agree ${count(run, 'agree')}; verdict differs ${count(run, 'verdict-ours-ok') + count(run, 'verdict-ours-error')} (we succeed where official fails: ${count(run, 'verdict-ours-ok')}, we fail where official succeeds: ${count(run, 'verdict-ours-error')}); output differs ${count(run, 'output-differs')}`,
  );
  console.log('');
  const header = ['mutation', 'run', 'agree', 'ours ok/off err', 'ours err/off ok', 'output differs', '(error text differs)'];
  const table = [header, ...rows.map((r) => [r.kind, r.run, r.agree, r.oursOk, r.oursErr, r.output, r.msg].map(String))];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  const byReference: Record<string, number> = {};
  for (const r of run) byReference[r.reference] = (byReference[r.reference] ?? 0) + 1;
  if (Object.keys(byReference).length > 1)
    console.log(
      `\nreferences: ${Object.entries(byReference)
        .map(([v, n]) => `${v} ${n} cases`)
        .join(', ')}`,
    );
  const summary = {
    seedsIdentical: `${seedsIdentical}/${baseNames.length}`,
    schema: o.schema,
    release: o.release ?? REFERENCE_RELEASES[o.schema],
    byReference,
    seed: o.seed,
    cases: results.length,
    run: run.length,
    agree: count(run, 'agree'),
    verdictDiffers: count(run, 'verdict-ours-ok') + count(run, 'verdict-ours-error'),
    outputDiffers: count(run, 'output-differs'),
    byKind: rows,
    disagreements: run
      .filter((r) => r.outcome !== 'agree')
      .map((r) => ({
        index: r.index,
        reference: r.reference,
        base: r.base,
        kind: r.kind,
        outcome: r.outcome,
        description: r.description,
        dir: r.dir && path.relative(ROOT, r.dir),
      })),
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
