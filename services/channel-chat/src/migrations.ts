import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboundDeliveryMigration } from '@firstline/channel-kit';

export const SCHEMA = 'channel_chat';

/**
 * Visitors and their conversations as the widget shows them: every message either way, numbered
 * per visitor. The number is the widget's cursor (resume after the last one seen); it is taken
 * from the visitor's row under its lock, so a conversation's messages commit in number order and
 * a reader never skips one that commits late.
 */
export class CreateChatConversations1797100000000 implements MigrationInterface {
  readonly name = 'CreateChatConversations1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ${SCHEMA}.visitor (
        visitor_id uuid PRIMARY KEY,
        locale     text NOT NULL DEFAULT '',
        last_seq   bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${SCHEMA}.message (
        visitor_id uuid NOT NULL REFERENCES ${SCHEMA}.visitor,
        seq        bigint NOT NULL,
        -- visitor: the client message id; agent: the outbound id. A resend finds its row.
        local_id   text NOT NULL,
        author_kind text NOT NULL CHECK (author_kind IN ('visitor', 'agent')),
        author     text NOT NULL DEFAULT '',
        text       text NOT NULL,
        files      jsonb NOT NULL DEFAULT '[]',
        automatic  boolean NOT NULL DEFAULT false,
        -- A visitor's message: once the broker took it, on its way to an agent.
        delivered  boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (visitor_id, seq),
        UNIQUE (visitor_id, author_kind, local_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${SCHEMA}.message`);
    await queryRunner.query(`DROP TABLE ${SCHEMA}.visitor`);
  }
}

/**
 * The end of each chat: the survey message a resolved chat showed, the ticket it asks about, and
 * what the visitor did with it (their rating, and where the transcript went): each once per chat.
 */
export class CreateChatSurveys1797400000000 implements MigrationInterface {
  readonly name = 'CreateChatSurveys1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ${SCHEMA}.survey (
        visitor_id    uuid NOT NULL,
        seq           bigint NOT NULL,
        ticket_id     text NOT NULL,
        ticket_number text NOT NULL,
        score         smallint CHECK (score BETWEEN 1 AND 5),
        comment       text NOT NULL DEFAULT '',
        transcript_to text,
        PRIMARY KEY (visitor_id, seq),
        FOREIGN KEY (visitor_id, seq) REFERENCES ${SCHEMA}.message
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${SCHEMA}.survey`);
  }
}

export const migrations = [
  outboundDeliveryMigration(SCHEMA),
  CreateChatConversations1797100000000,
  CreateChatSurveys1797400000000,
];
