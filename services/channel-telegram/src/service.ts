import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelTelegramModule } from './channel-telegram.module';

export const channelTelegramService: ServiceDefinition = {
  name: 'channel-telegram',
  schema: 'channel_telegram',
  module: ChannelTelegramModule,
  migrations: [],
  defaultPort: 3004,
  enabledInEmbeddedMode: (env) => Boolean(env.TELEGRAM_BOTS),
};
