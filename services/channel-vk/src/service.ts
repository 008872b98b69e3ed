import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { outboundDeliveryMigration, storedAttachments } from '@firstline/channel-kit';
import { leaseMigration } from '@firstline/persistence';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelVkModule } from './channel-vk.module';
import { MAX_CALLBACK_BODY } from './inbound/callback.controller';
import {
  CreateVkTables1764000000000,
  IndexVkRowAges1766100000000,
  IndexVkSentMessageAge1796200000000,
  MoveVkSentMessagesToOutboundDelivery1796500000000,
} from './migrations';

export const channelVkService: ServiceDefinition = {
  name: 'channel-vk',
  schema: 'channel_vk',
  module: ChannelVkModule.readingAttachments(storedAttachments),
  migrations: [
    CreateVkTables1764000000000,
    IndexVkRowAges1766100000000,
    IndexVkSentMessageAge1796200000000,
    outboundDeliveryMigration('channel_vk'),
    MoveVkSentMessagesToOutboundDelivery1796500000000,
    leaseMigration('channel_vk'),
    CreateAttachmentStore1797200000000,
  ],
  defaultPort: 3005,
  enabledInEmbeddedMode: (env) => Boolean(env.VK_COMMUNITIES),
  idleWithout: 'VK_COMMUNITIES',
  // The callback is verified on its raw bytes, and may be far larger than Nest's 100 KB default:
  // one raw parser, whatever the content type (the secret inside decides), up to the bound.
  rawBodiesUpTo: MAX_CALLBACK_BODY,
};
