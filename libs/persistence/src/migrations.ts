import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertSchemaName } from './schema';

/** A migration as TypeORM runs it; its name ends with a 13-digit timestamp that orders it. */
export type MigrationClass = new () => MigrationInterface;

/**
 * The tables every service keeps in its own schema, to put first in its migrations list:
 * `outbox` (records to publish, written in the transaction that makes the change) and
 * `processed_message` (message ids a consumer has already applied, for idempotent handlers).
 * Their timestamps (2025-01-01) sort them before any service's own migrations.
 */
export function persistenceMigrations(schema: string): MigrationClass[] {
  assertSchemaName(schema);
  const table = (name: string) => `"${schema}".${name}`;

  class CreateOutbox implements MigrationInterface {
    readonly name = 'CreateOutbox1735689600000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE ${table('outbox')} (
          id            bigserial PRIMARY KEY,
          topic         text NOT NULL,
          message_key   text NOT NULL,
          headers       jsonb NOT NULL,
          extra_headers jsonb NOT NULL DEFAULT '{}',
          payload       bytea NOT NULL,
          created_at    timestamptz NOT NULL DEFAULT now(),
          published_at  timestamptz
        )`);
      // The relay reads only what is left to publish; published rows stay until the retention purge.
      await queryRunner.query(
        `CREATE INDEX outbox_unpublished ON ${table('outbox')} (id) WHERE published_at IS NULL`,
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${table('outbox')}`);
    }
  }

  class CreateProcessedMessage implements MigrationInterface {
    readonly name = 'CreateProcessedMessage1735689600001';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE ${table('processed_message')} (
          consumer     text NOT NULL,
          message_id   text NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, message_id)
        )`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${table('processed_message')}`);
    }
  }

  return [CreateOutbox, CreateProcessedMessage];
}

/**
 * A migration that runs SQL statements in order: `up` to apply it, `down` to undo it. `name` ends
 * with the 13-digit timestamp that orders it among the service's migrations.
 */
export function sqlMigration(
  name: string,
  steps: { up: string[]; down: string[] },
): MigrationClass {
  if (!/\d{13}$/.test(name))
    throw new Error(`migration ${name}: the name must end with a 13-digit timestamp`);
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.up) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.down) await queryRunner.query(statement);
    }
  };
}
