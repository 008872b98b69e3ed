export * from './attachments';
export * from './forms';
export * from './inbound';
export * from './messages';
export * from './rate-limit';
export * from './status';
export * from './submission';
export * from './rating-link';
