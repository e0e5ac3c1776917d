/** Region sizes of the app layout, persisted in localStorage. */
import { useCallback, useState } from 'react';

export const LAYOUT_STORAGE_KEY = 'ctv.layout.v1';

export interface LayoutSizes {
  left: number;
  right: number;
  bottom: number;
}

export const DEFAULT_LAYOUT: LayoutSizes = { left: 240, right: 400, bottom: 260 };
export const LAYOUT_LIMITS: Record<keyof LayoutSizes, [number, number]> = {
  left: [160, 520],
  right: [260, 900],
  bottom: [120, 800],
};

function clampSizes(x: Partial<Record<keyof LayoutSizes, unknown>>): LayoutSizes {
  const out = { ...DEFAULT_LAYOUT };
  for (const k of Object.keys(DEFAULT_LAYOUT) as (keyof LayoutSizes)[]) {
    const v = x[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = Math.max(LAYOUT_LIMITS[k][0], Math.min(LAYOUT_LIMITS[k][1], Math.round(v)));
  }
  return out;
}

export function readLayout(storage: Storage | undefined = globalThis.localStorage): LayoutSizes {
  try {
    const raw = storage?.getItem(LAYOUT_STORAGE_KEY);
    if (!raw) return { ...DEFAULT_LAYOUT };
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? clampSizes(parsed as Record<string, unknown>) : { ...DEFAULT_LAYOUT };
  } catch {
    return { ...DEFAULT_LAYOUT };
  }
}

export function writeLayout(sizes: LayoutSizes, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(sizes));
  } catch {
    /* storage full or disabled: sizes just are not remembered */
  }
}

export function useLayoutSizes(): [LayoutSizes, (k: keyof LayoutSizes, v: number) => void] {
  const [sizes, setSizes] = useState<LayoutSizes>(() => readLayout());
  const set = useCallback((k: keyof LayoutSizes, v: number) => {
    setSizes((prev) => {
      const next = clampSizes({ ...prev, [k]: v });
      writeLayout(next);
      return next;
    });
  }, []);
  return [sizes, set];
}
