import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schema `attachment` of the database store, for every service that stores or reads files to put
 * in its migrations. Several services run it, each recording it in its own schema, so it only
 * creates what is missing, one service at a time (docs/adr/0022).
 */
export class CreateAttachmentStore1797200000000 implements MigrationInterface {
  readonly name = 'CreateAttachmentStore1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SELECT pg_advisory_xact_lock(hashtext('firstline:attachment-store'))`);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS attachment`);
    // A file's bytes in order, written while they arrive; readable once `file` names the upload.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS attachment.part (
        upload_id  uuid NOT NULL,
        part       integer NOT NULL,
        bytes      bytea NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (upload_id, part)
      )`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS attachment.file (
        storage_key  text PRIMARY KEY,
        upload_id    uuid NOT NULL UNIQUE,
        content_type text NOT NULL,
        size_bytes   bigint NOT NULL,
        stored_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  /** The schema is shared: the last service to leave does not know it is the last, so it stays. */
  async down(): Promise<void> {}
}
