import { sqlMigration } from '@firstline/persistence';

export const CreateEmailChannelTables1763900000000 = sqlMigration(
  'CreateEmailChannelTables1763900000000',
  {
    up: [
      // How far each mailbox has been published; a new UIDVALIDITY means the UIDs were renumbered.
      `
    CREATE TABLE channel_email.mailbox_checkpoint (
      mailbox      text PRIMARY KEY,
      uid_validity bigint NOT NULL,
      last_uid     bigint NOT NULL,
      updated_at   timestamptz NOT NULL DEFAULT now()
    )`,
      // What we sent, so that a redelivered outbound record is not sent twice and a bounce finds
      // its ticket.
      `
    CREATE TABLE channel_email.sent_message (
      outbound_id text PRIMARY KEY,
      message_id  text NOT NULL UNIQUE,
      ticket_id   text NOT NULL,
      sent_at     timestamptz NOT NULL DEFAULT now()
    )`,
      // The attachment store: content-addressed, so the same file arriving twice is kept once.
      `
    CREATE TABLE channel_email.attachment (
      storage_key text PRIMARY KEY,
      content     bytea NOT NULL,
      stored_at   timestamptz NOT NULL DEFAULT now()
    )`,
    ],
    down: [
      `DROP TABLE channel_email.attachment`,
      `DROP TABLE channel_email.sent_message`,
      `DROP TABLE channel_email.mailbox_checkpoint`,
    ],
  },
);

/**
 * Attempts and outcomes move to `outbound_delivery` (the channel kit's). A mail in `sent_message`
 * was sent and reported before the upgrade: it is recorded as sent there, so that a redelivered
 * record does not send it again. `sent_message` stays as the lookup that gives a bounce its ticket.
 */
export const CarrySentMailIntoOutboundDelivery1796500000000 = sqlMigration(
  'CarrySentMailIntoOutboundDelivery1796500000000',
  {
    up: [
      `
    INSERT INTO channel_email.outbound_delivery
      (outbound_id, status, channel_message_id, updated_at)
    SELECT outbound_id, 'sent', message_id, sent_at FROM channel_email.sent_message
    ON CONFLICT (outbound_id) DO NOTHING`,
    ],
    down: [
      `
    DELETE FROM channel_email.outbound_delivery d
    USING channel_email.sent_message s
    WHERE d.outbound_id = s.outbound_id`,
    ],
  },
);

/**
 * Attachments move to the store every service shares (schema `attachment`, docs/adr/0022) under
 * the keys messages already name them by; each was stored whole, so it is one part there.
 */
export const CarryEmailFilesIntoAttachmentStore1797200000001 = sqlMigration(
  'CarryEmailFilesIntoAttachmentStore1797200000001',
  {
    up: [
      `
    INSERT INTO attachment.part (upload_id, part, bytes, written_at)
    SELECT md5(storage_key)::uuid, 0, content, stored_at FROM channel_email.attachment
    ON CONFLICT DO NOTHING`,
      // The type is the bytes' to tell: the tickets service serves a file as its message names it,
      // checked against the bytes.
      `
    INSERT INTO attachment.file (storage_key, upload_id, content_type, size_bytes, stored_at)
    SELECT storage_key, md5(storage_key)::uuid, 'application/octet-stream', length(content), stored_at
    FROM channel_email.attachment
    ON CONFLICT DO NOTHING`,
      `DROP TABLE channel_email.attachment`,
    ],
    down: [
      `
    CREATE TABLE channel_email.attachment (
      storage_key text PRIMARY KEY,
      content     bytea NOT NULL,
      stored_at   timestamptz NOT NULL DEFAULT now()
    )`,
      `
    INSERT INTO channel_email.attachment (storage_key, content, stored_at)
    SELECT f.storage_key, string_agg(p.bytes, ''::bytea ORDER BY p.part), f.stored_at
    FROM attachment.file f JOIN attachment.part p ON p.upload_id = f.upload_id
    WHERE f.storage_key LIKE 'email/%'
    GROUP BY f.storage_key, f.stored_at`,
    ],
  },
);
