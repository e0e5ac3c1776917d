import { create } from 'zustand';
import type { BundleChoice } from '../worker/client';

export type { BundleInfo } from '../worker/protocol';
export type BundleGroup = BundleChoice['groups'][number];

/**
 * The bundle picker's state: set when a drop held several bundles and the
 * user must choose one. Loader-local (the trace store only knows the load phase).
 */
export interface PickerState {
  /** The load request whose scan found these bundles. */
  scanId: number | null;
  label: string;
  groups: BundleGroup[] | null;
}

export const usePickerStore = create<PickerState>(() => ({ scanId: null, label: '', groups: null }));

export function clearPicker(): void {
  usePickerStore.setState({ scanId: null, label: '', groups: null });
}
