/**
 * The app store: one zustand store composed of slices.
 *   trace     – load lifecycle (beginLoad/setLoadProgress/finishLoad/failLoad/cancelLoad; a failed load keeps the trace shown: openFailure), manifest, state, indexes
 *   selection – the one shared selection with back/forward history (select/back/forward)
 *   viewport  – visible time window for timelines (setViewport)
 *   filters   – kinds, statuses, thread ids, text (setFilters/resetFilters)
 *   view      – active thread, active centre panel, URL view state (setActiveThread/setCenterPanel/applyViewState)
 */
import { create } from 'zustand';
import { createFiltersSlice, createSelectionSlice, createTraceSlice, createViewportSlice, createViewSlice } from './slices';
import type { AppStore } from './types';

export const useStore = create<AppStore>()((...a) => ({
  ...createTraceSlice(...a),
  ...createSelectionSlice(...a),
  ...createViewportSlice(...a),
  ...createFiltersSlice(...a),
  ...createViewSlice(...a),
}));

/** Reset the store to its initial state (tests, "close trace"). */
export function resetStore(): void {
  useStore.setState(useStore.getInitialState(), true);
}

export * from './types';
export * from './selectors';
export { HISTORY_LIMIT, viewFitsTrace } from './slices';
export {
  DEFAULT_FILTERS,
  DEFAULT_PANELS,
  DEFAULT_VIEW_STATE,
  VIEW_STATE_UPGRADERS,
  VIEW_STATE_VERSION,
  ViewStateSchema,
  parseViewState,
  readViewStateFromHash,
  serializeViewState,
  upgradeViewState,
  upgradeV1toV2,
  ViewStateV1Schema,
  ViewStateV2Schema,
  writeViewStateToHash,
} from './viewState';
export type { ViewStateUpgrader, ViewStateUpgraders } from './viewState';
export { installUrlSync } from './urlSync';
