/**
 * The session list page's state: the served list as last fetched, and how
 * the reader narrows and orders it. Kept apart from the trace store: the list
 * is about many bundles, the trace store about the one open.
 */
import { create } from 'zustand';
import type { SortingState } from '@tanstack/react-table';
import type { SessionList } from '../trace/sessions/list';

/** Statuses as the list shows them: a summary's status, with `recording` for an unclosed bundle being written now. */
export const SHOWN_STATUSES = ['recording', 'complete', 'unclosed', 'partial', 'failed'] as const;
export type ShownStatus = (typeof SHOWN_STATUSES)[number];

export interface SessionsState {
  /** null until the first answer; `available: false` when the server has no session list. */
  list: SessionList | null;
  available: boolean | null;
  error: string | null;
  /** Narrows the list (names, ids, prompts, models). */
  query: string;
  /** Searches inside every session (the server's index). */
  searchText: string;
  statuses: ShownStatus[];
  sorting: SortingState;
}

export const DEFAULT_SORTING: SortingState = [{ id: 'started', desc: true }];

export const useSessionsStore = create<SessionsState>(() => ({
  list: null,
  available: null,
  error: null,
  query: '',
  searchText: '',
  statuses: [],
  sorting: DEFAULT_SORTING,
}));
