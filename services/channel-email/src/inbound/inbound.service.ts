import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  MESSAGE_BUS,
  type MessageBus,
  type OutgoingMessage,
} from '@firstline/bus';
import { DeliveryStatus } from '@firstline/contracts';
import { normalise, parseOwnMessageId } from '@firstline/email';
import { EMAIL_CONFIG, type EmailChannelConfig, type MailboxConfig } from '../config';
import { EmailStore } from '../email-store';
import { inboundRecord, receiptRecord } from '../records';
import { MailboxReader, type FetchedMail } from './mailbox-reader';

/** Inbound email: every configured mailbox read into InboundMessages; bounces into failed receipts. */
@Injectable()
export class InboundMail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('email inbound');
  private readonly readers: MailboxReader[];

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailChannelConfig,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly store: EmailStore,
  ) {
    this.readers = config.mailboxes.map(
      (mailbox) =>
        new MailboxReader(mailbox, {
          pollIntervalMs: config.pollIntervalMs,
          batchSize: config.batchSize,
          checkpoint: (name) => store.checkpoint(name),
          saveCheckpoint: (name, checkpoint) => store.saveCheckpoint(name, checkpoint),
          publish: (box, uidValidity, mails) => this.publish(box, uidValidity, mails),
        }),
    );
  }

  onApplicationBootstrap(): void {
    if (this.readers.length === 0) this.logger.warn('EMAIL_MAILBOXES is not set: no mail is read');
    for (const reader of this.readers) reader.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.stop()));
  }

  /** One record per mail, published together; resolves when the bus has them all. */
  async publish(mailbox: MailboxConfig, uidValidity: bigint, mails: FetchedMail[]): Promise<void> {
    const records: OutgoingMessage[] = [];
    for (const mail of mails) {
      const record = await this.recordFor(mailbox, uidValidity, mail);
      if (record) records.push(record);
    }
    if (records.length) await this.bus.publish(records);
  }

  private async recordFor(
    mailbox: MailboxConfig,
    uidValidity: bigint,
    mail: FetchedMail,
  ): Promise<OutgoingMessage | undefined> {
    let normalised;
    try {
      normalised = await normalise(mail.source, {
        receivedAt: new Date(),
        ownDomain: this.config.messageIdDomain,
        maxAttachmentBytes: this.config.maxAttachmentBytes,
      });
    } catch (error) {
      // Never a silent drop: the raw mail goes to the dead-letter topic with the reason.
      this.logger.error(`${mailbox.name} UID ${mail.uid} cannot be read: ${String(error)}`);
      return {
        topic: DEAD_LETTER_TOPIC,
        key: mailbox.name,
        value: mail.source,
        headers: {
          messageId: `email-raw:${mailbox.name}:${uidValidity}:${mail.uid}`,
          type: 'message/rfc822',
        },
        extraHeaders: {
          [DEAD_LETTER_HEADER.error]: String(error),
          [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
        },
      };
    }
    const { message, files, deliveryStatus } = normalised;
    const skipped = message.channelMetadata.parse_budget_exceeded;
    if (skipped)
      this.logger.warn(`${mailbox.name} UID ${mail.uid} published as it came: ${skipped}`);
    await this.store.storeAttachments(files);

    const bounced = deliveryStatus?.bouncedMessageId;
    const ours = bounced ? parseOwnMessageId(bounced, this.config.messageIdDomain) : undefined;
    if (!deliveryStatus || !bounced || !ours) return inboundRecord(message);
    // A report on our own mail concerns its ticket's delivery, not a customer writing.
    if (!deliveryStatus.permanent) {
      this.logger.log(
        `delivery of ${bounced} delayed (${deliveryStatus.status}); the server keeps trying`,
      );
      return undefined;
    }
    const sent = await this.store.sentByMessageId(bounced);
    return receiptRecord({
      outboundId: sent?.outboundId ?? ours.outboundId,
      ticketId: sent?.ticketId ?? '',
      status: DeliveryStatus.FAILED,
      reason: `${deliveryStatus.failedRecipient || 'the recipient'}: ${deliveryStatus.diagnostic || deliveryStatus.status || 'undeliverable'}`,
      failure: `bounce:${message.messageId}`,
    });
  }
}
