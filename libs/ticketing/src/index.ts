export * from './canned-reply';
export * from './kpi';
export * from './lifecycle';
export * from './sla';
export * from './sign-in-backoff';
