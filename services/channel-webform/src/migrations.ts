import { sqlMigration } from '@firstline/persistence';

/**
 * The web-form channel's own tables: what customers submitted (keyed by their idempotency key),
 * their conversations by status token, and the projection of tickets, agents and replies the
 * status page shows, built from routing decisions, ticket events, the directory and outbound.
 */
export const CreateWebformTables1764000000000 = sqlMigration('CreateWebformTables1764000000000', {
  up: [
    `
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
    )`,
    // One row per submission or follow-up; the key is "webform:" + the client's idempotency key.
    `
    CREATE TABLE channel_webform.submission (
      message_id   text PRIMARY KEY,
      status_token text NOT NULL REFERENCES channel_webform.conversation (status_token),
      request_hash text NOT NULL,
      text_body    text NOT NULL,
      attachments  jsonb NOT NULL DEFAULT '[]',
      payload      bytea NOT NULL,
      ticket_id    text,
      created_at   timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX submission_by_conversation ON channel_webform.submission (status_token, created_at)`,
    `
    CREATE TABLE channel_webform.ticket (
      ticket_id             text PRIMARY KEY,
      status_token          text NOT NULL,
      ticket_number         text,
      status                text,
      agent_id              text,
      first_response_due_at timestamptz,
      updated_at            timestamptz NOT NULL
    )`,
    `CREATE INDEX ticket_by_conversation ON channel_webform.ticket (status_token)`,
    `
    CREATE TABLE channel_webform.agent (
      agent_id text PRIMARY KEY,
      name     text NOT NULL,
      version  integer NOT NULL
    )`,
    // Replies and automatic messages to the customer, as tickets published them.
    `
    CREATE TABLE channel_webform.reply (
      outbound_id         text PRIMARY KEY,
      status_token        text NOT NULL,
      ticket_id           text NOT NULL,
      text_body           text NOT NULL,
      sender_display_name text NOT NULL,
      automatic           boolean NOT NULL,
      created_at          timestamptz NOT NULL
    )`,
    `CREATE INDEX reply_by_conversation ON channel_webform.reply (status_token, created_at)`,
    // Files customers attached, content-addressed: the same file twice is kept once.
    `
    CREATE TABLE channel_webform.attachment (
      storage_key  text PRIMARY KEY,
      content_type text NOT NULL,
      content      bytea NOT NULL
    )`,
  ],
  down: [
    `DROP TABLE channel_webform.attachment, channel_webform.reply, channel_webform.agent, channel_webform.ticket, channel_webform.submission, channel_webform.conversation`,
  ],
});

/**
 * Files streamed into parts instead of one value held whole in memory, and the submissions that
 * use each file, so that files nobody refers to can be removed.
 */
export const StreamAttachmentsInParts1765000000000 = sqlMigration(
  'StreamAttachmentsInParts1765000000000',
  {
    up: [
      // An upload's bytes in order, written while they arrive; kept once an attachment names it.
      `
    CREATE TABLE channel_webform.attachment_part (
      upload_id  uuid NOT NULL,
      part       integer NOT NULL,
      bytes      bytea NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (upload_id, part)
    )`,
      `
    ALTER TABLE channel_webform.attachment
      ADD COLUMN upload_id  uuid,
      ADD COLUMN size_bytes integer,
      ADD COLUMN stored_at  timestamptz NOT NULL DEFAULT now()`,
      `
    UPDATE channel_webform.attachment
    SET upload_id = md5(storage_key)::uuid, size_bytes = length(content)`,
      `
    INSERT INTO channel_webform.attachment_part (upload_id, part, bytes)
    SELECT upload_id, 0, content FROM channel_webform.attachment`,
      `
    ALTER TABLE channel_webform.attachment
      DROP COLUMN content,
      ALTER COLUMN upload_id SET NOT NULL,
      ALTER COLUMN size_bytes SET NOT NULL,
      ADD CONSTRAINT attachment_upload UNIQUE (upload_id)`,
      // Which submission uses which file: a file no submission uses is removed after a grace time.
      `
    CREATE TABLE channel_webform.attachment_use (
      storage_key text NOT NULL,
      message_id  text NOT NULL,
      PRIMARY KEY (storage_key, message_id)
    )`,
      `
    INSERT INTO channel_webform.attachment_use (storage_key, message_id)
    SELECT DISTINCT 'webform/sha256/' || substring(file->>'url' from '[0-9a-f]{64}$'), s.message_id
    FROM channel_webform.submission s, jsonb_array_elements(s.attachments) file
    WHERE file->>'url' ~ '[0-9a-f]{64}$'`,
    ],
    down: [
      `DROP TABLE channel_webform.attachment_use`,
      `ALTER TABLE channel_webform.attachment ADD COLUMN content bytea`,
      `
    UPDATE channel_webform.attachment a SET content = (
      SELECT string_agg(p.bytes, ''::bytea ORDER BY p.part)
      FROM channel_webform.attachment_part p WHERE p.upload_id = a.upload_id)`,
      `
    ALTER TABLE channel_webform.attachment
      DROP COLUMN upload_id, DROP COLUMN size_bytes, DROP COLUMN stored_at,
      ALTER COLUMN content SET NOT NULL`,
      `DROP TABLE channel_webform.attachment_part`,
    ],
  },
);

/**
 * "This is me" links mailed with the copies of a conversation (docs/adr/0014-identity.md):
 * random, single-use, expiring.
 */
export const AddVerificationLinks1768000000000 = sqlMigration('AddVerificationLinks1768000000000', {
  up: [
    `
    CREATE TABLE channel_webform.verification (
      token        text PRIMARY KEY,
      status_token text NOT NULL REFERENCES channel_webform.conversation (status_token),
      email        text NOT NULL,
      created_at   timestamptz NOT NULL,
      expires_at   timestamptz NOT NULL,
      used_at      timestamptz
    )`,
    `CREATE INDEX verification_conversation ON channel_webform.verification (status_token)`,
  ],
  down: [`DROP TABLE channel_webform.verification`],
});

/** The admins' wording of customers' texts per language, from the directory (rating and status pages). */
export const CreateWebformCustomerTexts1769000000000 = sqlMigration(
  'CreateWebformCustomerTexts1769000000000',
  {
    up: [
      `
    CREATE TABLE channel_webform.customer_texts (
      language text PRIMARY KEY,
      version  integer NOT NULL,
      texts    jsonb NOT NULL
    )`,
    ],
    down: [`DROP TABLE channel_webform.customer_texts`],
  },
);

/**
 * Messages already on status pages, as delivered: before the channel kit, the outbound consumer
 * claimed each outbound id in `processed_message` in the transaction that stored it and published
 * its receipt. Carried into `outbound_delivery` (created just before), so that no message already
 * reported is shown or mailed again after the upgrade.
 */
export const CarryOverWebformDeliveries1796500000000 = sqlMigration(
  'CarryOverWebformDeliveries1796500000000',
  {
    up: [
      `
    INSERT INTO channel_webform.outbound_delivery
      (outbound_id, status, channel_message_id, updated_at)
    SELECT message_id, 'sent', message_id, processed_at
    FROM channel_webform.processed_message
    WHERE consumer = 'webform-outbound'
    ON CONFLICT (outbound_id) DO NOTHING`,
      `DELETE FROM channel_webform.processed_message WHERE consumer = 'webform-outbound'`,
    ],
    down: [
      `
    INSERT INTO channel_webform.processed_message (consumer, message_id, processed_at)
    SELECT 'webform-outbound', outbound_id, updated_at
    FROM channel_webform.outbound_delivery
    WHERE status = 'sent'
    ON CONFLICT DO NOTHING`,
    ],
  },
);

/**
 * Files move to the store every service shares (schema `attachment`, docs/adr/0022) under the
 * keys they had, so links and messages that name them keep working; replies get their files.
 */
export const CarryWebformFilesIntoAttachmentStore1797200000001 = sqlMigration(
  'CarryWebformFilesIntoAttachmentStore1797200000001',
  {
    up: [
      `
    INSERT INTO attachment.part (upload_id, part, bytes, written_at)
    SELECT p.upload_id, p.part, p.bytes, p.written_at
    FROM channel_webform.attachment_part p
    JOIN channel_webform.attachment a ON a.upload_id = p.upload_id
    ON CONFLICT DO NOTHING`,
      `
    INSERT INTO attachment.file (storage_key, upload_id, content_type, size_bytes, stored_at)
    SELECT storage_key, upload_id, content_type, size_bytes, stored_at
    FROM channel_webform.attachment
    ON CONFLICT DO NOTHING`,
      `DROP TABLE channel_webform.attachment_part`,
      `DROP TABLE channel_webform.attachment`,
      // The files of an agent's reply, as OutboundMessage named them: [{storageKey, fileName, ...}].
      `ALTER TABLE channel_webform.reply ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'`,
    ],
    down: [
      `ALTER TABLE channel_webform.reply DROP COLUMN attachments`,
      `
    CREATE TABLE channel_webform.attachment (
      storage_key  text PRIMARY KEY,
      content_type text NOT NULL,
      upload_id    uuid NOT NULL UNIQUE,
      size_bytes   integer NOT NULL,
      stored_at    timestamptz NOT NULL DEFAULT now()
    )`,
      `
    CREATE TABLE channel_webform.attachment_part (
      upload_id  uuid NOT NULL,
      part       integer NOT NULL,
      bytes      bytea NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (upload_id, part)
    )`,
      `
    INSERT INTO channel_webform.attachment (storage_key, content_type, upload_id, size_bytes, stored_at)
    SELECT f.storage_key, f.content_type, f.upload_id, f.size_bytes, f.stored_at
    FROM attachment.file f
    WHERE EXISTS (SELECT 1 FROM channel_webform.attachment_use u WHERE u.storage_key = f.storage_key)`,
      `
    INSERT INTO channel_webform.attachment_part (upload_id, part, bytes, written_at)
    SELECT p.upload_id, p.part, p.bytes, p.written_at
    FROM attachment.part p JOIN channel_webform.attachment a ON a.upload_id = p.upload_id`,
    ],
  },
);

/**
 * The answer time the router promised a waiting customer and their place in the team's queue
 * (docs/adr/0023): what the status page counts down.
 */
export const AddPromisedAnswerTimes1797400000000 = sqlMigration(
  'AddPromisedAnswerTimes1797400000000',
  {
    up: [
      `ALTER TABLE channel_webform.ticket
         ADD COLUMN queue_position integer NOT NULL DEFAULT 0,
         ADD COLUMN promised_answer_at timestamptz`,
    ],
    down: [
      `ALTER TABLE channel_webform.ticket DROP COLUMN queue_position, DROP COLUMN promised_answer_at`,
    ],
  },
);
