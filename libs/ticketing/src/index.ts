export * from './canned-reply';
export * from './kpi';
export * from './lifecycle';
export * from './sign-in-backoff';
