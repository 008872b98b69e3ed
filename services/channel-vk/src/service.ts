import type { NestExpressApplication } from '@nestjs/platform-express';
import { outboundDeliveryMigration } from '@firstline/channel-kit';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelVkModule } from './channel-vk.module';
import { MAX_CALLBACK_BODY } from './inbound/callback.controller';
import {
  CreateVkTables1764000000000,
  IndexVkRowAges1766100000000,
  IndexVkSentMessageAge1796200000000,
  MoveVkSentMessagesToOutboundDelivery1796500000000,
} from './migrations';

export const channelVkService: ServiceDefinition = {
  name: 'channel-vk',
  schema: 'channel_vk',
  module: ChannelVkModule,
  migrations: [
    CreateVkTables1764000000000,
    IndexVkRowAges1766100000000,
    IndexVkSentMessageAge1796200000000,
    outboundDeliveryMigration('channel_vk'),
    MoveVkSentMessagesToOutboundDelivery1796500000000,
  ],
  defaultPort: 3005,
  enabledInEmbeddedMode: (env) => Boolean(env.VK_COMMUNITIES),
  idleWithout: 'VK_COMMUNITIES',
  // The callback is verified on its raw bytes, and may be far larger than Nest's 100 KB default:
  // one raw parser, whatever the content type (the secret inside decides), up to the bound.
  readsOwnBodies: true,
  configure: (app) => {
    (app as NestExpressApplication).useBodyParser('raw', {
      type: () => true,
      limit: MAX_CALLBACK_BODY,
    });
  },
};
