import { useMemo } from 'react';
import { useStore } from '../../store';
import { getCompactionAnalysis, type CompactionAnalysis } from '../../trace/compaction';

/** The compaction analysis of the loaded trace: computed once per load, shared by every panel that asks. */
export function useCompactionAnalysis(): CompactionAnalysis | null {
  const state = useStore((s) => s.state);
  const indexes = useStore((s) => s.indexes);
  return useMemo(() => (state && indexes ? getCompactionAnalysis(state, indexes) : null), [state, indexes]);
}
