import { Module } from '@nestjs/common';
import { CallbackController } from './callback.controller';
import { loadVkConfig, VK_CONFIG } from './config';
import { VkHousekeeping } from './housekeeping';
import { VkInbound } from './inbound.service';
import { LongPoll } from './long-poll';
import { VkOutbound } from './outbound.consumer';
import { SenderNames } from './sender-names';
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
export class ChannelVkModule {}
