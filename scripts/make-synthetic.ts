/**
 * Writes the hand-built schema-2 bundles of scripts/lib/synthetic-cases.ts to
 * test/fixtures/synthetic/<case>/ and records what the official reducer
 * (codex 0.169.0 `debug trace-reduce`, see scripts/oracle.ts) made of each:
 *   state.json            its output, byte for byte, when it succeeds;
 *   expected-error.txt    its stderr when it fails;
 *   error-location.json   {about, line, seq, headline}: the trace.jsonl line whose
 *                         event failed (smallest failing prefix), for the tests;
 *   case.md               what the case exercises, the verdict, the hand-written
 *                         finding and an excerpt of the official state.
 * Then regenerates test/fixtures/synthetic/FINDINGS.md.
 *
 *   node --import tsx scripts/make-synthetic.ts [case-name ...] [--list]
 *
 * Re-runnable: each case directory is rebuilt from scratch. The oracle runs
 * with its working directory at test/fixtures/synthetic, so messages that name
 * the bundle path show `<case>/...`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOracle } from './oracle';
import { bundleSize, writeBundleDir } from './lib/bundle-files';
import { locateOracleError } from './lib/oracle-locate';
import { CASES, type SyntheticCase } from './lib/synthetic-cases';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test', 'fixtures', 'synthetic');
const MAX_BYTES = 100 * 1024;

interface Outcome {
  c: SyntheticCase;
  verdict: 'ok' | 'error';
  headline: string | null;
  warnings: string[];
}

async function buildCase(c: SyntheticCase): Promise<Outcome> {
  const dir = path.join(OUT, c.name);
  fs.rmSync(dir, { recursive: true, force: true });
  const files = c.build();
  writeBundleDir(dir, files);
  const warnings: string[] = [];
  const r = await runOracle(c.name, { cwd: OUT });
  let verdict: 'ok' | 'error';
  let headline: string | null = null;
  let excerpt: unknown = undefined;
  let locationText = '';
  if (r.ok && r.stateText !== null) {
    verdict = 'ok';
    fs.writeFileSync(path.join(dir, 'state.json'), r.stateText);
    if (c.excerpt) {
      try {
        excerpt = c.excerpt(JSON.parse(r.stateText));
      } catch (e) {
        warnings.push(`excerpt failed: ${(e as Error).message}`);
      }
    }
  } else {
    verdict = 'error';
    fs.writeFileSync(path.join(dir, 'expected-error.txt'), r.stderr);
    const loc = await locateOracleError(files, r.stderr);
    headline = loc.headline;
    fs.writeFileSync(path.join(dir, 'error-location.json'), JSON.stringify(loc, null, 2) + '\n');
    locationText =
      loc.line === null
        ? `The error is about the ${loc.about === 'manifest' ? 'manifest / bundle' : loc.about}; no trace.jsonl line reproduces it on its own.`
        : `Smallest failing prefix of trace.jsonl: line ${loc.line}${loc.seq !== null ? ` (seq ${loc.seq})` : ''}; the error is about ${loc.about === 'payload' ? 'a payload read while applying that line' : 'that line'}.`;
  }
  if (verdict !== c.expect) warnings.push(`expected ${c.expect}, oracle said ${verdict}`);
  let size = 0;
  for (const f of walk(dir)) size += fs.statSync(f).size;
  if (size > MAX_BYTES) warnings.push(`case is ${size} bytes (> ${MAX_BYTES})`);
  void bundleSize;

  const md: string[] = [];
  md.push(`# ${c.name}`, '', c.title, '');
  md.push('## What the official reducer did', '');
  if (verdict === 'ok') {
    md.push('`codex debug trace-reduce` (0.169.0) **succeeded**; its output is `state.json`.', '');
  } else {
    md.push(
      '`codex debug trace-reduce` (0.169.0) **failed** (exit 1); its stderr is `expected-error.txt`:',
      '',
      '```',
      r.stderr.trimEnd(),
      '```',
      '',
      locationText,
      '',
    );
  }
  if (c.finding) md.push('## Finding', '', c.finding, '');
  if (excerpt !== undefined) {
    md.push('## Excerpt of the official state', '', '```json', JSON.stringify(excerpt, null, 2), '```', '');
  }
  md.push('Regenerate with `node --import tsx scripts/make-synthetic.ts ' + c.name + '`.', '');
  fs.writeFileSync(path.join(dir, 'case.md'), md.join('\n'));
  return { c, verdict, headline, warnings };
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Hand-written digest of what the probes showed (kept in sync with the per-case notes below). */
const KEY_FINDINGS = `## Schema-2 rules the probes established (differences from the S1 description in docs/trace-format.md)

1. **The Responses item id (\`responses_item_id\`) is part of item identity.** Two items with different ids never match, not even reasoning items with the same encrypted_content. A missing id on either side is a wildcard; a stored item without id adopts the id of the item that matched it (and then picks up that id's acceptance).
2. **FullSnapshot no longer reuses an item twice in one request** (the S1 positional quirk is gone).
3. **Response outputs are matched by id against the whole thread history**: an output whose id and content equal an existing item of the same thread (oldest first, not already used in this batch) is reused even though AppendOnly has no item at that index; not across threads; requests do not do this.
4. **The call-id consistency check covers call items only, and compares content only.** function_call_output / custom_tool_call_output items with the same call_id but other content become new items (the tool lists every output item); a call item re-sent with identical content but another Responses id is a new item, not an error.
5. **Acceptance is keyed by (envelope thread, Responses id).** First acceptance wins; it applies to items created later and to every item with that id (copies, compaction replacements). An acceptance with a null thread errors (\`history acceptance has no thread\`), with an unknown thread errors (\`trace event referenced unknown thread\`).
6. **thread.conversation_item_ids is in item creation order**, holding the items that were accepted or appeared in a request window, a compaction checkpoint or an agent_message acceptance. Response outputs never accepted and never re-sent (e.g. cancelled partials) are left out.
7. **payload_ref parts built from content entries carry \`content_sha256\`** (SHA-256 of the entry as compact JSON with keys sorted recursively, numbers as in 8) and match by it, so image messages are reused (S1 quirk gone). Empty content gives no parts (S1: \`empty_content\` ref).
8. **Numbers keep their source text** in json summaries and hashes (serde_json arbitrary_precision): \`1.0\`, \`42.50\`, 30-digit floats and integers beyond 64 bits stay as written, \`1e400\` is accepted; the exponent is written \`e\` with an explicit sign (\`1E2\` → \`1e+2\`); integer \`-0\` → \`0\` (but \`-0.0\` stays). Duplicate keys: last value at the first position.
9. **json summaries are cut at 240 bytes backed off to a UTF-8 character boundary** (no panic), then \`...\`.
10. **Every referenced payload is read and must be valid JSON**, even ones the reducer never looks at (protocol events, unused tool results). Verbs: \`read payload\` (missing file), \`invalid payload\` (unused payload, bad JSON), \`parse payload\` (payload the reducer reads: bad JSON, invalid UTF-8, BOM, lone surrogate), \`open payload\` (inference request missing, see ERRORS.md). Files are opened by the ref's \`path\`; \`raw_payloads\` keeps the last ref seen for an id; the ref kind is not checked.
11. **Collab runtime payloads are strictly typed**: thread ids must be UUIDs and fields present, otherwise a bare serde error with no context.
12. **Terminals**: write_stdin gets its operation at tool start (a runtime start then errors: second terminal operation); session = resolved exec's session, else an earlier operation with that session id (write_stdin ones too), else new; a late \`stdin_target_resolved\` moves the operation and drops a session left empty; an unknown exec in it errors; a malformed invocation *shape* errors but an unusable session_id / argument string just gives no operation; exec without process_id has no session; S1 stdout/stderr/formatted_output fields are ignored; a changed process id still errors.
13. **Code cells**: an end without an initial response sets initial_response_at/seq but leaves initial_response_status and raw_initial_response_payload_id null; a late initial response (after the end) overwrites initial_response_* and runtime_status; \`started_code_cell_id\` is set on the exec tool whichever of tool start / cell materialization comes second, never for a cell that never materializes.
14. **Usage**: a float or string in a required count → usage null; a float cache_write_input_tokens → 0; negatives → 0.
15. **Envelope integers are i64**: wall times above 2^53 (up to i64::MAX) are accepted and written exactly. The empty string is an ordinary Responses id.
16. Messages that changed from S1 or are new: \`cannot resume thread X: it was not started in this trace; ...\`, \`sub-agent activity Interacted does not match tool call kind SpawnAgent\` (Debug names), \`stdin target referenced unknown exec X\`, \`accepted agent message does not match receipt X\`, \`history acceptance has no thread\`.`;

function writeFindings(): void {
  const lines: string[] = [];
  lines.push('# Synthetic probes of the official reducer: findings', '');
  lines.push(
    'One line per case under `test/fixtures/synthetic/`: the verdict of `codex debug trace-reduce` (npm `@openai/codex@0.169.0`) and what was notable.',
    'Each case directory holds the bundle, the official `state.json` or `expected-error.txt` (+ `error-location.json`), and a `case.md` with details.',
    'Regenerate everything with `node --import tsx scripts/make-synthetic.ts` (needs the oracle binary, see `scripts/oracle.ts`).',
    '',
    KEY_FINDINGS,
    '',
    '## Per case',
    '',
  );
  for (const c of CASES) {
    const dir = path.join(OUT, c.name);
    let verdict = '?';
    let head = '';
    if (fs.existsSync(path.join(dir, 'state.json'))) verdict = 'ok';
    else if (fs.existsSync(path.join(dir, 'expected-error.txt'))) {
      verdict = 'error';
      head = (fs.readFileSync(path.join(dir, 'expected-error.txt'), 'utf8').split('\n')[0] ?? '').replace(/^Error: /, '');
    }
    const note = c.finding || '(no note yet)';
    lines.push(`- **${c.name}** — ${verdict}${head ? ` (\`${head.length > 140 ? head.slice(0, 140) + '…' : head}\`)` : ''}: ${note}`);
  }
  lines.push('');
  fs.writeFileSync(path.join(OUT, 'FINDINGS.md'), lines.join('\n'));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const c of CASES) console.log(`${c.name}\t${c.expect}\t${c.title}`);
    return;
  }
  const names = new Set(CASES.map((c) => c.name));
  if (names.size !== CASES.length) throw new Error('duplicate case names');
  const wanted = args.filter((a) => !a.startsWith('--'));
  for (const w of wanted) if (!names.has(w)) throw new Error(`unknown case ${w}`);
  const todo = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
  fs.mkdirSync(OUT, { recursive: true });
  if (!wanted.length) {
    // Full rebuild: drop case directories that no longer have a definition.
    for (const e of fs.readdirSync(OUT, { withFileTypes: true }))
      if (e.isDirectory() && !names.has(e.name)) fs.rmSync(path.join(OUT, e.name), { recursive: true });
  }
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const c = todo[next++];
      outcomes.push(await buildCase(c));
    }
  };
  await Promise.all([worker(), worker()]);
  outcomes.sort((a, b) => CASES.indexOf(a.c) - CASES.indexOf(b.c));
  let problems = 0;
  for (const o of outcomes) {
    const w = o.warnings.length ? `  !! ${o.warnings.join('; ')}` : '';
    if (w) problems++;
    console.log(`${o.verdict.padEnd(5)} ${o.c.name}${o.headline ? `  — ${o.headline.slice(0, 110)}` : ''}${w}`);
  }
  writeFindings();
  console.log(`\n${outcomes.length} case(s) written to ${path.relative(ROOT, OUT)}; ${problems} with warnings.`);
  if (problems) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
