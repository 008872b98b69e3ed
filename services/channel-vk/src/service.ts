import type { ServiceDefinition } from '@firstline/runtime';
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
};
