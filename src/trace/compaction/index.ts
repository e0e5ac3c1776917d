export * from './content';
export * from './align';
export * from './analysis';
export * from './window';
