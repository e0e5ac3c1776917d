/** Re-exported for UI code: the detection itself is pure and lives with the trace code (labels use it too). */
export * from '../trace/invisible';
