import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceDefinition } from '@firstline/runtime';
import { MAX_CALLBACK_BODY } from './callback.controller';
import { ChannelVkModule } from './channel-vk.module';
import {
  CreateVkTables1764000000000,
  IndexVkRowAges1766100000000,
  IndexVkSentMessageAge1796200000000,
} from './migrations';

export const channelVkService: ServiceDefinition = {
  name: 'channel-vk',
  schema: 'channel_vk',
  module: ChannelVkModule,
  migrations: [
    CreateVkTables1764000000000,
    IndexVkRowAges1766100000000,
    IndexVkSentMessageAge1796200000000,
  ],
  defaultPort: 3005,
  enabledInEmbeddedMode: (env) => Boolean(env.VK_COMMUNITIES),
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
