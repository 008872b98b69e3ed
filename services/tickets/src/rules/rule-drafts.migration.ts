import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the rule-change preview needs (docs/adr/0024-rule-change-preview.md): the classification
 * inputs of each inbound message that tickets did not keep before (form topic and fields, sender,
 * language), an index to read the tickets of the last days newest first, the directory's history
 * (every version of every entry, a published rule set with its preview), and drafts of the rule
 * set beside the live one.
 */
export class AddRuleDraftsAndDirectoryHistory1797300000000 implements MigrationInterface {
  readonly name = 'AddRuleDraftsAndDirectoryHistory1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE tickets.message
         ADD COLUMN form_topic  text,
         ADD COLUMN form_fields jsonb NOT NULL DEFAULT '{}',
         ADD COLUMN sender      text NOT NULL DEFAULT '',
         ADD COLUMN language    text NOT NULL DEFAULT ''`,
      `CREATE INDEX ticket_created ON tickets.ticket (created_at DESC, id DESC)`,
      `CREATE TABLE tickets.directory_history (
         kind        text NOT NULL,
         id          text NOT NULL,
         version     integer NOT NULL,
         record      jsonb NOT NULL,
         -- The agent who made the change; empty for Firstline itself (the demo's seed).
         changed_by  text NOT NULL DEFAULT '',
         changed_at  timestamptz NOT NULL DEFAULT now(),
         -- For a rule set published from a draft: the preview the admin published it with.
         rule_preview jsonb,
         PRIMARY KEY (kind, id, version)
       )`,
      // What is live now is the first version the history knows of.
      `INSERT INTO tickets.directory_history (kind, id, version, record, changed_at)
         SELECT kind, id, version, record, updated_at FROM tickets.directory_entry`,
      `CREATE TABLE tickets.rule_set_draft (
         id               text PRIMARY KEY,
         rule_set         jsonb NOT NULL,
         -- The live version the draft was started from: publishing over a newer one is refused.
         based_on_version integer NOT NULL,
         -- Goes up with every save, so a preview is known to be of the draft as it stands.
         revision         integer NOT NULL,
         saved_by         text NOT NULL,
         saved_at         timestamptz NOT NULL,
         preview          jsonb
       )`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.rule_set_draft');
    await queryRunner.query('DROP TABLE tickets.directory_history');
    await queryRunner.query('DROP INDEX tickets.ticket_created');
    await queryRunner.query(`ALTER TABLE tickets.message
      DROP COLUMN form_topic, DROP COLUMN form_fields, DROP COLUMN sender, DROP COLUMN language`);
  }
}
