import { WsAdapter } from '@nestjs/platform-ws';
import type { ServiceDefinition } from '@firstline/runtime';
import { ChannelChatModule } from './chat.module';
import { migrations, SCHEMA } from './migrations';
import { chatCors } from './visitors/cors';
import { VisitorAuth } from './visitors/visitor-auth';

export const channelChatService: ServiceDefinition = {
  name: 'channel-chat',
  schema: SCHEMA,
  module: ChannelChatModule,
  migrations,
  defaultPort: 3007,
  // Live chat needs no account anywhere: embedded mode runs it (with a secret kept in DATA_DIR).
  enabledInEmbeddedMode: () => true,
  configure: (app) => {
    const auth = app.get(VisitorAuth);
    app.use(
      '/chat',
      chatCors((origin) => auth.allowsOrigin(origin)),
    );
    // The widget's socket (`/chat/ws`) is a plain WebSocket on the HTTP server.
    app.useWebSocketAdapter(new WsAdapter(app));
  },
};
