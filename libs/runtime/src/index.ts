export * from './bus-logger';
export * from './client-address';
export * from './http-errors';
export * from './idle';
export * from './run-standalone';
export * from './service-definition';
export * from './signals';
export * from './start-service';
