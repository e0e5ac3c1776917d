/** Request-window analysis: window diffs, drop reasons, item sizes, strata per call, item lifetimes. Pure TS. */
export * from './sizes';
export * from './diff';
export * from './analysis';
export * from './cache';
export * from './lifetime';
export * from './compactionInput';
export * from './focus';
