import { Module, type DynamicModule } from '@nestjs/common';
import { attachmentReaderProviders, type AttachmentSource } from '@firstline/channel-kit';
import { loadVkConfig, VK_CONFIG } from './config';
import { VkHousekeeping } from './housekeeping';
import { CallbackController } from './inbound/callback.controller';
import { VkInbound } from './inbound/inbound.service';
import { LongPoll } from './inbound/long-poll';
import { SenderNames } from './inbound/sender-names';
import { VkOutbound } from './outbound/outbound.consumer';
import { VkApiClient } from './vk-api.client';

/** VK community messages: Callback API or Bots Long Poll in, messages.send out. */
@Module({
  controllers: [CallbackController],
  providers: [
    // Read when the service starts: a malformed VK_COMMUNITIES stops it with one line.
    { provide: VK_CONFIG, useFactory: () => loadVkConfig(process.env) },
    VkApiClient,
    SenderNames,
    VkInbound,
    LongPoll,
    VkOutbound,
    VkHousekeeping,
  ],
})
export class ChannelVkModule {
  /**
   * The module whose replies read their files' bytes from `source`: a ReadAttachment, or
   * providers of which one provides READ_ATTACHMENT.
   */
  static readingAttachments(source: AttachmentSource): DynamicModule {
    return { module: ChannelVkModule, providers: attachmentReaderProviders(source) };
  }
}
