import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { storedAttachments } from '@firstline/channel-kit';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelTelegramModule } from './channel-telegram.module';
import { telegramMigrations } from './migrations';

export const channelTelegramService: ServiceDefinition = {
  name: 'channel-telegram',
  schema: 'channel_telegram',
  module: ChannelTelegramModule.readingAttachments(storedAttachments),
  migrations: [...telegramMigrations, CreateAttachmentStore1797200000000],
  defaultPort: 3004,
  enabledInEmbeddedMode: (env) => Boolean(env.TELEGRAM_BOTS),
  idleWithout: 'TELEGRAM_BOTS',
};
