import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelVkModule } from './channel-vk.module';

export const channelVkService: ServiceDefinition = {
  name: 'channel-vk',
  schema: 'channel_vk',
  module: ChannelVkModule,
  migrations: [],
  defaultPort: 3005,
  enabledInEmbeddedMode: (env) => Boolean(env.VK_COMMUNITIES),
};
