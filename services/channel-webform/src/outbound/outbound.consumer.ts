import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage, type OutgoingMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  Channel,
  create,
  DeliveryReceiptSchema,
  DeliveryStatus,
  encode,
  IdentityKind,
  IdentitySchema,
  messageType,
  OutboundMessageSchema,
  timestampDate,
  timestampFromDate,
  TOPICS,
  type OutboundMessage,
} from '@firstline/contracts';
import { claimMessage, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { customerTexts, fillText, type CustomerTexts } from '@firstline/routing';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import { StoredLinks } from '../http/stored-links';
import { DirectoryProjection } from '../projection/directory.consumer';
import { readRecord, statusTokenOf } from '../projection/records';
import { verificationTokenFor } from '../verification/verification.store';

const CONSUMER = 'webform-outbound';

/**
 * Delivers messages to web-form customers: every one goes onto their status page, and, when they
 * left an email address, a copy goes to the email channel with the status link. The page is the
 * delivery this channel vouches for, so its receipt (SENT, for the ticket's outbound id) is
 * published with the stored message in one transaction; the email copy has an id of its own and
 * the email channel's receipt for it is informational (docs/adr/0010-webform.md).
 */
@Injectable()
export class WebformOutbound {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly links: StoredLinks,
    private readonly directory: DirectoryProjection,
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
  ) {}

  @Consume({ topics: [TOPICS.outboundWebform.name] })
  async handle(records: DeliveredMessage[]): Promise<void> {
    const linkBase = await this.links.base();
    for (const record of records) {
      const message = readRecord(OutboundMessageSchema, record);
      const token = statusTokenOf(message.conversationKey);
      if (!token) {
        throw new BadInputError(
          `outbound ${message.outboundId}: "${message.conversationKey}" is not a web-form conversation`,
        );
      }
      const wording = await this.directory.customerTexts();
      await this.dataSource.transaction(async (manager) => {
        if (!(await claimMessage(manager, CONSUMER, message.outboundId))) return;
        const [conversation] = await manager.query<
          Array<{ email: string | null; customer_name: string; locale: string }>
        >(
          `SELECT email, customer_name, locale FROM channel_webform.conversation WHERE status_token = $1`,
          [token],
        );
        if (!conversation) {
          throw new BadInputError(
            `outbound ${message.outboundId}: no web-form conversation ${message.conversationKey}`,
          );
        }
        await manager.query(
          `INSERT INTO channel_webform.reply
             (outbound_id, status_token, ticket_id, text_body, sender_display_name, automatic, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            message.outboundId,
            token,
            message.ticketId,
            message.textBody,
            message.senderDisplayName || customerTexts(conversation.locale, wording).team,
            message.automatic,
            message.createdAt ? timestampDate(message.createdAt) : new Date(),
          ],
        );
        const outgoing = [receipt(message, record.headers.traceId)];
        if (conversation.email) {
          const verification = await verificationTokenFor(
            manager,
            token,
            conversation.email,
            new Date(),
            this.config.verificationLinkTtlMs,
          );
          outgoing.push(
            emailCopy(
              message,
              conversation,
              customerTexts(conversation.locale, wording),
              {
                status: `${linkBase}/webform/s/${token}`,
                verification: verification && `${linkBase}/webform/v/${verification}`,
              },
              record.headers.traceId,
            ),
          );
        }
        await enqueueOutbox(manager, outgoing);
      });
      this.relay.nudge();
    }
  }
}

function receipt(message: OutboundMessage, traceId: string): OutgoingMessage {
  const delivery = create(DeliveryReceiptSchema, {
    receiptId: `${message.outboundId}:${DeliveryStatus[DeliveryStatus.SENT]}`,
    outboundId: message.outboundId,
    ticketId: message.ticketId,
    channel: Channel.WEBFORM,
    status: DeliveryStatus.SENT,
    // The status page shows it under this id.
    channelMessageId: message.outboundId,
    occurredAt: timestampFromDate(new Date()),
  });
  return {
    topic: TOPICS.deliveryReceipts.name,
    key: TOPICS.deliveryReceipts.key(delivery),
    value: encode(DeliveryReceiptSchema, delivery),
    headers: { messageId: delivery.receiptId, type: messageType(DeliveryReceiptSchema), traceId },
  };
}

/**
 * The same message for the customer's mailbox, with the link back to their status page and,
 * until the address is proven, the "this is me" link that proves it.
 */
function emailCopy(
  message: OutboundMessage,
  conversation: { email: string | null; customer_name: string; locale: string },
  texts: CustomerTexts,
  links: { status: string; verification?: string },
  traceId: string,
): OutgoingMessage {
  const footer = [
    fillText(texts.statusLink, { link: links.status }),
    links.verification && fillText(texts.verifyLink, { link: links.verification }),
  ]
    .filter(Boolean)
    .join('\n');
  const copy = create(OutboundMessageSchema, {
    ...message,
    outboundId: `${message.outboundId}:email`,
    channel: Channel.EMAIL,
    recipient: create(IdentitySchema, {
      kind: IdentityKind.EMAIL,
      value: conversation.email ?? '',
      displayName: conversation.customer_name,
    }),
    textBody: `${message.textBody}\n\n--\n${footer}\n`,
    // The HTML version would lack the link; the email channel renders the text.
    htmlBody: '',
    threadRefs: {},
  });
  return {
    topic: TOPICS.outboundEmail.name,
    key: copy.conversationKey,
    value: encode(OutboundMessageSchema, copy),
    headers: { messageId: copy.outboundId, type: messageType(OutboundMessageSchema), traceId },
  };
}
