export * from './refs';
export * from './build';
export * from './summary';
export * from './resolve';
export * from './links';
