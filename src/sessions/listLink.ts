/**
 * The session list as a link: `?sessions#list=<json>` opens the list with
 * the same narrowing, search and order. The JSON is versioned and read with
 * zod, within bounds, so a hand-edited or hostile link costs nothing: what it
 * names wrongly is dropped, and the rest is kept.
 */
import { z } from 'zod';
import { DEFAULT_SORTING, SHOWN_STATUSES, type SessionsState } from './sessionsStore';

export const LIST_PARAM = 'sessions';
const HASH_KEY = 'list=';
/** Longest `#list=` read: the list's own state is far smaller. */
const MAX_HASH = 16 * 1024;

const Fields = {
  text: z.string().max(500),
  statuses: z.array(z.enum(SHOWN_STATUSES)).max(SHOWN_STATUSES.length),
  sort: z.array(z.object({ id: z.string().min(1).max(64), desc: z.boolean() })).max(4),
};

export const ListLinkSchema = z.object({
  v: z.literal(1),
  q: Fields.text.optional(),
  s: Fields.text.optional(),
  st: Fields.statuses.optional(),
  sort: Fields.sort.optional(),
});

export type ListView = Pick<SessionsState, 'query' | 'searchText' | 'statuses' | 'sorting'>;

export const DEFAULT_LIST_VIEW: ListView = { query: '', searchText: '', statuses: [], sorting: DEFAULT_SORTING };

/** Whether the URL asks for the session list. */
export function asksForList(search: string): boolean {
  return new URLSearchParams(search).has(LIST_PARAM);
}

/** The list view a URL names; defaults for what it does not name or names wrongly. Null when the URL is not a list link. */
export function readListLink(search: string, hash: string): ListView | null {
  if (!asksForList(search)) return null;
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith(HASH_KEY) || h.length > MAX_HASH) return { ...DEFAULT_LIST_VIEW };
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(h.slice(HASH_KEY.length)));
  } catch {
    return { ...DEFAULT_LIST_VIEW };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || (raw as { v?: unknown }).v !== 1) return { ...DEFAULT_LIST_VIEW };
  // Field by field: one wrong field is dropped, the others kept.
  const obj = raw as Record<string, unknown>;
  const field = <T>(k: 'q' | 's' | 'st' | 'sort', schema: z.ZodType<T>): T | undefined => {
    const r = schema.safeParse(Object.hasOwn(obj, k) ? obj[k] : undefined);
    return r.success ? r.data : undefined;
  };
  const sort = field('sort', Fields.sort);
  return {
    query: field('q', Fields.text) ?? '',
    searchText: field('s', Fields.text) ?? '',
    statuses: [...new Set(field('st', Fields.statuses) ?? [])],
    sorting: sort && sort.length > 0 ? sort : DEFAULT_SORTING,
  };
}

/** The URL (path, `?sessions`, `#list=` with what differs from the defaults) of a list view. */
export function listLink(pathname: string, view: ListView): string {
  const out: z.infer<typeof ListLinkSchema> = { v: 1 };
  if (view.query) out.q = view.query.slice(0, 500);
  if (view.searchText) out.s = view.searchText.slice(0, 500);
  if (view.statuses.length) out.st = [...view.statuses];
  if (JSON.stringify(view.sorting) !== JSON.stringify(DEFAULT_SORTING)) out.sort = view.sorting.slice(0, 4).map((x) => ({ id: x.id, desc: x.desc }));
  const hash = Object.keys(out).length > 1 ? `#${HASH_KEY}${encodeURIComponent(JSON.stringify(out))}` : '';
  return `${pathname}?${LIST_PARAM}${hash}`;
}
