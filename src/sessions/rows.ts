/**
 * The session list's rows: a resumed session (several bundles sharing a
 * rollout id, one per Codex process) is one row with its later bundles under
 * it; the text filter and status filter as pure predicates. Pure.
 */
import type { SessionRow } from '../trace/sessions/list';
import type { ShownStatus } from './sessionsStore';

export interface ListRow extends SessionRow {
  /** Later bundles of the same rollout (a resume), oldest first. */
  resumes: ListRow[];
}

const started = (r: SessionRow) => r.summary?.startedAtMs ?? Number.POSITIVE_INFINITY;

/** Groups bundles by rollout id: the first bundle of a rollout carries the others. */
export function groupResumes(rows: readonly SessionRow[]): ListRow[] {
  const byRollout = new Map<string, SessionRow[]>();
  const out: ListRow[] = [];
  for (const r of rows) {
    const id = r.summary?.rolloutId;
    if (!id) {
      out.push({ ...r, resumes: [] });
      continue;
    }
    const g = byRollout.get(id);
    if (g) g.push(r);
    else byRollout.set(id, [r]);
  }
  for (const g of byRollout.values()) {
    g.sort((a, b) => started(a) - started(b) || (a.name < b.name ? -1 : 1));
    out.push({ ...g[0], resumes: g.slice(1).map((r) => ({ ...r, resumes: [] })) });
  }
  return out;
}

export function shownStatus(r: SessionRow): ShownStatus | null {
  if (r.recording) return 'recording';
  return r.summary?.status ?? null;
}

/** Whether a row (or one of its resumes) matches the text: ids, bundle name, first prompt, models. Case-insensitive. */
export function matchesQuery(r: ListRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const hay = (x: SessionRow) =>
    [x.name, x.summary?.traceId, x.summary?.rolloutId, x.summary?.firstPrompt, ...(x.summary?.models ?? [])].some((t) => !!t && t.toLowerCase().includes(q));
  return hay(r) || r.resumes.some(hay);
}

export function matchesStatus(r: ListRow, statuses: readonly ShownStatus[]): boolean {
  if (!statuses.length) return true;
  return [r, ...r.resumes].some((x) => {
    const s = shownStatus(x);
    return s !== null && statuses.includes(s);
  });
}
