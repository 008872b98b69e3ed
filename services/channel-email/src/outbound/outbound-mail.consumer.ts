import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  Consume,
  MESSAGE_BUS,
  type DeliveredMessage,
  type MessageBus,
  type RetryPolicy,
} from '@firstline/bus';
import { BadInputError, RetryableError, errorKind } from '@firstline/errors';
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

/**
 * The bus's retries of one outbound record, stated here rather than inherited, so that the
 * consumer knows which attempt is the last: 0.2, 0.4, 0.8, 1.6 s between five attempts.
 */
export const OUTBOUND_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 10_000 };

/** Outbound email: sends what tickets and the router want to say, once, and reports on it. */
@Injectable()
export class OutboundMail implements OnModuleDestroy {
  private readonly logger = new Logger('email outbound');
  private readonly transport?: Transporter;
  /** Failed attempts so far of the record being retried, by partition and offset. */
  private readonly failedAttempts = new Map<string, number>();

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

  // One record per batch: every attempt the bus makes is an attempt at this one record, so the
  // consumer can count them and tell the agent when the last one failed.
  @Consume({ topics: [TOPICS.outboundEmail.name], maxBatchSize: 1, retry: OUTBOUND_RETRY })
  async send(records: DeliveredMessage[]): Promise<void> {
    for (const record of records) await this.attempt(record);
  }

  /**
   * A retryable failure is thrown for the bus to retry with backoff. On the last attempt a FAILED
   * receipt (retryable: trying again later may succeed) is published first, so the agent hears of
   * it; the record is still dead-lettered, from where an operator can replay it.
   */
  private async attempt(record: DeliveredMessage): Promise<void> {
    const position = `${record.topic}/${record.partition}/${record.offset}`;
    try {
      await this.sendOne(record);
      this.failedAttempts.delete(position);
    } catch (error) {
      if (errorKind(error) !== 'retryable') {
        this.failedAttempts.delete(position);
        throw error;
      }
      const failed = (this.failedAttempts.get(position) ?? 0) + 1;
      if (failed < OUTBOUND_RETRY.attempts) {
        this.failedAttempts.set(position, failed);
        throw error;
      }
      this.failedAttempts.delete(position);
      const outbound = decode(TOPICS.outboundEmail.schema, record.value);
      const reason = (error as Error).message;
      this.logger.warn(
        `outbound ${outbound.outboundId} not sent after ${failed} attempts: ${reason}`,
      );
      await this.bus.publish([
        receiptRecord({
          outboundId: outbound.outboundId,
          ticketId: outbound.ticketId,
          status: DeliveryStatus.FAILED,
          reason: `not sent after ${failed} attempts: ${reason}`,
          failure: 'retries',
          retryable: true,
        }),
      ]);
      throw error;
    }
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
