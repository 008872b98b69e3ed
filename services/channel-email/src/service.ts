import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelEmailModule } from './channel-email.module';

export const channelEmailService: ServiceDefinition = {
  name: 'channel-email',
  schema: 'channel_email',
  module: ChannelEmailModule,
  migrations: [],
  defaultPort: 3003,
  enabledInEmbeddedMode: (env) => Boolean(env.EMAIL_MAILBOXES),
};
