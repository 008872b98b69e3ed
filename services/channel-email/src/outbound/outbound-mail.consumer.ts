import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  BadInputError,
  Consume,
  MESSAGE_BUS,
  RetryableError,
  type DeliveredMessage,
  type MessageBus,
} from '@firstline/bus';
import {
  DeliveryStatus,
  TOPICS,
  decode,
  messageType,
  type OutboundMessage,
} from '@firstline/contracts';
import { render } from '@firstline/email';
import { createTransport, type Transporter } from 'nodemailer';
import { EMAIL_CONFIG, type EmailChannelConfig } from '../config';
import { EmailStore } from '../email-store';
import { classifySmtpError } from '../errors';
import { receiptRecord } from '../records';

/** Outbound email: sends what tickets and the router want to say, once, and reports on it. */
@Injectable()
export class OutboundMail implements OnModuleDestroy {
  private readonly logger = new Logger('email outbound');
  private readonly transport?: Transporter;

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailChannelConfig,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly store: EmailStore,
  ) {
    if (config.smtp) this.transport = createTransport(config.smtp.url);
    else
      this.logger.warn('EMAIL_SMTP_URL and EMAIL_FROM are not set: outbound email cannot be sent');
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  @Consume({ topics: [TOPICS.outboundEmail.name] })
  async send(records: DeliveredMessage[]): Promise<void> {
    // One by one: a retryable failure stops the batch, and what was sent before it is recorded,
    // so the retry does not send it again.
    for (const record of records) await this.sendOne(record);
  }

  private async sendOne(record: DeliveredMessage): Promise<void> {
    const expected = messageType(TOPICS.outboundEmail.schema);
    if (record.headers.type !== expected) {
      throw new BadInputError(`expected ${expected}, got ${record.headers.type}`);
    }
    const outbound = decode(TOPICS.outboundEmail.schema, record.value);
    if (!this.transport || !this.config.smtp) {
      // Retryable: once the operator configures SMTP and restarts, the reply still goes out.
      throw new RetryableError(
        'email outbound is not configured: set EMAIL_SMTP_URL and EMAIL_FROM',
      );
    }
    const { smtp } = this.config;
    const already = await this.store.sent(outbound.outboundId);
    if (already) {
      await this.bus.publish([this.sentReceipt(outbound, already.messageId)]);
      return;
    }
    try {
      const files = await this.store.attachments(
        outbound.attachments.map((attachment) => attachment.storageKey).filter(Boolean),
      );
      const { messageId, mail } = render(outbound, {
        fromAddress: smtp.fromAddress,
        messageIdDomain: this.config.messageIdDomain ?? smtp.fromAddress.split('@')[1],
        files,
      });
      await this.transport.sendMail(mail);
      await this.store.recordSent({
        outboundId: outbound.outboundId,
        messageId,
        ticketId: outbound.ticketId,
      });
      await this.bus.publish([this.sentReceipt(outbound, messageId)]);
    } catch (caught) {
      const error = classifySmtpError(caught);
      if (error.kind === 'retryable') throw error;
      // Retrying cannot help: tell the agent why, instead of dead-lettering in silence.
      this.logger.warn(`outbound ${outbound.outboundId} not sent: ${error.message}`);
      await this.bus.publish([
        receiptRecord({
          outboundId: outbound.outboundId,
          ticketId: outbound.ticketId,
          status: DeliveryStatus.FAILED,
          reason: error.message,
        }),
      ]);
    }
  }

  private sentReceipt(outbound: OutboundMessage, messageId: string) {
    return receiptRecord({
      outboundId: outbound.outboundId,
      ticketId: outbound.ticketId,
      status: DeliveryStatus.SENT,
      channelMessageId: messageId,
    });
  }
}
