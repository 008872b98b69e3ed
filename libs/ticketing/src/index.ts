export * from './callbacks';
export * from './canned-reply';
export * from './kpi';
export * from './lifecycle';
export * from './routing-decisions';
export * from './search';
export * from './sign-in-backoff';
export * from './ticket-events';
