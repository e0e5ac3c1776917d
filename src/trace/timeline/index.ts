/** The timeline's pure layer: model, lane packing, row layout, scales, ticks, hit testing, filters, reveal. */
export * from './model';
export * from './pack';
export * from './layout';
export * from './scale';
export * from './ticks';
export * from './filter';
export * from './reveal';
export * from './overview';
export * from './lod';
