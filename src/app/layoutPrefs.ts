/**
 * Region sizes of the app layout, persisted in localStorage. The bottom region
 * (the timeline) has a height and an open/closed state per centre panel: a
 * panel read in depth (request windows, compactions) gets the height the
 * timeline would take, until the user opens it there; the user's own choices
 * are kept per panel.
 */
import { useCallback, useState } from 'react';
import { isRecord } from '../trace/objects';

export const LAYOUT_STORAGE_KEY = 'ctv.layout.v1';

export interface LayoutSizes {
  left: number;
  right: number;
  /** Bottom height for a centre panel with no height of its own. */
  bottom: number;
  /** Bottom height per centre panel (set by dragging its splitter there). */
  bottomByPanel: Record<string, number>;
  /** Bottom region closed (true) or open (false) per centre panel, as the user set it. */
  bottomClosed: Record<string, boolean>;
}

export const DEFAULT_LAYOUT: LayoutSizes = { left: 240, right: 400, bottom: 260, bottomByPanel: {}, bottomClosed: {} };
export const LAYOUT_LIMITS: Record<'left' | 'right' | 'bottom', [number, number]> = {
  left: [160, 520],
  right: [260, 900],
  bottom: [120, 800],
};

/** Centre panels whose detail needs the room: the bottom region starts closed there. */
export const BOTTOM_CLOSED_BY_DEFAULT: ReadonlySet<string> = new Set(['request-window', 'compaction', 'tokens']);

/** Default widths for a window of `width` px: a narrower inspector on a laptop screen leaves the centre its room. */
export function defaultLayout(width: number = globalThis.innerWidth ?? 1440): LayoutSizes {
  const right = Math.max(300, Math.min(DEFAULT_LAYOUT.right, Math.round(width * 0.25)));
  const left = width < 1400 ? 220 : DEFAULT_LAYOUT.left;
  return { ...DEFAULT_LAYOUT, left, right, bottomByPanel: {}, bottomClosed: {} };
}

/**
 * The height that shows `wanted` px of timeline, within what leaves the centre
 * panel most of a window `windowHeight` px tall: a third agent's track should
 * not need scrolling, but the timeline never takes more than 45% by itself.
 */
export function fittedBottom(wanted: number | null, windowHeight: number = globalThis.innerHeight ?? 900): number | null {
  if (wanted === null || !Number.isFinite(wanted)) return null;
  const most = Math.max(LAYOUT_LIMITS.bottom[0], Math.round(windowHeight * 0.45));
  return Math.max(200, Math.min(most, Math.ceil(wanted)));
}

const clampTo = (k: keyof typeof LAYOUT_LIMITS, v: number) => Math.max(LAYOUT_LIMITS[k][0], Math.min(LAYOUT_LIMITS[k][1], Math.round(v)));

function clampSizes(x: Record<string, unknown>, base: LayoutSizes = defaultLayout()): LayoutSizes {
  const out: LayoutSizes = { ...base, bottomByPanel: {}, bottomClosed: {} };
  for (const k of ['left', 'right', 'bottom'] as const) {
    const v = x[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = clampTo(k, v);
  }
  // Panel ids are plain keys from storage: own entries only, numbers / booleans only.
  if (isRecord(x.bottomByPanel))
    for (const [id, v] of Object.entries(x.bottomByPanel)) if (typeof v === 'number' && Number.isFinite(v)) out.bottomByPanel[id] = clampTo('bottom', v);
  if (isRecord(x.bottomClosed)) for (const [id, v] of Object.entries(x.bottomClosed)) if (typeof v === 'boolean') out.bottomClosed[id] = v;
  return out;
}

export function readLayout(storage: Storage | undefined = globalThis.localStorage): LayoutSizes {
  try {
    const raw = storage?.getItem(LAYOUT_STORAGE_KEY);
    if (!raw) return defaultLayout();
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? clampSizes(parsed) : defaultLayout();
  } catch {
    return defaultLayout();
  }
}

export function writeLayout(sizes: LayoutSizes, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(sizes));
  } catch {
    /* storage full or disabled: sizes just are not remembered */
  }
}

/**
 * The bottom region for centre panel `panel`: its height, and whether it is closed.
 * `fits` is the height that shows the timeline's every track; it is used until the
 * user sets a height for this panel.
 */
export function bottomFor(sizes: LayoutSizes, panel: string, fits: number | null = null): { height: number; closed: boolean } {
  const height = Object.hasOwn(sizes.bottomByPanel, panel) ? sizes.bottomByPanel[panel] : (fits ?? sizes.bottom);
  const closed = Object.hasOwn(sizes.bottomClosed, panel) ? sizes.bottomClosed[panel] : BOTTOM_CLOSED_BY_DEFAULT.has(panel);
  return { height, closed };
}

export interface LayoutActions {
  set(k: 'left' | 'right', v: number): void;
  /** The bottom height while `panel` is the centre panel. */
  setBottom(panel: string, v: number): void;
  setBottomClosed(panel: string, closed: boolean): void;
}

export function useLayoutSizes(): [LayoutSizes, LayoutActions] {
  const [sizes, setSizes] = useState<LayoutSizes>(() => readLayout());
  const update = useCallback((fn: (prev: LayoutSizes) => LayoutSizes) => {
    setSizes((prev) => {
      const next = fn(prev);
      writeLayout(next);
      return next;
    });
  }, []);
  const [actions] = useState<LayoutActions>(() => ({
    set: (k, v) => update((prev) => ({ ...prev, [k]: clampTo(k, v) })),
    setBottom: (panel, v) => update((prev) => ({ ...prev, bottomByPanel: { ...prev.bottomByPanel, [panel]: clampTo('bottom', v) } })),
    setBottomClosed: (panel, closed) => update((prev) => ({ ...prev, bottomClosed: { ...prev.bottomClosed, [panel]: closed } })),
  }));
  return [sizes, actions];
}
