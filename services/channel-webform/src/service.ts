import type { INestApplication } from '@nestjs/common';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelWebformModule } from './channel-webform.module';
import { WEBFORM_CONFIG, type WebformConfig } from './config';
import { allowWidgetOrigins } from './http/cors';
import {
  CreateWebformTables1764000000000,
  StreamAttachmentsInParts1765000000000,
} from './migrations';

export const channelWebformService: ServiceDefinition = {
  name: 'channel-webform',
  schema: 'channel_webform',
  module: ChannelWebformModule,
  migrations: [CreateWebformTables1764000000000, StreamAttachmentsInParts1765000000000],
  defaultPort: 3001,
  enabledInEmbeddedMode: () => true,
  // Public posts are read by their handlers, after the checks that need no body.
  readsOwnBodies: true,
  configure(app: INestApplication) {
    const config = app.get<WebformConfig>(WEBFORM_CONFIG);
    const express = app.getHttpAdapter().getInstance() as {
      set(name: string, value: unknown): void;
    };
    // Per-IP limits count the client, not the proxy in front of us.
    if (config.trustedProxyHops > 0) express.set('trust proxy', config.trustedProxyHops);
    app.use('/webform', allowWidgetOrigins(config.allowedOrigins));
  },
};
