import { noAttachmentStore } from '@firstline/channel-kit';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelTelegramModule } from './channel-telegram.module';
import { telegramMigrations } from './migrations';

export const channelTelegramService: ServiceDefinition = {
  name: 'channel-telegram',
  schema: 'channel_telegram',
  // Attachments known by a storage key need the shared attachment store, not connected yet.
  module: ChannelTelegramModule.readingAttachments(noAttachmentStore),
  migrations: telegramMigrations,
  defaultPort: 3004,
  enabledInEmbeddedMode: (env) => Boolean(env.TELEGRAM_BOTS),
  idleWithout: 'TELEGRAM_BOTS',
};
