import { Injectable } from '@nestjs/common';
import type { AttachmentFile } from '@firstline/email';
import { DataSource } from 'typeorm';

export interface Checkpoint {
  uidValidity: bigint;
  lastUid: number;
}

export interface SentMessage {
  outboundId: string;
  messageId: string;
  ticketId: string;
}

/** The channel's own tables: mailbox checkpoints, what was sent, attachment bytes. */
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

  async saveCheckpoint(mailbox: string, checkpoint: Checkpoint): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_email.mailbox_checkpoint (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3)
       ON CONFLICT (mailbox) DO UPDATE
         SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = now()`,
      [mailbox, checkpoint.uidValidity.toString(), checkpoint.lastUid],
    );
  }

  async storeAttachments(files: AttachmentFile[]): Promise<void> {
    for (const file of files) {
      await this.dataSource.query(
        `INSERT INTO channel_email.attachment (storage_key, content) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [file.storageKey, file.content],
      );
    }
  }

  async attachments(storageKeys: string[]): Promise<Map<string, Buffer>> {
    if (storageKeys.length === 0) return new Map();
    const rows: { storage_key: string; content: Buffer }[] = await this.dataSource.query(
      `SELECT storage_key, content FROM channel_email.attachment WHERE storage_key = ANY($1)`,
      [storageKeys],
    );
    return new Map(rows.map((row) => [row.storage_key, row.content]));
  }

  async sent(outboundId: string): Promise<SentMessage | undefined> {
    return this.findSent('outbound_id', outboundId);
  }

  async sentByMessageId(messageId: string): Promise<SentMessage | undefined> {
    return this.findSent('message_id', messageId);
  }

  async recordSent(sent: SentMessage): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_email.sent_message (outbound_id, message_id, ticket_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [sent.outboundId, sent.messageId, sent.ticketId],
    );
  }

  private async findSent(column: 'outbound_id' | 'message_id', value: string) {
    const rows: { outbound_id: string; message_id: string; ticket_id: string }[] =
      await this.dataSource.query(
        `SELECT outbound_id, message_id, ticket_id FROM channel_email.sent_message WHERE ${column} = $1`,
        [value],
      );
    return (
      rows[0] && {
        outboundId: rows[0].outbound_id,
        messageId: rows[0].message_id,
        ticketId: rows[0].ticket_id,
      }
    );
  }
}
