import { Injectable } from '@nestjs/common';
import type { Lease } from '@firstline/persistence';
import { DataSource } from 'typeorm';

export interface Checkpoint {
  uidValidity: bigint;
  lastUid: number;
}

/** A checkpoint as the bus keeps it with the source (`MessageBus.openSource`): `<uidvalidity>:<uid>`. */
export function encodeCheckpoint({ uidValidity, lastUid }: Checkpoint): string {
  return `${uidValidity}:${lastUid}`;
}

export function decodeCheckpoint(encoded: string | undefined): Checkpoint | undefined {
  const [, uidValidity, lastUid] = /^(\d+):(\d+)$/.exec(encoded ?? '') ?? [];
  return uidValidity === undefined
    ? undefined
    : { uidValidity: BigInt(uidValidity), lastUid: Number(lastUid) };
}

/** One of our mails: the Message-ID we gave an outbound message. */
export interface OurMail {
  outboundId: string;
  messageId: string;
  ticketId: string;
}

/**
 * The channel's own tables: mailbox checkpoints and the Message-IDs of our mails with their
 * tickets (attachments are in the shared store, docs/adr/0022). Whether a message was sent is `outbound_delivery`'s (the channel kit).
 */
@Injectable()
export class EmailStore {
  constructor(private readonly dataSource: DataSource) {}

  async checkpoint(mailbox: string): Promise<Checkpoint | undefined> {
    const rows: { uid_validity: string; last_uid: string }[] = await this.dataSource.query(
      `SELECT uid_validity, last_uid FROM channel_email.mailbox_checkpoint WHERE mailbox = $1`,
      [mailbox],
    );
    return (
      rows[0] && { uidValidity: BigInt(rows[0].uid_validity), lastUid: Number(rows[0].last_uid) }
    );
  }

  /**
   * Copies the mailbox's checkpoint here once the bus has it with the mails (where a reader
   * resumes from; this copy serves when the bus has none: written by an earlier version, or its
   * offsets expired), forward only and only while `lease` holds it: never back within one
   * UIDVALIDITY (a new one renumbers the mailbox, and starts it again). Throws LeaseLostError
   * when the mailbox has passed to another replica.
   */
  async saveCheckpoint(lease: Lease, checkpoint: Checkpoint): Promise<void> {
    await lease.write(
      `INSERT INTO channel_email.mailbox_checkpoint AS saved (mailbox, uid_validity, last_uid)
       SELECT $1, $3, $4 FROM held
       ON CONFLICT (mailbox) DO UPDATE
         SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = now()
         WHERE saved.uid_validity <> EXCLUDED.uid_validity OR saved.last_uid <= EXCLUDED.last_uid
       RETURNING 1`,
      [checkpoint.uidValidity.toString(), checkpoint.lastUid],
    );
  }

  /** Before the mail is handed to SMTP: a bounce may come back at any time after. */
  async recordOurMail(mail: OurMail): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_email.sent_message (outbound_id, message_id, ticket_id) VALUES ($1, $2, $3)
       ON CONFLICT (outbound_id) DO UPDATE SET message_id = EXCLUDED.message_id`,
      [mail.outboundId, mail.messageId, mail.ticketId],
    );
  }

  /** The ticket of the outbound message our mail `messageId` carried; '' when not ours. */
  async ticketOf(messageId: string): Promise<string> {
    const rows: { ticket_id: string }[] = await this.dataSource.query(
      `SELECT ticket_id FROM channel_email.sent_message WHERE message_id = $1`,
      [messageId],
    );
    return rows[0]?.ticket_id ?? '';
  }
}
