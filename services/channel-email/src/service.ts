import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { outboundDeliveryMigration } from '@firstline/channel-kit';
import { leaseMigration } from '@firstline/persistence';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelEmailModule } from './channel-email.module';
import {
  CarryEmailFilesIntoAttachmentStore1797200000001,
  CarrySentMailIntoOutboundDelivery1796500000000,
  CreateEmailChannelTables1763900000000,
} from './migrations';

export const channelEmailService: ServiceDefinition = {
  name: 'channel-email',
  schema: 'channel_email',
  module: ChannelEmailModule,
  migrations: [
    CreateEmailChannelTables1763900000000,
    outboundDeliveryMigration('channel_email'),
    CarrySentMailIntoOutboundDelivery1796500000000,
    leaseMigration('channel_email'),
    CreateAttachmentStore1797200000000,
    CarryEmailFilesIntoAttachmentStore1797200000001,
  ],
  defaultPort: 3003,
  enabledInEmbeddedMode: (env) => Boolean(env.EMAIL_MAILBOXES),
};
