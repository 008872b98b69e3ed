export * from './adapter';
export * from './conversation';
export * from './errors';
export * from './normalise';
export * from './render';
export * from './token';
export * from './closing';
