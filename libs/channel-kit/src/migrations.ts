import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MigrationClass } from '@firstline/persistence';

/**
 * The table `OutboundDelivery` keeps in an adapter service's schema: one row per outbound message
 * that failed an attempt or has an outcome. Put it in the service's migrations list.
 */
export function outboundDeliveryMigration(schema: string): MigrationClass {
  const table = `"${schema}".outbound_delivery`;

  return class CreateOutboundDelivery implements MigrationInterface {
    readonly name = 'CreateOutboundDelivery1796400000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          outbound_id        text PRIMARY KEY,
          -- pending: attempts failed so far and more are allowed; sent and failed are final.
          status             text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sent', 'failed')),
          attempts           integer NOT NULL DEFAULT 0,
          channel_message_id text,
          failure            text,
          updated_at         timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  };
}
