import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
import { AddAgentUploads1797200000001 } from './attachments/attachments.migration';
import { WsAdapter } from '@nestjs/platform-ws';
import { serveAgentConsole } from '@firstline/agent-console';
import { trustProxyHops, type ServiceDefinition } from '@firstline/runtime';
import { setUpOpenApi } from './api/openapi';
import {
  AddEscalationsAndAccounts1767000000000,
  AddOpenChatIndex1769950000000,
  AddProvisionalCustomers1769000000000,
  AddReplyIdempotencyKeys1769700000000,
  AddRoutingCommands1769600000000,
  AddSupervisorCommandsAndCallbacks1769800000000,
  AddSupervisorNotifications1766000000000,
  AddTokenVersionsAndSignInBackOff1768000000000,
  CreateTickets1764000000000,
  NumbersFromTheRouter1769500000000,
} from './database/migrations';
import { AddRuleDraftsAndDirectoryHistory1797300000000 } from './rules/rule-drafts.migration';
import { AddSearch1769870000000 } from './search/search.migration';
import { AddTicketConversationIndex1769900000000 } from './chat/chat-activity.migration';
import { AddAgentPresenceLog1797400000000 } from './planning/planning.migration';
import { TicketsModule } from './tickets.module';
import { TicketsSettings } from './tickets-settings';

export const ticketsService: ServiceDefinition = {
  name: 'tickets',
  schema: 'tickets',
  module: TicketsModule,
  migrations: [
    CreateTickets1764000000000,
    AddSupervisorNotifications1766000000000,
    AddEscalationsAndAccounts1767000000000,
    AddTokenVersionsAndSignInBackOff1768000000000,
    AddProvisionalCustomers1769000000000,
    NumbersFromTheRouter1769500000000,
    AddRoutingCommands1769600000000,
    AddReplyIdempotencyKeys1769700000000,
    AddSupervisorCommandsAndCallbacks1769800000000,
    AddSearch1769870000000,
    AddTicketConversationIndex1769900000000,
    AddOpenChatIndex1769950000000,
    CreateAttachmentStore1797200000000,
    AddAgentUploads1797200000001,
    AddRuleDraftsAndDirectoryHistory1797300000000,
    AddAgentPresenceLog1797400000000,
  ],
  defaultPort: 3000,
  enabledInEmbeddedMode: () => true,
  configure: (app) => {
    // Sign-in limits count the client behind the proxies, not the proxy.
    trustProxyHops(app, app.get(TicketsSettings).trustedProxyHops);
    // The agents' live updates (`/api/v1/live`) are plain WebSockets on the HTTP server.
    app.useWebSocketAdapter(new WsAdapter(app));
    setUpOpenApi(app);
    serveAgentConsole(app);
  },
};
