/**
 * The user's price table, kept in localStorage so the session list and the
 * Tokens panel (and other tabs) price with the same one. What is stored is
 * the file's text and name; it is validated again when read back, so a table
 * edited by hand in storage, or written by a later version, is refused with
 * the reason rather than trusted.
 */
import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import { MAX_PRICE_TABLE_BYTES, parsePriceTable, type PriceTable } from '../trace/tokens/prices';

export const PRICE_TABLE_STORAGE_KEY = 'ctv.priceTable.v1';

const StoredSchema = z.object({ name: z.string().max(1024).nullable(), text: z.string().max(MAX_PRICE_TABLE_BYTES) });

export interface PriceTableState {
  table: PriceTable | null;
  /** File name it came from. */
  name: string | null;
  /** Why the last table offered (loaded, or read back from storage) was refused. */
  error: string | null;
}

const listeners = new Set<() => void>();
let current: PriceTableState | null = null;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function readStored(): PriceTableState {
  let raw: string | null | undefined;
  try {
    raw = storage()?.getItem(PRICE_TABLE_STORAGE_KEY);
  } catch {
    raw = null;
  }
  if (!raw) return { table: null, name: null, error: null };
  let stored: z.infer<typeof StoredSchema>;
  try {
    stored = StoredSchema.parse(JSON.parse(raw));
  } catch {
    return { table: null, name: null, error: 'The saved price table could not be read and was ignored; load it again.' };
  }
  const parsed = parsePriceTable(stored.text);
  if (!parsed.ok) return { table: null, name: stored.name, error: `The saved price table was ignored. ${parsed.error}` };
  return { table: parsed.table, name: stored.name, error: null };
}

function set(next: PriceTableState): void {
  current = next;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  const onStorage = (e: StorageEvent) => {
    if (e.key === PRICE_TABLE_STORAGE_KEY || e.key === null) set(readStored());
  };
  // Another tab loading or clearing a table: follow it.
  globalThis.addEventListener?.('storage', onStorage);
  return () => {
    listeners.delete(l);
    globalThis.removeEventListener?.('storage', onStorage);
  };
}

export function getPriceTableState(): PriceTableState {
  current ??= readStored();
  return current;
}

/** Takes a price table's text; returns the error when it is refused (the table in use stays). */
export function loadPriceTable(text: string, name: string | null): string | null {
  const parsed = parsePriceTable(text);
  if (!parsed.ok) {
    set({ ...getPriceTableState(), error: parsed.error });
    return parsed.error;
  }
  try {
    storage()?.setItem(PRICE_TABLE_STORAGE_KEY, JSON.stringify({ name, text }));
  } catch {
    // Storage full or disabled: the table still prices this page, it is just not remembered.
  }
  set({ table: parsed.table, name, error: null });
  return null;
}

/** A table refused before its text was read (a file far too large to be one). */
export function refusePriceTable(error: string): void {
  set({ ...getPriceTableState(), error });
}

export function clearPriceTable(): void {
  try {
    storage()?.removeItem(PRICE_TABLE_STORAGE_KEY);
  } catch {
    /* nothing stored to forget */
  }
  set({ table: null, name: null, error: null });
}

/** Forgets what was read, so the next read comes from storage (tests). */
export function resetPriceTableCache(): void {
  current = null;
}

export function usePriceTable(): PriceTableState {
  return useSyncExternalStore(subscribe, getPriceTableState, getPriceTableState);
}
