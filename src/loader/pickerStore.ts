import { create } from 'zustand';
import type { BundleChoice } from '../worker/client';

export type { BundleInfo } from '../worker/protocol';
export type BundleGroup = BundleChoice['groups'][number];

/**
 * The bundle list: the bundles of a dropped folder, archive or trace root
 * (`scan`), or the bundles `codex-trace-viewer serve` serves (`served`).
 * Loader-local (the trace store only knows the load phase). After a pick the
 * list is kept, closed, so that the header can offer a way back to it.
 */
export interface PickerState {
  /** Where the list came from; null: no list. */
  source: 'scan' | 'served' | null;
  /** The load request whose scan found these bundles (source `scan`). */
  scanId: number | null;
  label: string;
  groups: BundleGroup[] | null;
  /** Whether the list is shown (open until a bundle is picked; reopened from the header). */
  open: boolean;
}

export const usePickerStore = create<PickerState>(() => ({ source: null, scanId: null, label: '', groups: null, open: false }));

export function clearPicker(): void {
  usePickerStore.setState({ source: null, scanId: null, label: '', groups: null, open: false });
}

/** Shows or hides the kept list. */
export function setPickerOpen(open: boolean): void {
  if (usePickerStore.getState().groups) usePickerStore.setState({ open });
}

/** Number of bundles in the list (0 without one). */
export function pickerCount(s: PickerState): number {
  return s.groups ? s.groups.reduce((n, g) => n + g.bundles.length, 0) : 0;
}
