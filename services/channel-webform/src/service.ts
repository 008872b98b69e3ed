import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelWebformModule } from './channel-webform.module';

export const channelWebformService: ServiceDefinition = {
  name: 'channel-webform',
  schema: 'channel_webform',
  module: ChannelWebformModule,
  migrations: [],
  defaultPort: 3001,
  enabledInEmbeddedMode: () => true,
};
