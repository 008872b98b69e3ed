import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { storedAttachments } from '@firstline/channel-kit';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelOkModule } from './ok.module';
import { MAX_WEBHOOK_BODY } from './inbound/webhook.controller';
import { migrations, SCHEMA } from './migrations';

export const channelOkService: ServiceDefinition = {
  name: 'channel-ok',
  schema: SCHEMA,
  module: ChannelOkModule.readingAttachments(storedAttachments),
  migrations: [...migrations, CreateAttachmentStore1797200000000],
  defaultPort: 3006,
  enabledInEmbeddedMode: (env) => Boolean(env.OK_GROUPS),
  idleWithout: 'OK_GROUPS',
  // A body that is not JSON must still be answered 200 and dead-lettered as it came, which
  // Nest's JSON parser would refuse with 400: one raw parser, whatever the content type.
  rawBodiesUpTo: MAX_WEBHOOK_BODY,
};
