import { outboundDeliveryMigration } from '@firstline/channel-kit';
import { leaseMigration, type MigrationClass, sqlMigration } from '@firstline/persistence';

export const SCHEMA = 'channel_telegram';

/** Long polling's cursor per bot: the next update_id to ask for, moved only after the bus acknowledged. */
const CreatePollingOffset1763900000000 = sqlMigration('CreatePollingOffset1763900000000', {
  up: [
    `
    CREATE TABLE "${SCHEMA}".polling_offset (
      bot            text PRIMARY KEY,
      next_update_id bigint NOT NULL,
      updated_at     timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  down: [`DROP TABLE "${SCHEMA}".polling_offset`],
});

/**
 * Before OutboundDelivery, the consumer claimed each outbound id it reported in processed_message
 * (consumer `telegram-outbound`), without its outcome. Those messages are done: copied as sent,
 * with no channel message id, so that a redelivery after the upgrade does not send them again.
 */
const CopyReportedOutbound1796400000001 = sqlMigration('CopyReportedOutbound1796400000001', {
  up: [
    `
    INSERT INTO "${SCHEMA}".outbound_delivery (outbound_id, status, updated_at)
    SELECT message_id, 'sent', processed_at FROM "${SCHEMA}".processed_message
     WHERE consumer = 'telegram-outbound'
    ON CONFLICT (outbound_id) DO NOTHING`,
    `DELETE FROM "${SCHEMA}".processed_message WHERE consumer = 'telegram-outbound'`,
  ],
  down: [
    `
    INSERT INTO "${SCHEMA}".processed_message (consumer, message_id, processed_at)
    SELECT 'telegram-outbound', outbound_id, updated_at FROM "${SCHEMA}".outbound_delivery
     WHERE status <> 'pending'
    ON CONFLICT DO NOTHING`,
  ],
});

/**
 * The calls of outbound messages Telegram has taken (a text part, a file, an album). The Bot API
 * has no de-duplication key, so a message retried after one of its calls went out makes only the
 * calls not listed here.
 */
const CreateTelegramSentParts1797100000000 = sqlMigration('CreateTelegramSentParts1797100000000', {
  up: [
    `
    CREATE TABLE "${SCHEMA}".sent_part (
      part_id    text PRIMARY KEY,  -- <outboundId>:<n>, call n of the rendered message
      message_id bigint NOT NULL,   -- Telegram's message_id of it (an album's first)
      sent_at    timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  down: [`DROP TABLE "${SCHEMA}".sent_part`],
});

export const telegramMigrations: MigrationClass[] = [
  CreatePollingOffset1763900000000,
  outboundDeliveryMigration(SCHEMA),
  CopyReportedOutbound1796400000001,
  leaseMigration(SCHEMA),
  CreateTelegramSentParts1797100000000,
];
