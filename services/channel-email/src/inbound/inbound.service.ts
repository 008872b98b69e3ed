import { ATTACHMENT_STORE, storeInboundFiles, type AttachmentStore } from '@firstline/attachments';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, topicRecord } from '@firstline/bus';
import type { CheckpointedSource, MessageBus, OutgoingMessage } from '@firstline/bus';
import { InboundPublisher, type NormalisedPayload } from '@firstline/channel-kit';
import { replicaId } from '@firstline/config';
import { TOPICS } from '@firstline/contracts';
import { bounceReceipt, readMail, type Bounce, type EmailContext } from '@firstline/email';
import { Leases, type Lease } from '@firstline/persistence';
import { EMAIL_CONFIG, emailContext, type EmailChannelConfig, type MailboxConfig } from '../config';
import { EmailStore, encodeCheckpoint, type Checkpoint } from '../email-store';
import { MailboxReader, type FetchedMail } from './mailbox-reader';

/**
 * Inbound email: the configured mailboxes read into InboundMessages, bounces into failed
 * receipts. The replicas share the mailboxes through leases, each read by one replica at a time.
 */
@Injectable()
export class InboundMail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('email inbound');
  private readonly publisher: InboundPublisher;
  private readonly context: EmailContext;
  private readonly mailboxes: Map<string, MailboxConfig>;
  private readonly leases: Leases;
  /** The mailboxes this replica reads now. */
  private readonly readers = new Map<string, MailboxReader>();

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailChannelConfig,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly store: EmailStore,
    dataSource: DataSource,
    @Inject(ATTACHMENT_STORE) attachments: AttachmentStore,
  ) {
    this.context = emailContext(config);
    this.publisher = new InboundPublisher({
      bus,
      name: 'email',
      storeFiles: (files) => storeInboundFiles(attachments, files),
    });
    this.mailboxes = new Map(config.mailboxes.map((mailbox) => [mailbox.name, mailbox]));
    this.leases = new Leases(
      dataSource,
      { replica: replicaId(), resources: [...this.mailboxes.keys()], kind: 'mailbox' },
      { start: (lease) => this.read(lease), stop: (name) => this.stopReading(name) },
    );
  }

  onApplicationBootstrap(): void {
    if (this.mailboxes.size === 0) this.logger.warn('EMAIL_MAILBOXES is not set: no mail is read');
    this.leases.start();
  }

  /** Finishes the batches in flight and hands the mailboxes to the other replicas. */
  async onModuleDestroy(): Promise<void> {
    await this.leases.stop();
  }

  private read(lease: Lease): void {
    const reader = new MailboxReader(this.mailboxes.get(lease.resource)!, {
      pollIntervalMs: this.config.pollIntervalMs,
      batchSize: this.config.batchSize,
      openSource: () => this.bus.openSource(`email:${lease.resource}`),
      checkpoint: (name) => this.store.checkpoint(name),
      saveCheckpoint: (checkpoint) => this.store.saveCheckpoint(lease, checkpoint),
      publish: (source, box, uidValidity, mails, checkpoint) =>
        this.publish(source, box, uidValidity, mails, checkpoint),
    });
    this.readers.set(lease.resource, reader);
    reader.start();
  }

  private async stopReading(name: string): Promise<void> {
    await this.readers.get(name)?.stop();
    this.readers.delete(name);
  }

  /**
   * One batch of a mailbox, published together with the receipts of the bounces among it and
   * the checkpoint past it: all of it lands, or none.
   */
  async publish(
    source: CheckpointedSource,
    mailbox: MailboxConfig,
    uidValidity: bigint,
    mails: FetchedMail[],
    checkpoint: Checkpoint,
  ): Promise<void> {
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
    await this.publisher.publishWithCheckpoint(
      source,
      normalised,
      encodeCheckpoint(checkpoint),
      receipts,
    );
  }

  private async receiptFor(bounce: Bounce): Promise<OutgoingMessage> {
    const ticketId = await this.store.ticketOf(bounce.bouncedMessageId);
    const receipt = bounceReceipt(bounce, ticketId, new Date());
    return topicRecord(TOPICS.deliveryReceipts, receipt, { messageId: receipt.receiptId });
  }
}
