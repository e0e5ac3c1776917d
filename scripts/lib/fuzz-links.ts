/**
 * The `links` phase of the robustness fuzzer: a share link's `#view=` is text
 * anyone can write (src/store/viewState.ts). Case I builds a view state whose
 * thread, selection, filter entries, diff pair and trace reference are
 * Object.prototype names, real ids, strings of up to 2 MB, wrong types,
 * nested junk (`__proto__` keys included) and numbers like 1e400, writes it as
 * JSON (sometimes cut or damaged, sometimes as a hash), and checks:
 * parseViewState, upgradeViewState and readViewStateFromHash never throw and
 * return null or a valid ViewState; with a reduced corpus bundle loaded into
 * the store (before or after the view arrives), applyViewState never throws,
 * the active thread, the selection and the thread filter are null or own keys
 * of the state's maps, the selectors and ref resolvers run, the view written
 * back is a link that parses, and Object.prototype is untouched.
 */
import { resetStore, useStore } from '../../src/store';
import { selectCanGoBack, selectCanGoForward, selectItemLifetime, selectViewState } from '../../src/store/selectors';
import { parseViewState, readViewStateFromHash, serializeViewState, upgradeViewState, ViewStateSchema, type ViewState } from '../../src/store/viewState';
import { COLLECTION_OF, OBJECT_KINDS, own, type ObjectRef } from '../../src/trace/indexes/refs';
import { labelOf, revealItemOf, threadOf } from '../../src/trace/indexes/resolve';
import { reduceBundle } from '../../src/trace/reducer';
import { computeSummary } from '../../src/trace/indexes/summary';
import type { ReduceResult } from '../../src/trace/api';
import type { BundleFiles } from './bundle-files';
import type { PhaseResult } from './phases';
import type { Rng } from './prng';
import { sourceFor } from './robustness';

export const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__'];
/** Bundles whose reduced state the links are applied to (small, and between them every object kind). */
export const LINK_BUNDLES = ['multi-agent', 'tools-one-turn', 'code-mode', 'compaction-local', 'long-command-polls'];
const HASH = 'a'.repeat(64);
const SERVED = 'served-bundle';

/** A JSON value with text spliced in verbatim (numbers JSON.stringify cannot write, like 1e400). */
class Raw {
  constructor(readonly text: string) {}
}
type J = null | boolean | number | string | Raw | J[] | { [k: string]: J };

function emit(v: J): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(emit).join(',')}]`;
  // Written key by key: a `__proto__` key must reach the text as a key.
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${emit(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Every id of the loaded state, to mix real ones in. */
function realIds(state: ReduceResult['state']): { kind: ObjectRef['kind']; id: string }[] {
  if (!state) return [];
  return OBJECT_KINDS.flatMap((kind) => Object.keys(state[COLLECTION_OF[kind]] as object).map((id) => ({ kind, id })));
}

function hugeString(rng: Rng): string {
  const n = rng.pick([513, 1025, 20_000, 2_000_000]);
  return rng.pick(['x', '_', '😀', '\u202e', '"', '__proto__']).repeat(n).slice(0, n);
}

/** A hostile value of any shape; `small` leaves out the megabyte strings (for list entries). */
function junk(rng: Rng, ids: string[], depth = 0, small = false): J {
  switch (rng.int(depth > 2 ? 7 : 10)) {
    case 0:
    case 1:
      return rng.pick(PROTO_NAMES);
    case 2:
      return ids.length ? rng.pick(ids) : 'x';
    case 3:
      return small ? 'y'.repeat(rng.pick([65, 513, 1025])) : hugeString(rng);
    case 4:
      return new Raw(rng.pick(['1e400', '-1e400', '9007199254740993', '-0', '0.1e-400', '123456789012345678901234567890']));
    case 5:
      return rng.pick([null, true, false, 0, -1, '', 2.5]);
    case 6:
      return rng.pick(['\u0000', 'a\nb', '<script>alert(1)</script>', 'javascript:alert(1)', '%00', '..', '/']);
    case 7:
      return Array.from({ length: rng.int(4) }, () => junk(rng, ids, depth + 1, small));
    case 8: {
      const o: { [k: string]: J } = {};
      for (let i = rng.int(4); i > 0; i--) o[rng.pick([...PROTO_NAMES, 'id', 'kind', 'v', 'x'])] = junk(rng, ids, depth + 1, small);
      return o;
    }
    default: {
      const d = rng.pick([10, 1000, 5000]);
      return new Raw(`${'['.repeat(d)}1${']'.repeat(d)}`);
    }
  }
}

/** A field: usually of the right shape with a hostile value, sometimes junk of any shape. */
function viewObject(rng: Rng, ids: { kind: string; id: string }[]): J {
  const idStrings = ids.map((x) => x.id);
  const id = (small = false): J =>
    rng.chance(0.15)
      ? junk(rng, idStrings, 0, small)
      : rng.chance(0.4) && idStrings.length
        ? rng.pick(idStrings)
        : rng.chance(0.6)
          ? rng.pick(PROTO_NAMES)
          : junk(rng, idStrings, 0, small);
  const list = (): J => (rng.chance(0.2) ? junk(rng, idStrings) : Array.from({ length: rng.pick([0, 1, 3, 300]) }, () => id(true)));
  const real = rng.chance(0.3) && ids.length ? rng.pick(ids) : null;
  const o: { [k: string]: J } = {
    v: rng.chance(0.8) ? rng.pick([2, 2, 1]) : junk(rng, idStrings),
    trace: rng.pick<J>([
      null,
      { name: SERVED, hash: null, label: id() },
      { name: null, hash: HASH, label: rng.chance(0.5) ? hugeString(rng) : null },
      { name: id(), hash: rng.pick([HASH, 'A'.repeat(64), '__proto__', null]), label: id() },
      junk(rng, idStrings),
    ]),
    thread: id(),
    selection: rng.chance(0.2)
      ? junk(rng, idStrings)
      : {
          kind: real && rng.chance(0.5) ? real.kind : rng.chance(0.8) ? rng.pick(OBJECT_KINDS) : rng.pick(PROTO_NAMES),
          id: real && rng.chance(0.5) ? real.id : id(),
        },
    window: rng.chance(0.3)
      ? junk(rng, idStrings)
      : { startMs: rng.pick<J>([0, new Raw('1e400'), new Raw('-1e400'), 1e15, '0']), endMs: rng.pick<J>([1, new Raw('1e400'), 2 ** 53 + 1, null]) },
    filters: rng.chance(0.2) ? junk(rng, idStrings) : { kinds: list(), statuses: list(), threadIds: list(), text: rng.chance(0.3) ? hugeString(rng) : id() },
    panels: rng.chance(0.3) ? junk(rng, idStrings) : { center: id() },
    diff: rng.chance(0.5) ? { from: id(), to: id() } : junk(rng, idStrings),
  };
  // Keys dropped, junk keys added (`__proto__` written as a key).
  for (const k of Object.keys(o)) if (rng.chance(0.05)) delete o[k];
  if (rng.chance(0.3)) o[rng.pick(PROTO_NAMES)] = junk(rng, idStrings);
  return o;
}

/** The link text: the object as JSON, sometimes cut or with a byte changed. */
function linkText(rng: Rng, obj: J): { text: string; how: string } {
  const text = emit(obj);
  const op = rng.int(10);
  if (op === 0) {
    const at = rng.int(text.length + 1);
    return { text: text.slice(0, at), how: `cut at ${at}` };
  }
  if (op === 1) {
    const at = rng.int(text.length);
    return { text: text.slice(0, at) + rng.pick(['"', '\\', '}', '\u0000', '\ud800', 'é']) + text.slice(at + 1), how: `char ${at} changed` };
  }
  return { text, how: 'whole' };
}

/** The text as a hash value; null when a URL cannot carry it (a lone surrogate cannot be percent-encoded). */
function hashOf(text: string): string | null {
  try {
    return encodeURIComponent(text);
  } catch {
    return null;
  }
}

const reduced = new Map<string, ReduceResult>();

async function stateOf(name: string, files: BundleFiles): Promise<ReduceResult> {
  let r = reduced.get(name);
  if (!r) reduced.set(name, (r = await reduceBundle(sourceFor(files, false))));
  return r;
}

function checkParsed(label: string, v: unknown, violations: string[]): ViewState | null {
  if (v === null) return null;
  const again = ViewStateSchema.safeParse(v);
  if (!again.success) violations.push(`${label} returned an invalid view state: ${again.error.issues[0]?.message}`);
  return again.success ? (v as ViewState) : null;
}

/** What the store holds after a view was applied: null or the loaded trace's own ids. */
function checkStore(label: string, violations: string[]): void {
  const s = useStore.getState();
  const st = s.state;
  if (!st) return;
  if (s.activeThreadId !== null && own(st.threads, s.activeThreadId) === undefined)
    violations.push(`${label}: active thread ${JSON.stringify(s.activeThreadId).slice(0, 80)} is not a thread of the trace`);
  const sel = s.selection;
  if (sel !== null) {
    if (!(OBJECT_KINDS as readonly string[]).includes(sel.kind))
      violations.push(`${label}: selection kind ${JSON.stringify(sel.kind).slice(0, 80)} is not an object kind`);
    else if (own(st[COLLECTION_OF[sel.kind]] as Record<string, unknown>, sel.id) === undefined)
      violations.push(`${label}: selection ${sel.kind} ${JSON.stringify(sel.id).slice(0, 80)} is not in the trace`);
  }
  for (const t of s.filters.threadIds)
    if (own(st.threads, t) === undefined) violations.push(`${label}: thread filter ${JSON.stringify(t).slice(0, 80)} is not a thread of the trace`);
  try {
    selectCanGoBack(s);
    selectCanGoForward(s);
    if (s.state) computeSummary(s.state);
    selectItemLifetime(s);
    for (const ref of [...s.history.entries, ...(sel ? [sel] : [])]) {
      threadOf(st, s.indexes, ref);
      revealItemOf(st, s.indexes, ref);
      labelOf(st, s.indexes, ref);
    }
    const back = serializeViewState(selectViewState(s));
    if (parseViewState(back) === null) violations.push(`${label}: the view written back (${back.length} chars) is not a link that parses`);
  } catch (e) {
    violations.push(`${label}: a selector threw: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600));
  }
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join();

export async function linksCase(rng: Rng, bundles: { name: string; files: BundleFiles }[]): Promise<PhaseResult> {
  const candidates = bundles.filter((b) => LINK_BUNDLES.includes(b.name));
  const b = rng.pick(candidates.length ? candidates : bundles);
  const r = await stateOf(b.name, b.files);
  const ids = realIds(r.state);
  const obj = viewObject(rng, ids);
  const { text, how } = linkText(rng, obj);
  const violations: string[] = [];
  const description = `${how} view of ${text.length} chars: ${text.slice(0, 160)}`;
  const cpu0 = process.cpuUsage();
  const views: ViewState[] = [];
  const attempt = <T>(label: string, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      violations.push(`${label} threw: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600));
      return null;
    }
  };
  for (const [label, f] of [
    ['parseViewState', () => parseViewState(text)],
    ['readViewStateFromHash', () => (hashOf(text) === null ? null : readViewStateFromHash(`#x=1&view=${hashOf(text)}&y`))],
    [
      'upgradeViewState',
      () => {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return null;
        }
        return upgradeViewState(raw);
      },
    ],
  ] as const) {
    const v = checkParsed(label, attempt(label, f), violations);
    if (v) views.push(v);
  }
  const loadFirst = rng.chance(0.5);
  resetStore();
  const load = () =>
    useStore.getState().finishLoad({
      label: b.name,
      manifest: r.manifest,
      state: r.state ? structuredClone(r.state) : null,
      error: r.error,
      diagnostics: [],
      bundleKey: b.name,
      contentHash: HASH,
      servedName: SERVED,
    });
  if (loadFirst) attempt('finishLoad', load);
  for (const [k, v] of views.entries()) {
    attempt(`applyViewState #${k}`, () => useStore.getState().applyViewState(v, { fromHistory: rng.chance(0.3) }));
    if (loadFirst) checkStore(`after view #${k}`, violations);
  }
  if (!loadFirst) {
    attempt('finishLoad with a pending view', load);
    checkStore('after the load applied the pending view', violations);
  }
  if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== PROTO_KEYS) violations.push('Object.prototype changed');
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (cpuMs > 5_000) violations.push(`took ${cpuMs.toFixed(0)} ms of CPU (> 5000 ms)`);
  const s = useStore.getState();
  const outcome = views.length === 0 ? 'refused' : s.viewNotice ? 'applied with ids ignored' : s.pendingView ? 'pending (other trace)' : 'applied';
  return { kind: `links-${loadFirst ? 'loaded' : 'pending'}`, bundle: b.name, description, violations, outcome, cpuMs };
}
