import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEmailChannelTables1763900000000 implements MigrationInterface {
  readonly name = 'CreateEmailChannelTables1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // How far each mailbox has been published; a new UIDVALIDITY means the UIDs were renumbered.
    await queryRunner.query(`
      CREATE TABLE channel_email.mailbox_checkpoint (
        mailbox      text PRIMARY KEY,
        uid_validity bigint NOT NULL,
        last_uid     bigint NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // What we sent, so that a redelivered outbound record is not sent twice and a bounce finds
    // its ticket.
    await queryRunner.query(`
      CREATE TABLE channel_email.sent_message (
        outbound_id text PRIMARY KEY,
        message_id  text NOT NULL UNIQUE,
        ticket_id   text NOT NULL,
        sent_at     timestamptz NOT NULL DEFAULT now()
      )`);
    // The attachment store: content-addressed, so the same file arriving twice is kept once.
    await queryRunner.query(`
      CREATE TABLE channel_email.attachment (
        storage_key text PRIMARY KEY,
        content     bytea NOT NULL,
        stored_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE channel_email.attachment`);
    await queryRunner.query(`DROP TABLE channel_email.sent_message`);
    await queryRunner.query(`DROP TABLE channel_email.mailbox_checkpoint`);
  }
}
