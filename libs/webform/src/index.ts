export * from './attachments';
export * from './body-limits';
export * from './forms';
export * from './inbound';
export * from './messages';
export * from './rate-limit';
export * from './status';
export * from './submission';
