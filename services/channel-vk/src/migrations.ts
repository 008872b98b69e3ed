import type { MigrationInterface, QueryRunner } from 'typeorm';
import { sqlMigration } from '@firstline/persistence';

/** The adapter's own state in schema channel_vk. */
export const CreateVkTables1764000000000 = sqlMigration('CreateVkTables1764000000000', {
  up: [
    // Callback API / long-poll events already published: VK redelivers until it hears "ok".
    `
    CREATE TABLE channel_vk.seen_event (
      group_id bigint NOT NULL,
      event_id text NOT NULL,
      seen_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, event_id)
    )`,
    // Where each long-poll community resumes; moved only after the bus acknowledged the events.
    `
    CREATE TABLE channel_vk.long_poll_cursor (
      group_id   bigint PRIMARY KEY,
      ts         text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    // users.get answers, so a customer's name costs one call, not one per message.
    `
    CREATE TABLE channel_vk.vk_user (
      user_id      bigint PRIMARY KEY,
      display_name text NOT NULL,
      fetched_at   timestamptz NOT NULL DEFAULT now()
    )`,
    // Outbound messages already handled, so a redelivered record is not sent or reported twice.
    `
    CREATE TABLE channel_vk.sent_message (
      outbound_id   text PRIMARY KEY,
      group_id      bigint NOT NULL,
      peer_id       bigint NOT NULL,
      random_id     integer NOT NULL,
      vk_message_id bigint,
      failure       text,
      handled_at    timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  down: [
    `DROP TABLE channel_vk.sent_message, channel_vk.vk_user, channel_vk.long_poll_cursor, channel_vk.seen_event`,
  ],
});

/** The housekeeping purge finds expired event ids and names by age without scanning the tables. */
export const IndexVkRowAges1766100000000 = sqlMigration('IndexVkRowAges1766100000000', {
  up: [
    `CREATE INDEX seen_event_seen_at ON channel_vk.seen_event (seen_at)`,
    `CREATE INDEX vk_user_fetched_at ON channel_vk.vk_user (fetched_at)`,
  ],
  down: [`DROP INDEX channel_vk.vk_user_fetched_at`, `DROP INDEX channel_vk.seen_event_seen_at`],
});

/** The housekeeping purge finds handled outbound messages by age too. */
export const IndexVkSentMessageAge1796200000000 = sqlMigration(
  'IndexVkSentMessageAge1796200000000',
  {
    up: [`CREATE INDEX sent_message_handled_at ON channel_vk.sent_message (handled_at)`],
    down: [`DROP INDEX channel_vk.sent_message_handled_at`],
  },
);

/**
 * From here on the channel kit remembers handled outbound messages (`outbound_delivery`, created
 * just before): every message `sent_message` knew moves there as sent or failed for good, so a
 * record redelivered after the upgrade is neither sent nor reported again. `sent_message` goes.
 */
export class MoveVkSentMessagesToOutboundDelivery1796500000000 implements MigrationInterface {
  readonly name = 'MoveVkSentMessagesToOutboundDelivery1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO channel_vk.outbound_delivery
        (outbound_id, status, channel_message_id, failure, updated_at)
      SELECT outbound_id,
             CASE WHEN vk_message_id IS NULL THEN 'failed' ELSE 'sent' END,
             vk_message_id::text, failure, handled_at
        FROM channel_vk.sent_message
      ON CONFLICT (outbound_id) DO NOTHING`);
    await queryRunner.query(`DROP TABLE channel_vk.sent_message`);
    // The housekeeping purge finds handled outbound messages by age.
    await queryRunner.query(
      `CREATE INDEX outbound_delivery_updated_at ON channel_vk.outbound_delivery (updated_at)`,
    );
  }

  async down(): Promise<void> {
    // outbound_delivery keeps neither the peer nor the community that sent_message required.
    throw new Error('sent_message cannot be rebuilt from outbound_delivery');
  }
}
