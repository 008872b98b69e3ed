import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelEmailModule } from './channel-email.module';
import { CreateEmailChannelTables1763900000000 } from './migrations';

export const channelEmailService: ServiceDefinition = {
  name: 'channel-email',
  schema: 'channel_email',
  module: ChannelEmailModule,
  migrations: [CreateEmailChannelTables1763900000000],
  defaultPort: 3003,
  enabledInEmbeddedMode: (env) => Boolean(env.EMAIL_MAILBOXES),
};
