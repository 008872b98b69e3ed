import { ATTACHMENT_STORE, openFiles, type AttachmentStore } from '@firstline/attachments';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { OUTBOUND_RETRY, OutboundDelivery, type SentMessage } from '@firstline/channel-kit';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import {
  emailAdapter,
  threadMessageId,
  withStoredFiles,
  type RenderedMail,
} from '@firstline/email';
import { RetryableError } from '@firstline/errors';
import { OutboxRelay } from '@firstline/persistence';
import { createTransport, type Transporter } from 'nodemailer';
import { EMAIL_CONFIG, emailContext, type EmailChannelConfig } from '../config';
import { EmailStore } from '../email-store';

/** Outbound email: sends what tickets and the router want to say, once, and reports on it. */
@Injectable()
export class OutboundMail implements OnModuleDestroy {
  private readonly logger = new Logger('email outbound');
  private readonly transport?: Transporter;
  private readonly delivery: OutboundDelivery<RenderedMail>;

  constructor(
    @Inject(EMAIL_CONFIG) config: EmailChannelConfig,
    dataSource: DataSource,
    relay: OutboxRelay,
    private readonly store: EmailStore,
    @Inject(ATTACHMENT_STORE) private readonly attachments: AttachmentStore,
  ) {
    if (config.smtp) this.transport = createTransport(config.smtp.url);
    else
      this.logger.warn('EMAIL_SMTP_URL and EMAIL_FROM are not set: outbound email cannot be sent');
    const context = emailContext(config);
    this.delivery = new OutboundDelivery({
      channel: Channel.EMAIL,
      dataSource,
      relay,
      render: (message) => emailAdapter.render(message, context),
      send: (rendered, message) => this.send(rendered, message),
      classifyError: emailAdapter.classifyError,
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  @Consume({ topic: TOPICS.outboundEmail, retry: OUTBOUND_RETRY })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }

  private async send(rendered: RenderedMail, message: OutboundMessage): Promise<SentMessage> {
    if (!this.transport) {
      // Retryable: once the operator configures SMTP and restarts, the reply still goes out.
      throw new RetryableError(
        'email outbound is not configured: set EMAIL_SMTP_URL and EMAIL_FROM',
      );
    }
    const files = await openFiles(this.attachments, rendered.storageKeys.filter(Boolean));
    const mail = withStoredFiles(rendered, files);
    await this.store.recordOurMail({
      outboundId: message.outboundId,
      messageId: rendered.messageId,
      ticketId: message.ticketId,
    });
    await this.transport.sendMail(mail);
    // The customer's answer names our Message-ID: the router learns it from the SENT receipt.
    return {
      channelMessageId: rendered.messageId,
      sentMessageId: threadMessageId(rendered.messageId),
    };
  }
}
