export { CompactionPanel } from './CompactionPanel';
export { useCompactionAnalysis } from './useCompactionAnalysis';
