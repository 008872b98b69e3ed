import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelTelegramModule } from './channel-telegram.module';
import { CreatePollingOffset1763900000000 } from './migrations';

export const channelTelegramService: ServiceDefinition = {
  name: 'channel-telegram',
  schema: 'channel_telegram',
  module: ChannelTelegramModule,
  migrations: [CreatePollingOffset1763900000000],
  defaultPort: 3004,
  enabledInEmbeddedMode: (env) => Boolean(env.TELEGRAM_BOTS),
};
