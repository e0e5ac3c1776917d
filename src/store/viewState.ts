/**
 * The URL view state: a small, zod-validated, versioned object kept in the
 * location hash (`#view=<json>`), so a view can be shared or reloaded.
 *
 * Versioning: every serialized object carries `v`. `parseViewState` runs the
 * upgrader table: `UPGRADERS[v]` turns a version-v object into the next
 * version (and `UPGRADERS[CURRENT]` is the identity). When the shape changes,
 * add a `ViewStateV2Schema`, bump `VIEW_STATE_VERSION`, and make `UPGRADERS[1]`
 * return a v2 object; old links keep working.
 */
import { z } from 'zod';
import { OBJECT_KINDS } from '../trace/indexes/refs';
import { isRecord } from '../trace/objects';

export const VIEW_STATE_VERSION = 2 as const;
/** The key inside the hash (`#view=...`); other hash keys are left alone. */
export const VIEW_STATE_HASH_KEY = 'view';

/*
 * A link is text anyone can write, so everything it carries is bounded: an id
 * or a name far longer than any a trace holds, or a filter text of a megabyte
 * (which made every filtering pass crawl), is dropped as malformed.
 */
/** Longest id or thread id a link may name (trace ids are a few dozen characters). */
const MAX_ID = 512;
/** Longest filter text a link may carry. */
export const MAX_FILTER_TEXT = 1000;
/** Most entries in one filter list. */
const MAX_LIST = 256;
/** Longest `#view=` value that is parsed at all; what the app writes is a few hundred characters. */
export const MAX_VIEW_TEXT = 16 * 1024;

const Id = z.string().min(1).max(MAX_ID);
/** Longest bundle label shown from a link. */
export const MAX_LABEL = 120;

export const SelectionSchema = z.object({ kind: z.enum(OBJECT_KINDS), id: Id }).nullable();

export const TimeWindowSchema = z
  .object({ startMs: z.number().finite(), endMs: z.number().finite() })
  .refine((w) => w.endMs >= w.startMs, 'endMs must not be before startMs');

export const FiltersSchema = z.object({
  kinds: z.array(z.string().max(64)).max(MAX_LIST),
  statuses: z.array(z.string().max(64)).max(MAX_LIST),
  threadIds: z.array(z.string().max(MAX_ID)).max(MAX_LIST),
  text: z.string().max(MAX_FILTER_TEXT),
});
export type Filters = z.infer<typeof FiltersSchema>;
export const DEFAULT_FILTERS: Filters = { kinds: [], statuses: [], threadIds: [], text: '' };

export const PanelsSchema = z.object({
  /** id of the active centre panel (see src/app/panels.ts). */
  center: z.string().max(64),
});
export type PanelsState = z.infer<typeof PanelsSchema>;
export const DEFAULT_PANELS: PanelsState = { center: 'conversation' };

/**
 * Version 1. Each field falls back to its default when it is malformed, so one
 * bad field in a hand-edited link does not throw the whole view away.
 */
export const ViewStateV1Schema = z.object({
  v: z.literal(1),
  thread: z.string().max(MAX_ID).nullable().catch(null),
  selection: SelectionSchema.catch(null),
  window: TimeWindowSchema.nullable().catch(null),
  filters: FiltersSchema.catch(() => ({ ...DEFAULT_FILTERS })),
  panels: PanelsSchema.catch(() => ({ ...DEFAULT_PANELS })),
});
export type ViewStateV1 = z.infer<typeof ViewStateV1Schema>;

/**
 * Which trace a view belongs to. `name` is the bundle's name under
 * `/bundles/` of `codex-trace-viewer serve` (what `?trace=` carries), or null
 * for a dropped bundle; `hash` is the bundle's content hash (SHA-256 of
 * manifest, trace and payloads, see src/trace/bundle/hash.ts), which finds a
 * dropped bundle again in the recent-bundles cache or when it is dropped anew;
 * `label` is what the user saw (folder or archive name).
 */
export const TraceRefSchema = z.object({
  name: z.string().min(1).max(1024).nullable(),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  // Shown to whoever opens the link: cut to a length that fits a line rather than dropped, since it names the bundle to drop.
  label: z
    .string()
    .nullable()
    .transform((l) => (l !== null && l.length > MAX_LABEL ? `${l.slice(0, MAX_LABEL - 1)}…` : l)),
});
export type TraceRef = z.infer<typeof TraceRefSchema>;

/**
 * Version 2: v1 plus the trace the view belongs to (`trace`). A v1 link has
 * no trace reference: it applies to whatever trace `?trace=` (or the default
 * bundle) opens. Links written before may carry a `diff` pair that nothing
 * ever read; it is dropped with other unknown fields.
 */
export const ViewStateV2Schema = z.object({
  v: z.literal(2),
  trace: TraceRefSchema.nullable().catch(null),
  thread: z.string().max(MAX_ID).nullable().catch(null),
  selection: SelectionSchema.catch(null),
  window: TimeWindowSchema.nullable().catch(null),
  filters: FiltersSchema.catch(() => ({ ...DEFAULT_FILTERS })),
  panels: PanelsSchema.catch(() => ({ ...DEFAULT_PANELS })),
});
export type ViewStateV2 = z.infer<typeof ViewStateV2Schema>;

/** The current version's schema and type. */
export const ViewStateSchema = ViewStateV2Schema;
export type ViewState = ViewStateV2;

export const DEFAULT_VIEW_STATE: ViewState = {
  v: 2,
  trace: null,
  thread: null,
  selection: null,
  window: null,
  filters: DEFAULT_FILTERS,
  panels: DEFAULT_PANELS,
};

/** Upgrader for one version: takes an object of that version, returns one of a later version (identity for the current one). */
export type ViewStateUpgrader = (raw: Record<string, unknown>) => Record<string, unknown>;
export type ViewStateUpgraders = Readonly<Record<number, ViewStateUpgrader>>;

/** v1 → v2: v1 links carry no trace reference. */
export function upgradeV1toV2(raw: Record<string, unknown>): Record<string, unknown> {
  const v1 = ViewStateV1Schema.parse(raw);
  return { ...v1, v: 2, trace: null };
}

export const VIEW_STATE_UPGRADERS: ViewStateUpgraders = {
  1: upgradeV1toV2,
  2: (raw) => raw,
};

/**
 * Bring a decoded object of any known version up to the current version and
 * validate it. Returns null for unknown/future versions or invalid input.
 */
export function upgradeViewState(raw: unknown, upgraders: ViewStateUpgraders = VIEW_STATE_UPGRADERS, current: number = VIEW_STATE_VERSION): ViewState | null {
  let cur = raw;
  for (let steps = 0; steps < 64; steps++) {
    if (!isRecord(cur) || typeof cur.v !== 'number') return null;
    const v = cur.v;
    const up = Object.prototype.hasOwnProperty.call(upgraders, v) ? upgraders[v] : undefined;
    if (!up) return null;
    let next: unknown;
    try {
      next = up(cur);
    } catch {
      return null;
    }
    if (v === current) {
      const parsed = ViewStateSchema.safeParse(next);
      return parsed.success ? parsed.data : null;
    }
    if (!isRecord(next) || typeof next.v !== 'number' || next.v <= v) return null;
    cur = next;
  }
  return null;
}

/** `ViewState` → the value stored under `#view=` (JSON). */
export function serializeViewState(vs: ViewState): string {
  return JSON.stringify(ViewStateSchema.parse(vs));
}

/** Decode the `#view=` value; null when absent, malformed, or of an unknown version. */
export function parseViewState(text: string | null | undefined, upgraders?: ViewStateUpgraders, current?: number): ViewState | null {
  if (!text || text.length > MAX_VIEW_TEXT) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  return upgradeViewState(raw, upgraders, current);
}

/** Put a view state into a location hash, keeping any other `key=value` entries. */
export function writeViewStateToHash(hash: string, vs: ViewState): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.set(VIEW_STATE_HASH_KEY, serializeViewState(vs));
  return `#${params.toString()}`;
}

/** Read a view state from a location hash (`#view=...&other=...`). */
export function readViewStateFromHash(hash: string, upgraders?: ViewStateUpgraders, current?: number): ViewState | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return parseViewState(params.get(VIEW_STATE_HASH_KEY), upgraders, current);
}
