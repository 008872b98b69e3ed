import { WsAdapter } from '@nestjs/platform-ws';
import { trustProxyHops, type ServiceDefinition } from '@firstline/runtime';
import { ChannelChatModule } from './chat.module';
import { CHAT_CONFIG, type ChatConfig } from './config';
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
    // New visitors are counted per client address, not per proxy in front of us.
    trustProxyHops(app, app.get<ChatConfig>(CHAT_CONFIG).trustedProxyHops);
    const auth = app.get(VisitorAuth);
    app.use(
      '/chat',
      chatCors((origin) => auth.allowsOrigin(origin)),
    );
    // The widget's socket (`/chat/ws`) is a plain WebSocket on the HTTP server.
    app.useWebSocketAdapter(new WsAdapter(app));
  },
};
