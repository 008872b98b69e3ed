import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The document a message is searched by: its subject (weight A) and text (B), each stemmed as
 * Russian and as English, so «оплата» finds «оплату» and "refunds" finds "refund" whichever
 * language the customer wrote in. Texts past 100,000 characters (long quoted mail threads) are
 * left out: a tsvector has a size limit, and what matters is said near the top.
 */
const MESSAGE_DOCUMENT = `
  setweight(to_tsvector('russian', subject), 'A') ||
  setweight(to_tsvector('english', subject), 'A') ||
  setweight(to_tsvector('russian', left(text_body, 100000)), 'B') ||
  setweight(to_tsvector('english', left(text_body, 100000)), 'B')`;

/**
 * Agents' search (`GET /api/v1/search`): words of messages through a generated tsvector and its
 * GIN index (or, for common words, the newest messages first), customers' names word by word, identities by their start (addresses, ids) and by
 * their end (phone numbers typed without a country code), ticket numbers, Telegram usernames.
 */
export class AddSearch1769870000000 implements MigrationInterface {
  readonly name = 'AddSearch1769870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE tickets.message
         ADD COLUMN search_document tsvector GENERATED ALWAYS AS (${MESSAGE_DOCUMENT}) STORED`,
      // Automatic replies say the same thing on every ticket: they would only drown real hits.
      `CREATE INDEX message_search ON tickets.message USING gin (search_document)
         WHERE NOT automatic`,
      // The newest messages first: a word found in a good part of all messages is ranked among
      // its newest matches only (search.repository.ts), read along this index.
      `CREATE INDEX message_newest ON tickets.message (created_at DESC) WHERE NOT automatic`,
      // Numbers stopped being unique here (the router's are), and lost their index with that.
      `CREATE INDEX ticket_by_number ON tickets.ticket (number)`,
      `CREATE INDEX customer_name_search ON tickets.customer
         USING gin (to_tsvector('simple', display_name))`,
      `CREATE INDEX customer_identity_name_search ON tickets.customer_identity
         USING gin (to_tsvector('simple', display_name))`,
      `CREATE INDEX customer_identity_value_search ON tickets.customer_identity
         (lower(value) text_pattern_ops)`,
      `CREATE INDEX customer_identity_phone_end ON tickets.customer_identity
         (reverse(value) text_pattern_ops) WHERE kind IN (4, 6) -- PHONE, WEBFORM_PHONE`,
      `CREATE INDEX message_telegram_username ON tickets.message
         (lower(channel_metadata ->> 'username')) WHERE channel_metadata ? 'username'`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [
      'message_telegram_username',
      'customer_identity_phone_end',
      'customer_identity_value_search',
      'customer_identity_name_search',
      'customer_name_search',
      'ticket_by_number',
      'message_newest',
      'message_search',
    ]) {
      await queryRunner.query(`DROP INDEX tickets.${index}`);
    }
    await queryRunner.query('ALTER TABLE tickets.message DROP COLUMN search_document');
  }
}
