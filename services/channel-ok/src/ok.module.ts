import { Module, type DynamicModule } from '@nestjs/common';
import { READ_ATTACHMENT, type ReadAttachment } from '@firstline/channel-kit';
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
  /** The module whose replies read their files' bytes with `readAttachment`. */
  static readingAttachments(readAttachment: ReadAttachment): DynamicModule {
    return {
      module: ChannelOkModule,
      providers: [{ provide: READ_ATTACHMENT, useValue: readAttachment }],
    };
  }
}
