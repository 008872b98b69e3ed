export * from './data-source';
export * from './embedded-postgres';
export * from './health';
export * from './inbox';
export * from './migrations';
export * from './outbox';
export * from './persistence.module';
export { schemaOf } from './schema';
export * from './record-log';
