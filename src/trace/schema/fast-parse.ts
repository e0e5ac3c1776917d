import type { z } from 'zod';
import { isRecord } from '../objects';

/**
 * A parser built from a zod schema that gives exactly what `safeParse` gives
 * on input it accepts, and `REFUSED` on any other (then zod itself parses it,
 * for its verdict and message). zod stays the one definition of each schema.
 *
 * Why: a reduction parses every event line once, on code V8 has not
 * optimised yet, where zod's general machinery is slow. A first pass over the
 * 8,340 events of the LONG_STEPS=1000 schema-3 recording took zod 143–180 ms
 * (jitless, as the worker runs it) and this parser 76–88 ms; a warm pass
 * takes zod 17 ms.
 *
 * Only the kinds of schema the event schemas use are built: objects (unknown
 * keys dropped, as zod's default does), strings, finite numbers, literals,
 * enums, unknowns, arrays, unions (discriminated or not), nullable, optional,
 * default, lazy, `instanceof` and checks (run by zod's own check code).
 * Anything else makes the whole parser refuse everything, so zod
 * parses it all as before.
 */
export const REFUSED: unique symbol = Symbol('refused');

export type FastParse<T> = (input: unknown) => T | typeof REFUSED;

type Parse = (input: unknown) => unknown;

interface CheckPayload {
  value: unknown;
  issues: unknown[];
}
interface Check {
  def: { when?: (p: CheckPayload) => boolean };
  check(p: CheckPayload): unknown;
}
/** The zod internals read here: each schema's definition and its optionality, as zod's object parser reads them. */
interface Internals {
  traits?: Set<string>;
  def: {
    type: string;
    checks?: { _zod: Check }[];
    shape?: Record<string, ZodLike>;
    catchall?: unknown;
    options?: ZodLike[];
    discriminator?: string;
    innerType?: ZodLike;
    element?: ZodLike;
    values?: unknown[];
    entries?: Record<string, unknown>;
    getter?: () => ZodLike;
    readonly defaultValue?: unknown;
  };
  optin?: 'optional' | 'defaulted';
  optout?: 'optional';
}
interface ZodLike {
  _zod: Internals;
}

class Unsupported extends Error {}

export function fastParser<S extends z.ZodType>(schema: S): FastParse<z.output<S>> {
  let parse: Parse;
  try {
    parse = build(schema as unknown as ZodLike, new Map());
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return () => REFUSED;
  }
  return parse as FastParse<z.output<S>>;
}

function build(schema: ZodLike, built: Map<ZodLike, Parse>): Parse {
  const known = built.get(schema);
  if (known) return known;
  // A placeholder first, so that a lazy schema that refers back to itself finds it.
  let inner: Parse = () => REFUSED;
  built.set(schema, (v) => inner(v));
  inner = withChecks(schema, buildType(schema, built));
  built.set(schema, inner);
  return inner;
}

/**
 * The schema's checks (refinements, number formats, …) after its own parse,
 * each run as zod runs it, on a payload of our own: any issue is a refusal.
 * A check that is a schema itself (`instanceof`, `custom`) comes first, as in zod.
 */
function withChecks(schema: ZodLike, parse: Parse): Parse {
  const own = schema._zod.traits?.has('$ZodCheck') ? [schema._zod as unknown as Check] : [];
  const checks = [...own, ...(schema._zod.def.checks ?? []).map((c) => c._zod)];
  if (checks.length === 0) return parse;
  return (v) => {
    const value = parse(v);
    if (value === REFUSED) return REFUSED;
    const payload: CheckPayload = { value, issues: [] };
    for (const c of checks) {
      if (c.def.when && !c.def.when(payload)) continue;
      // A check that answers later (an asynchronous refinement) is zod's to run.
      if (c.check(payload) !== undefined || payload.issues.length > 0) return REFUSED;
    }
    return payload.value;
  };
}

function buildType(schema: ZodLike, built: Map<ZodLike, Parse>): Parse {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : REFUSED);
    case 'number':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : REFUSED);
    case 'unknown':
      return (v) => v;
    case 'literal': {
      const values = def.values ?? [];
      return (v) => (values.includes(v) ? v : REFUSED);
    }
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return (v) => (values.includes(v) ? v : REFUSED);
    }
    case 'custom':
      // What it accepts is its own check (`withChecks`).
      return (v) => v;
    case 'nullable': {
      const inner = build(def.innerType!, built);
      return (v) => (v === null ? null : inner(v));
    }
    case 'optional': {
      const inner = build(def.innerType!, built);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'default': {
      const inner = build(def.innerType!, built);
      return (v) => (v === undefined ? def.defaultValue : inner(v));
    }
    case 'lazy': {
      let inner: Parse | null = null;
      return (v) => (inner ??= build(def.getter!(), built))(v);
    }
    case 'array': {
      const element = build(def.element!, built);
      return (v) => {
        if (!Array.isArray(v)) return REFUSED;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) if ((out[i] = element(v[i])) === REFUSED) return REFUSED;
        return out;
      };
    }
    case 'union':
      return def.discriminator === undefined ? union(def.options!, built) : discriminated(def.discriminator, def.options!, built);
    case 'object':
      return object(def.shape!, def.catchall, built);
    default:
      throw new Unsupported(def.type);
  }
}

function union(options: ZodLike[], built: Map<ZodLike, Parse>): Parse {
  const parsers = options.map((o) => build(o, built));
  return (v) => {
    for (const p of parsers) {
      const out = p(v);
      if (out !== REFUSED) return out;
    }
    return REFUSED;
  };
}

function discriminated(key: string, options: ZodLike[], built: Map<ZodLike, Parse>): Parse {
  const byTag = new Map<unknown, Parse>();
  for (const o of options) {
    const tag = o._zod.def.shape?.[key]?._zod.def;
    if (tag?.type !== 'literal') throw new Unsupported(`tag ${tag?.type}`);
    const parse = build(o, built);
    for (const value of tag.values ?? []) if (!byTag.has(value)) byTag.set(value, parse);
  }
  return (v) => {
    if (!isRecord(v)) return REFUSED;
    const parse = byTag.get(v[key]);
    return parse ? parse(v) : REFUSED;
  };
}

/** An object as zod's parses it: the shape's keys in the shape's order, each present, absent or defaulted as zod decides. */
function object(shape: Record<string, ZodLike>, catchall: unknown, built: Map<ZodLike, Parse>): Parse {
  if (catchall !== undefined) throw new Unsupported('catchall');
  const fields = Object.keys(shape).map((key) => ({
    key,
    parse: build(shape[key], built),
    optin: shape[key]._zod.optin,
    optional: shape[key]._zod.optout === 'optional',
  }));
  return (v) => {
    if (!isRecord(v)) return REFUSED;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const present = f.key in v;
      if (!present && f.optional && f.optin === 'optional') continue;
      const value = f.parse(v[f.key]);
      if (value === REFUSED) {
        if (f.optin !== undefined && f.optional && !present) continue;
        return REFUSED;
      }
      if (!present && f.optin === undefined) return REFUSED;
      if (value === undefined) {
        if (present || (f.optin === 'defaulted' && !f.optional)) out[f.key] = undefined;
      } else out[f.key] = value;
    }
    return out;
  };
}

/** `schema.safeParse`, with the fast parser first: zod parses only what the fast one refuses. */
export function fastSafeParse<S extends z.ZodType>(schema: S): (input: unknown) => z.ZodSafeParseResult<z.output<S>> {
  const fast = fastParser(schema);
  return (input) => {
    const value = fast(input);
    return value === REFUSED ? schema.safeParse(input) : { success: true, data: value };
  };
}
