export * from './aggregate';
export * from './prices';
export * from './savings';
