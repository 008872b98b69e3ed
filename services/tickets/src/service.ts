import type { ServiceDefinition } from '@firstline/runtime';
import { CreateTickets1764000000000 } from './database/migrations';
import { TicketsModule } from './tickets.module';

export const ticketsService: ServiceDefinition = {
  name: 'tickets',
  schema: 'tickets',
  module: TicketsModule,
  migrations: [CreateTickets1764000000000],
  defaultPort: 3000,
  enabledInEmbeddedMode: () => true,
};
