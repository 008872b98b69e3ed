import type { INestApplication } from '@nestjs/common';
import { trustProxyHops, type ServiceDefinition } from '@firstline/runtime';
import { ChannelWebformModule } from './channel-webform.module';
import { WEBFORM_CONFIG, type WebformConfig } from './config';
import { readBody } from './http/body';
import { allowWidgetOrigins } from './http/cors';
import {
  CreateWebformCustomerTexts1764900000000,
  CreateWebformTables1764000000000,
} from './migrations';

export const channelWebformService: ServiceDefinition = {
  name: 'channel-webform',
  schema: 'channel_webform',
  module: ChannelWebformModule,
  migrations: [CreateWebformTables1764000000000, CreateWebformCustomerTexts1764900000000],
  defaultPort: 3001,
  enabledInEmbeddedMode: () => true,
  configure(app: INestApplication) {
    const config = app.get<WebformConfig>(WEBFORM_CONFIG);
    // Per-IP limits count the client, not the proxy in front of us.
    trustProxyHops(app, config.trustedProxyHops);
    // Before Nest's own body parsers, which then find the body read.
    app.use('/webform', allowWidgetOrigins(config.allowedOrigins), readBody(config));
  },
};
