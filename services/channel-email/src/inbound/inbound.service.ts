import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { MESSAGE_BUS, topicRecord, type MessageBus, type OutgoingMessage } from '@firstline/bus';
import { InboundPublisher, type NormalisedPayload } from '@firstline/channel-kit';
import { TOPICS } from '@firstline/contracts';
import { bounceReceipt, readMail, type Bounce, type EmailContext } from '@firstline/email';
import { EMAIL_CONFIG, emailContext, type EmailChannelConfig, type MailboxConfig } from '../config';
import { EmailStore } from '../email-store';
import { MailboxReader, type FetchedMail } from './mailbox-reader';

/** Inbound email: every configured mailbox read into InboundMessages; bounces into failed receipts. */
@Injectable()
export class InboundMail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('email inbound');
  private readonly readers: MailboxReader[];
  private readonly publisher: InboundPublisher;
  private readonly context: EmailContext;

  constructor(
    @Inject(EMAIL_CONFIG) config: EmailChannelConfig,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    private readonly store: EmailStore,
  ) {
    this.context = emailContext(config);
    this.publisher = new InboundPublisher({
      bus,
      name: 'email',
      storeFiles: (files) => store.storeAttachments(files),
    });
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

  /**
   * One batch of a mailbox, published together with the receipts of the bounces among it;
   * resolves when the bus has them all, and only then does the reader move the checkpoint.
   */
  async publish(mailbox: MailboxConfig, uidValidity: bigint, mails: FetchedMail[]): Promise<void> {
    const normalised: NormalisedPayload[] = [];
    const receipts: OutgoingMessage[] = [];
    for (const mail of mails) {
      const payload = {
        source: `email:${mailbox.name}`,
        id: `email:${mailbox.name}:${uidValidity}:${mail.uid}`,
        type: 'message/rfc822',
        bytes: mail.source,
      };
      const { result, bounce } = await readMail(mail.source, this.context, new Date());
      const skipped =
        result.kind === 'message' && result.message.channelMetadata.parse_budget_exceeded;
      if (skipped) this.logger.warn(`${payload.id} published as it came: ${skipped}`);
      normalised.push({ result, payload });
      if (bounce) receipts.push(await this.receiptFor(bounce));
    }
    await this.publisher.publish(normalised, receipts);
  }

  private async receiptFor(bounce: Bounce): Promise<OutgoingMessage> {
    const ticketId = await this.store.ticketOf(bounce.bouncedMessageId);
    const receipt = bounceReceipt(bounce, ticketId, new Date());
    return topicRecord(TOPICS.deliveryReceipts, receipt, { messageId: receipt.receiptId });
  }
}
