import type { DataSource, EntityManager } from 'typeorm';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names are interpolated into SQL (identifiers cannot be bound as parameters), so only
 * plain lower-case names are accepted: they need no escaping and mean the same quoted or not.
 */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `Invalid schema name "${schema}": use lower-case letters, digits and underscores (e.g. "channel_email")`,
    );
  }
  return schema;
}

/** The service's own schema, as given to `createDataSource`; every table name is qualified with it. */
export function schemaOf(dataSource: DataSource): string {
  const { schema } = dataSource.options as { schema?: string };
  if (!schema) {
    throw new Error('This DataSource has no schema: open it with createDataSource or openDatabase');
  }
  return assertSchemaName(schema);
}

/**
 * The schema of the transaction `manager` runs in. Outbox and inbox rows are only worth
 * anything when written in the same transaction as the change they stand for.
 */
export function transactionSchema(manager: EntityManager, operation: string): string {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      `${operation} must run inside the transaction that makes the change: pass the manager that dataSource.transaction(...) gives`,
    );
  }
  return schemaOf(manager.connection);
}

/** Key for an advisory lock: one migrator, or one outbox relay, per schema at a time. */
export function advisoryLockName(purpose: 'migrations' | 'outbox-relay', schema: string): string {
  return `firstline.${purpose}.${schema}`;
}
