import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files agents uploaded to a ticket, for a reply to name: a reply may carry only what its agent
 * uploaded to its ticket, so a key seen elsewhere cannot send another team's file to a customer.
 */
export class AddAgentUploads1797200000001 implements MigrationInterface {
  readonly name = 'AddAgentUploads1797200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tickets.agent_upload (
        ticket_id    text NOT NULL REFERENCES tickets.ticket (id),
        agent_id     text NOT NULL,
        storage_key  text NOT NULL,
        file_name    text NOT NULL,
        content_type text NOT NULL,
        size_bytes   bigint NOT NULL,
        uploaded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, agent_id, storage_key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tickets.agent_upload`);
  }
}
