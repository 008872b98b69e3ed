import type { INestApplication } from '@nestjs/common';
import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { outboundDeliveryMigration } from '@firstline/channel-kit';
import { trustProxyHops, type ServiceDefinition } from '@firstline/runtime';
import { ChannelWebformModule } from './channel-webform.module';
import { WEBFORM_CONFIG, type WebformConfig } from './config';
import { allowWidgetOrigins } from './http/cors';
import {
  AddPromisedAnswerTimes1797400000000,
  AddVerificationLinks1768000000000,
  CarryOverWebformDeliveries1796500000000,
  CarryWebformFilesIntoAttachmentStore1797200000001,
  CreateWebformCustomerTexts1769000000000,
  CreateWebformTables1764000000000,
  StreamAttachmentsInParts1765000000000,
} from './migrations';

export const channelWebformService: ServiceDefinition = {
  name: 'channel-webform',
  schema: 'channel_webform',
  module: ChannelWebformModule,
  migrations: [
    CreateWebformTables1764000000000,
    StreamAttachmentsInParts1765000000000,
    AddVerificationLinks1768000000000,
    CreateWebformCustomerTexts1769000000000,
    outboundDeliveryMigration('channel_webform'),
    CarryOverWebformDeliveries1796500000000,
    CreateAttachmentStore1797200000000,
    CarryWebformFilesIntoAttachmentStore1797200000001,
    AddPromisedAnswerTimes1797400000000,
  ],
  defaultPort: 3001,
  enabledInEmbeddedMode: () => true,
  // Public posts are read by their handlers, after the checks that need no body.
  readsOwnBodies: true,
  configure(app: INestApplication) {
    const config = app.get<WebformConfig>(WEBFORM_CONFIG);
    // Per-IP limits count the client, not the proxy in front of us.
    trustProxyHops(app, config.trustedProxyHops);
    app.use('/webform', allowWidgetOrigins(config.allowedOrigins));
  },
};
