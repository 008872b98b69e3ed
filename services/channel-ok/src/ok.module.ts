import { Module, type DynamicModule } from '@nestjs/common';
import { attachmentReaderProviders, type AttachmentSource } from '@firstline/channel-kit';
import { loadOkConfig, OK_CONFIG } from './config';
import { OkGroups } from './groups';
import { OkInbound } from './inbound/ok-inbound';
import { WebhookController } from './inbound/webhook.controller';
import { OkApiClient } from './ok-api.client';
import { OkOutbound } from './outbound/ok-outbound.consumer';
import { OkSender } from './outbound/ok-sender';

/** OK group messages: webhooks in, graph.user.messages out. */
@Module({
  controllers: [WebhookController],
  providers: [
    // Read when the service starts: a malformed OK_GROUPS stops it with one line.
    { provide: OK_CONFIG, useFactory: () => loadOkConfig(process.env) },
    OkApiClient,
    OkGroups,
    OkInbound,
    OkSender,
    OkOutbound,
  ],
})
export class ChannelOkModule {
  /**
   * The module whose replies read their files' bytes from `source`: a ReadAttachment, or
   * providers of which one provides READ_ATTACHMENT.
   */
  static readingAttachments(source: AttachmentSource): DynamicModule {
    return { module: ChannelOkModule, providers: attachmentReaderProviders(source) };
  }
}
