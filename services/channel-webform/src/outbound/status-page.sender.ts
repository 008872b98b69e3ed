import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { topicRecord } from '@firstline/bus';
import type { SentMessage } from '@firstline/channel-kit';
import { TOPICS, type OutboundMessage } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import { customerTexts } from '@firstline/routing';
import { emailCopyOf, type StatusPageReply } from '@firstline/webform';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import { StoredLinks } from '../http/stored-links';
import { CustomerTextsStore } from '../projection/directory.consumer';
import { verificationTokenFor } from '../verification/verification.store';

/**
 * Puts a message on the customer's status page: the page is the delivery this channel vouches
 * for. Writing it twice (a crash before its outcome was recorded) shows it once. When the
 * customer left an email address, the copy for their mailbox is handed back to be published with
 * the receipt; the email channel's own receipt for it is informational.
 */
@Injectable()
export class StatusPageSender {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: StoredLinks,
    private readonly directory: CustomerTextsStore,
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
  ) {}

  async send(reply: StatusPageReply, message: OutboundMessage): Promise<SentMessage> {
    const wording = await this.directory.customerTexts();
    const linkBase = await this.links.base();
    return this.dataSource.transaction(async (manager) => {
      const [conversation] = await manager.query<
        Array<{ email: string | null; customer_name: string; locale: string }>
      >(
        `SELECT email, customer_name, locale FROM channel_webform.conversation WHERE status_token = $1`,
        [reply.statusToken],
      );
      if (!conversation) {
        throw new BadInputError(
          `outbound ${reply.outboundId}: no web-form conversation ${message.conversationKey}`,
        );
      }
      const texts = customerTexts(conversation.locale, wording);
      await manager.query(
        `INSERT INTO channel_webform.reply
           (outbound_id, status_token, ticket_id, text_body, sender_display_name, automatic, created_at,
            attachments)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (outbound_id) DO NOTHING`,
        [
          reply.outboundId,
          reply.statusToken,
          reply.ticketId,
          reply.text,
          reply.senderDisplayName ?? texts.team,
          reply.automatic,
          reply.createdAt,
          JSON.stringify(reply.attachments),
        ],
      );
      // The page shows it under this id.
      const sent: SentMessage = { channelMessageId: reply.outboundId };
      if (!conversation.email) return sent;
      const verification = await verificationTokenFor(
        manager,
        reply.statusToken,
        conversation.email,
        new Date(),
        this.config.verificationLinkTtlMs,
      );
      const copy = emailCopyOf(
        message,
        {
          email: conversation.email,
          customerName: conversation.customer_name,
          statusLink: `${linkBase}/webform/s/${reply.statusToken}`,
          verificationLink: verification && `${linkBase}/webform/v/${verification}`,
        },
        texts,
      );
      return {
        ...sent,
        publish: [topicRecord(TOPICS.outboundEmail, copy, { messageId: copy.outboundId })],
      };
    });
  }
}
