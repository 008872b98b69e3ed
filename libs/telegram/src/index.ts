export * from './errors';
export * from './html';
export * from './ids';
export * from './normalise';
export * from './rate-limit';
export * from './receipt';
export * from './render';
export * from './webhook';
