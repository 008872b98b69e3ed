export * from './adapter';
export * from './conversation';
export * from './csat';
export * from './errors';
export * from './normalise';
export * from './ok-api';
export * from './render';
export * from './verify';
