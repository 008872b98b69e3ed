import { outboundDeliveryMigration } from '@firstline/channel-kit';
import { sqlMigration } from '@firstline/persistence';

export const SCHEMA = 'channel_ok';

/**
 * The parts of outbound messages OK has taken. OK has no de-duplication key like VK's random_id,
 * so a message retried after one of its parts went out sends only the parts not listed here.
 */
export const CreateOkSentParts1797000000000 = sqlMigration('CreateOkSentParts1797000000000', {
  up: [
    `
    CREATE TABLE ${SCHEMA}.sent_part (
      part_id    text PRIMARY KEY,  -- <outboundId>:<n>, as libs/ok renders it
      message_id text NOT NULL,     -- OK's mid for it
      sent_at    timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  down: [`DROP TABLE ${SCHEMA}.sent_part`],
});

export const migrations = [outboundDeliveryMigration(SCHEMA), CreateOkSentParts1797000000000];
