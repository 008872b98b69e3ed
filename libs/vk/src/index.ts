export * from './conversation';
export * from './csat';
export * from './errors';
export * from './normalise';
export * from './receipt';
export * from './render';
export * from './verify';
export * from './vk-api';
