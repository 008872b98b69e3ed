import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Long polling's cursor per bot: the next update_id to ask for, moved only after the bus acknowledged. */
export class CreatePollingOffset1763900000000 implements MigrationInterface {
  readonly name = 'CreatePollingOffset1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "channel_telegram".polling_offset (
        bot            text PRIMARY KEY,
        next_update_id bigint NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_telegram".polling_offset`);
  }
}
