export * from './config';
export * from './variables';
