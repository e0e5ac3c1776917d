/**
 * Robustness fuzzing against hostile input, in Node.
 *
 *   npm run fuzz -- [--cases N] [--seed S] [--phase P[,Q...]|all] [--workers W]
 *                   [--timeout-ms T] [--bundles b1,b2] [--max-bundle-kb K]
 *                   [--only I[,J...]] [--out DIR]
 *
 * Phases (default all; with several, case I belongs to phase I mod their
 * number, so the budget is split evenly and a case keeps its number):
 *
 *   reducer   Case I of seed S mutates one corpus bundle (test/fixtures/traces,
 *             broken/ included) with one mutation drawn from scripts/lib/mutate.ts
 *             (dropped, duplicated, moved events, wrong ids, wrong types, cut
 *             lines...) and scripts/lib/hostile.ts (giant strings, deep nesting,
 *             invalid UTF-8, huge payloads, broken manifests, line endings,
 *             prototype names in every id and link field, absurd numbers,
 *             floods of 1,000-200,000 unknown events, stacks of several
 *             mutations), then reduces it with `unknownEvents: 'error'` and
 *             `'skip'` (scripts/lib/robustness.ts checks the result; each
 *             reduction must stay under --timeout-ms, default 5000, of CPU time,
 *             scaled by size past 4 MB). A flood must leave the reduction as it
 *             was without it (same error or state, seqs mapped) with one
 *             diagnostic group per type; a renamed id must leave a clean bundle
 *             clean. Odd cases read bytes strictly, like the CLI's directory
 *             source; even ones decode like the browser's MemorySource.
 *   links     share-link view states naming prototype keys, megabyte strings,
 *             wrong types, 1e400: parsed, applied to a loaded store, selectors
 *             run (scripts/lib/fuzz-links.ts).
 *   archives  zip and tar.gz bundles with lying headers, sizes and CRCs, cut,
 *             duplicated entries, and bombs, read with a 64 MB limit
 *             (scripts/lib/fuzz-archives.ts).
 *   files     FIFOs, links to /dev/zero, to files and folders outside the bundle,
 *             directories in place of the manifest, log or a payload, reduced
 *             from disk (scripts/lib/fuzz-files.ts).
 *   ansi      terminal output with CSI, OSC, C1 controls, lone ESCs, bidi and
 *             zero-width characters, up to 1 MB: nothing printable may be hidden
 *             (scripts/lib/fuzz-ansi.ts).
 *
 * Cases run in child processes under a watchdog: a case that takes longer than
 * 6 × --timeout-ms + 5 s of wall time is killed and reported as a
 * hang; a child that dies is reported as a crash. Prints a summary (cases per
 * phase, ok, errors and outcomes by family, slowest case, violations) and
 * exits 1 on any violation. Violating reducer mutants are written under the
 * out dir (default .cache/fuzz-robustness/<seed>/) for replay with `--only I`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleFiles, bundleSize, readBundleDir, writeBundleDir } from './lib/bundle-files';
import { ALL_WEIGHTS, type AnyKind, type FloodMutant, type ProtoIdsMutant, mutateHostile } from './lib/hostile';
import type { Mutant } from './lib/mutate';
import { Rng } from './lib/prng';
import { type Phase, type PhaseResult, PHASES, parsePhases, phaseOf, runPhaseCase } from './lib/phases';
import { type CaseResult, PER_BUNDLE_MS, budgetFor, checkFlood, checkProtoIds, errorFamily, runCase } from './lib/robustness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'traces');

interface Options {
  cases: number;
  seed: string;
  workers: number;
  timeoutMs: number;
  bundles: string[] | null;
  maxBundleKb: number;
  only: number[] | null;
  out: string;
  phases: Phase[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    cases: 10_000,
    seed: '1',
    workers: 2,
    timeoutMs: PER_BUNDLE_MS,
    bundles: null,
    maxBundleKb: 1024,
    only: null,
    out: '',
    phases: [...PHASES],
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
    else if (a === '--workers') o.workers = Math.max(1, Number(val()));
    else if (a === '--timeout-ms') o.timeoutMs = Number(val());
    else if (a === '--bundles') o.bundles = val().split(',');
    else if (a === '--max-bundle-kb') o.maxBundleKb = Number(val());
    else if (a === '--only') o.only = val().split(',').map(Number);
    else if (a === '--out') o.out = val();
    else if (a === '--phase') o.phases = parsePhases(val());
    else if (a === '--child') continue;
    else throw new Error(`unknown option ${a}`);
  }
  o.out ||= path.join(ROOT, '.cache', 'fuzz-robustness', o.seed);
  return o;
}

/** Corpus bundles (directories holding a manifest.json or a trace.jsonl), broken/ included. */
export function corpusBundles(names: string[] | null, maxBundleKb: number): { name: string; files: BundleFiles }[] {
  const out: { name: string; files: BundleFiles }[] = [];
  const visit = (dir: string, rel: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.name === 'manifest.json' || e.name === 'trace.jsonl')) {
      if (names && !names.includes(rel) && !names.includes(rel.split('/')[0])) return;
      const files = readBundleDir(dir);
      if (bundleSize(files) <= maxBundleKb * 1024) out.push({ name: rel, files });
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (e.isDirectory() && e.name !== 'payloads') visit(path.join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
  };
  visit(CORPUS, '');
  return out;
}

/** Case i of a seed: always the same mutant. */
export function makeCase(seed: string, i: number, bundles: { name: string; files: BundleFiles }[]): { bundle: string; kind: AnyKind; mutant: Mutant } | null {
  const rng = new Rng(`${seed}:${i}`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const b = rng.pick(bundles);
    const kind = rng.weighted(ALL_WEIGHTS);
    let m: Mutant | null;
    try {
      m = mutateHostile(kind, b.files, rng);
    } catch {
      m = null;
    }
    if (m) return { bundle: b.name, kind, mutant: m };
  }
  return null;
}

interface CaseReport {
  i: number;
  phase: Phase;
  bundle: string;
  kind: string;
  description: string;
  strict: boolean;
  /** The reducer phase's reductions; null in other phases. */
  result: CaseResult | null;
  /** Other phases: what happened, as a family name. */
  outcome: string | null;
  cpuMs: number;
  violations: string[];
}

// ---- child ----

async function child(o: Options): Promise<void> {
  const bundles = corpusBundles(o.bundles, o.maxBundleKb);
  process.on('message', async (msg: { i: number }) => {
    const phase = phaseOf(msg.i, o.phases);
    if (phase !== 'reducer') {
      const r: PhaseResult = await runPhaseCase(phase, o.seed, msg.i, bundles);
      const report: CaseReport = {
        i: msg.i,
        phase,
        bundle: r.bundle ?? '',
        kind: r.kind,
        description: r.description.slice(0, 300),
        strict: false,
        result: null,
        outcome: r.outcome,
        cpuMs: r.cpuMs ?? 0,
        violations: r.violations,
      };
      process.send!(report);
      return;
    }
    const c = makeCase(o.seed, msg.i, bundles);
    if (!c) {
      process.send!({ i: msg.i, skipped: true });
      return;
    }
    const strict = msg.i % 2 === 1;
    const result = await runCase(c.mutant.files, strict, budgetFor(c.mutant.files, o.timeoutMs));
    if ('flood' in c.mutant) result.violations.push(...(await checkFlood(c.mutant as FloodMutant, strict)));
    if ('protoIds' in c.mutant) result.violations.push(...(await checkProtoIds(c.mutant as ProtoIdsMutant, strict)));
    const cpuMs = result.results.reduce((n, m) => n + m.cpuMs, 0);
    const report: CaseReport = {
      i: msg.i,
      phase,
      bundle: c.bundle,
      kind: c.kind,
      description: c.mutant.description.slice(0, 300),
      strict,
      result,
      outcome: null,
      cpuMs,
      violations: result.violations,
    };
    process.send!(report);
  });
  process.send!({ ready: true, bundles: bundles.length });
}

// ---- parent ----

async function parent(o: Options): Promise<number> {
  const indices = o.only ?? Array.from({ length: o.cases }, (_, i) => i);
  let next = 0;
  const reports: CaseReport[] = [];
  const violations: { i: number; phase: Phase; bundle: string; kind: string; description: string; problems: string[] }[] = [];
  let skipped = 0;
  const t0 = performance.now();
  const script = fileURLToPath(import.meta.url);
  // Wall-clock watchdog: generous, since the per-reduction bound (CPU time) is checked in the child.
  const caseLimit = 6 * o.timeoutMs + 5_000;
  let lastPrint = 0;
  let bundlesSeen = 0;

  const runWorker = () =>
    new Promise<void>((resolveWorker) => {
      let current: number | null = null;
      let timer: NodeJS.Timeout | null = null;
      let proc: ChildProcess;
      const spawnChild = () => {
        // --expose-gc: the archives phase measures ArrayBuffer memory from a collected start.
        proc = fork(script, ['--child', ...process.argv.slice(2)], {
          execArgv: ['--import', 'tsx', '--stack-size=984', '--expose-gc'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        proc.on('message', onMessage);
        proc.on('exit', onExit);
      };
      const sendNext = () => {
        if (next >= indices.length) {
          proc.removeListener('exit', onExit);
          proc.kill();
          resolveWorker();
          return;
        }
        current = indices[next++];
        proc.send({ i: current });
        timer = setTimeout(() => {
          const i = current!;
          violations.push({
            i,
            phase: phaseOf(i, o.phases),
            bundle: '?',
            kind: '?',
            description: '',
            problems: [`hang: no answer within ${caseLimit} ms (watchdog killed the case)`],
          });
          current = null;
          proc.removeListener('exit', onExit);
          proc.kill('SIGKILL');
          spawnChild();
        }, caseLimit);
      };
      const onMessage = (m: any) => {
        if (m.ready) {
          bundlesSeen = m.bundles;
          sendNext();
          return;
        }
        if (m.i !== current) return;
        clearTimeout(timer!);
        current = null;
        if (m.skipped) skipped++;
        else {
          const r = m as CaseReport;
          reports.push(r);
          if (r.violations.length)
            violations.push({ i: r.i, phase: r.phase, bundle: r.bundle, kind: r.kind, description: r.description, problems: r.violations });
        }
        const done = reports.length + skipped + violations.filter((v) => v.bundle === '?').length;
        if (performance.now() - lastPrint > 5_000) {
          lastPrint = performance.now();
          process.stderr.write(`  ${done}/${indices.length} cases, ${violations.length} violations, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
        }
        sendNext();
      };
      const onExit = (code: number | null, signal: string | null) => {
        if (timer) clearTimeout(timer);
        if (current !== null)
          violations.push({
            i: current,
            phase: phaseOf(current, o.phases),
            bundle: '?',
            kind: '?',
            description: '',
            problems: [`crash: child exited (code ${code}, signal ${signal}) during the case`],
          });
        current = null;
        spawnChild();
      };
      spawnChild();
    });

  await Promise.all(Array.from({ length: Math.min(o.workers, indices.length) }, runWorker));
  const secs = (performance.now() - t0) / 1000;

  // ---- summary ----
  const reducerReports = reports.filter((r) => r.result !== null);
  const modeRuns = reducerReports.flatMap((r) => r.result!.results.map((m) => ({ r, m })));
  const ok = reducerReports.filter((r) => r.result!.results.every((m) => m.error === null)).length;
  const families = new Map<string, number>();
  for (const { m } of modeRuns) if (m.error) families.set(errorFamily(m.error), (families.get(errorFamily(m.error)) ?? 0) + 1);
  const kinds = new Map<string, number>();
  for (const r of reducerReports) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const slowest = modeRuns.reduce<{ r: CaseReport; m: { ms: number; mode: string } } | null>((a, x) => (!a || x.m.ms > a.m.ms ? x : a), null);
  const partial = modeRuns.filter(({ m }) => m.error && m.hasState).length;

  if (violations.some((v) => v.bundle === '?' && v.phase === 'reducer')) {
    const all = corpusBundles(o.bundles, o.maxBundleKb);
    for (const v of violations.filter((v) => v.bundle === '?' && v.phase === 'reducer')) {
      const c = makeCase(o.seed, v.i, all);
      if (c) Object.assign(v, { bundle: c.bundle, kind: c.kind, description: c.mutant.description.slice(0, 300) });
    }
  }

  const replay = (i: number) => `npm run fuzz -- --seed ${o.seed}${o.phases.length === PHASES.length ? '' : ` --phase ${o.phases.join(',')}`} --only ${i}`;
  console.log(
    `\nRobustness fuzz, seed ${o.seed}: ${indices.length} cases (phases ${o.phases.join(', ')}) over ${bundlesSeen} corpus bundles, ${o.workers} workers, ${secs.toFixed(1)} s`,
  );
  console.log(`\n  phase      cases  violations  CPU s  slowest case (ms CPU)`);
  for (const phase of o.phases) {
    const rs = reports.filter((r) => r.phase === phase);
    const worst = rs.reduce<CaseReport | null>((a, r) => (!a || r.cpuMs > a.cpuMs ? r : a), null);
    const nv = violations.filter((v) => v.phase === phase).length;
    const cpu = rs.reduce((n, r) => n + r.cpuMs, 0) / 1000;
    console.log(
      `  ${phase.padEnd(9)} ${String(rs.length).padStart(6)}  ${String(nv).padStart(10)}  ${cpu.toFixed(1).padStart(5)}  ${worst ? `${worst.i} (${worst.cpuMs.toFixed(0)}): ${worst.kind}` : ''}`,
    );
  }
  if (o.phases.includes('reducer')) {
    console.log(`\n  reducer:`);
    console.log(`  cases run        ${reducerReports.length} (${skipped} with no applicable mutation)`);
    console.log(`  reductions       ${modeRuns.length} (unknownEvents 'error' and 'skip')`);
    console.log(`  ok in both modes ${ok}`);
    console.log(`  errors           ${modeRuns.filter(({ m }) => m.error).length} reductions (${partial} with a partial state)`);
    if (slowest)
      console.log(
        `  slowest          case ${slowest.r.i} [${slowest.m.mode}] ${slowest.m.ms.toFixed(0)} ms wall, ${(slowest.m as { cpuMs?: number }).cpuMs?.toFixed(0)} ms CPU: ${slowest.r.bundle}, ${slowest.r.kind}: ${slowest.r.description.slice(0, 120)}`,
      );
    console.log(
      `\n  mutation kinds: ${[...kinds]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    console.log(`\n  errors by message family (reductions):`);
    for (const [f, n] of [...families].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`    ${String(n).padStart(6)}  ${f}`);
    if (families.size > 40) console.log(`    ... ${families.size - 40} more families`);
  }
  const outcomes = new Map<string, number>();
  for (const r of reports)
    if (r.outcome !== null) outcomes.set(`${r.phase}: ${r.kind} -> ${r.outcome}`, (outcomes.get(`${r.phase}: ${r.kind} -> ${r.outcome}`) ?? 0) + 1);
  if (outcomes.size) {
    console.log(`\n  outcomes by family (other phases):`);
    const sorted = [...outcomes].sort((a, b) => a[0].localeCompare(b[0]));
    for (const [f, n] of sorted.slice(0, 80)) console.log(`    ${String(n).padStart(6)}  ${f.slice(0, 140)}`);
    if (sorted.length > 80) console.log(`    ... ${sorted.length - 80} more families`);
  }
  console.log(`\n  violations: ${violations.length}`);
  fs.mkdirSync(o.out, { recursive: true });
  for (const v of violations.slice(0, 50)) {
    console.log(`    case ${v.i} [${v.phase}] (${v.bundle}, ${v.kind}: ${v.description.slice(0, 140)})`);
    for (const p of v.problems) console.log(`      - ${p.split('\n')[0].slice(0, 300)}`);
  }
  // Keep violating reducer mutants for replay; other phases rebuild their input from the case number.
  const bundles = violations.length ? corpusBundles(o.bundles, o.maxBundleKb) : [];
  for (const v of violations.slice(0, 50)) {
    const dir = path.join(o.out, `case-${v.i}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const c = v.phase === 'reducer' ? makeCase(o.seed, v.i, bundles) : null;
    if (c) {
      const files = c.mutant.files;
      const tj = files.files.get('trace.jsonl');
      writeBundleDir(
        dir,
        tj && files.trace === null ? { ...files, files: new Map([...files.files].filter(([k]) => k !== 'trace.jsonl')), trace: null } : files,
      );
      if (tj && files.trace === null) fs.writeFileSync(path.join(dir, 'trace.jsonl'), tj);
    } else fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'mutation.json'), JSON.stringify({ ...v, replay: replay(v.i) }, null, 2));
  }
  const byPhase = Object.fromEntries(
    o.phases.map((ph) => [ph, { cases: reports.filter((r) => r.phase === ph).length, violations: violations.filter((v) => v.phase === ph).length }]),
  );
  fs.writeFileSync(
    path.join(o.out, 'summary.json'),
    JSON.stringify(
      {
        seed: o.seed,
        cases: indices.length,
        run: reports.length,
        ok,
        seconds: secs,
        phases: byPhase,
        families: Object.fromEntries(families),
        outcomes: Object.fromEntries(outcomes),
        violations,
      },
      null,
      2,
    ),
  );
  console.log(
    `\n  ${violations.length ? 'FAIL' : 'PASS'}: ${violations.length} violations (${reports.length} cases); summary in ${path.relative(ROOT, o.out)}/summary.json`,
  );
  return violations.length ? 1 : 0;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const o = parseArgs(process.argv.slice(2));
  if (process.argv.includes('--child')) void child(o);
  else parent(o).then((code) => process.exit(code));
}
