import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import type { Logger } from '@firstline/observability';
import type { MigrationClass } from './migrations';
import { PreparingClient } from './prepared-statements';
import { advisoryLockName, assertSchemaName, schemaOf } from './schema';

export interface DatabaseOptions {
  /** `postgres://user:password@host:port/database`, usually DATABASE_URL. */
  url: string;
  /** The service's own schema (`routing`, `tickets`, `channel_email`, ...); created when missing. */
  schema: string;
  /** In order; start with `persistenceMigrations(schema)`. */
  migrations: MigrationClass[];
  entities?: DataSourceOptions['entities'];
  /** Connections this service may hold; small, since every service shares one server. */
  poolSize?: number;
  /** Shown in pg_stat_activity, so an operator can tell the services' connections apart. */
  applicationName?: string;
  /**
   * Whether each connection prepares the statements it runs often (PreparingClient); not where
   * one session serves every connection (PGlite).
   */
  prepareStatements?: boolean;
}

const DEFAULT_POOL_SIZE = 5;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A data source whose tables live in the service's own schema. Table names are qualified with
 * the schema rather than resolved through search_path: PGlite (the embedded mode) serves every
 * connection from one session and ignores a per-connection search_path.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  serverAddress(options.url); // fails fast, and without echoing a password, on a malformed URL
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: assertSchemaName(options.schema),
    migrations: options.migrations,
    entities: options.entities ?? [],
    synchronize: false,
    migrationsRun: false,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    applicationName: options.applicationName,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    extra: options.prepareStatements ? { Client: PreparingClient } : {},
  });
}

/** Connects, creates the schema if missing and runs pending migrations, logging which ran. */
export async function openDatabase(
  options: DatabaseOptions & { logger: Logger },
): Promise<DataSource> {
  const { schema, logger } = options;
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw new Error(
      `Cannot connect to Postgres at ${serverAddress(options.url)} (schema "${schema}"): ${describe(error)}`,
      { cause: error },
    );
  }
  try {
    const ran = await migrateSchema(dataSource);
    if (ran.length > 0) {
      logger.info(
        { schema, migrations: ran },
        `Ran ${ran.length} migration(s) in schema ${schema}`,
      );
    } else {
      logger.info({ schema }, `Schema ${schema} is up to date`);
    }
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw new Error(`Migrating schema "${schema}" failed: ${describe(error)}`, { cause: error });
  }
}

/**
 * Creates the schema and runs pending migrations in one transaction, holding an advisory lock
 * keyed by the schema: replicas starting together take turns, and each sees what the previous
 * one ran. Returns the names of the migrations it ran.
 */
export async function migrateSchema(dataSource: DataSource): Promise<string[]> {
  const schema = schemaOf(dataSource);
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.startTransaction();
    await queryRunner.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      advisoryLockName('migrations', schema),
    ]);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // Given a query runner in a transaction, the executor runs everything inside that transaction.
    const ran = await new MigrationExecutor(dataSource, queryRunner).executePendingMigrations();
    await queryRunner.commitTransaction();
    return ran.map((migration) => migration.name);
  } catch (error) {
    // A failed rollback must not hide the error: a lost connection rolls back by itself.
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => {});
    throw error;
  } finally {
    await queryRunner.release();
  }
}

/** host:port/database, for error messages: never the password. */
function serverAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      'DATABASE_URL is not a valid URL; expected postgres://user:password@host:port/database',
    );
  }
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** pg reports a refused connection to a host with several addresses as an AggregateError with no message. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error)
    return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
