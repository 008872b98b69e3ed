import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web-form channel's own tables: what customers submitted (keyed by their idempotency key),
 * their conversations by status token, and the projection of tickets, agents and replies the
 * status page shows, built from routing decisions, ticket events, the directory and outbound.
 */
export class CreateWebformTables1764000000000 implements MigrationInterface {
  readonly name = 'CreateWebformTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channel_webform.conversation (
        status_token  text PRIMARY KEY,
        form_id       text NOT NULL,
        customer_name text NOT NULL DEFAULT '',
        email         text,
        phone         text,
        locale        text NOT NULL,
        subject       text NOT NULL,
        callback_from timestamptz,
        callback_to   timestamptz,
        ticket_id     text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per submission or follow-up; the key is "webform:" + the client's idempotency key.
    await queryRunner.query(`
      CREATE TABLE channel_webform.submission (
        message_id   text PRIMARY KEY,
        status_token text NOT NULL REFERENCES channel_webform.conversation (status_token),
        request_hash text NOT NULL,
        text_body    text NOT NULL,
        attachments  jsonb NOT NULL DEFAULT '[]',
        payload      bytea NOT NULL,
        ticket_id    text,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX submission_by_conversation ON channel_webform.submission (status_token, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE channel_webform.ticket (
        ticket_id             text PRIMARY KEY,
        status_token          text NOT NULL,
        ticket_number         text,
        status                text,
        agent_id              text,
        first_response_due_at timestamptz,
        updated_at            timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX ticket_by_conversation ON channel_webform.ticket (status_token)`,
    );
    await queryRunner.query(`
      CREATE TABLE channel_webform.agent (
        agent_id text PRIMARY KEY,
        name     text NOT NULL,
        version  integer NOT NULL
      )`);
    // Replies and automatic messages to the customer, as tickets published them.
    await queryRunner.query(`
      CREATE TABLE channel_webform.reply (
        outbound_id         text PRIMARY KEY,
        status_token        text NOT NULL,
        ticket_id           text NOT NULL,
        text_body           text NOT NULL,
        sender_display_name text NOT NULL,
        automatic           boolean NOT NULL,
        created_at          timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX reply_by_conversation ON channel_webform.reply (status_token, created_at)`,
    );
    // Files customers attached, content-addressed: the same file twice is kept once.
    await queryRunner.query(`
      CREATE TABLE channel_webform.attachment (
        storage_key  text PRIMARY KEY,
        content_type text NOT NULL,
        content      bytea NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['attachment', 'reply', 'agent', 'ticket', 'submission', 'conversation']) {
      await queryRunner.query(`DROP TABLE channel_webform.${table}`);
    }
  }
}

/** The admins' wording of customers' texts per language, from the directory (rating and status pages). */
export class CreateWebformCustomerTexts1764900000000 implements MigrationInterface {
  readonly name = 'CreateWebformCustomerTexts1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channel_webform.customer_texts (
        language text PRIMARY KEY,
        version  integer NOT NULL,
        texts    jsonb NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE channel_webform.customer_texts`);
  }
}
