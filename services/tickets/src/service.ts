import type { ServiceDefinition } from '@firstline/runtime';
import { TicketsModule } from './tickets.module';

export const ticketsService: ServiceDefinition = {
  name: 'tickets',
  schema: 'tickets',
  module: TicketsModule,
  migrations: [],
  defaultPort: 3000,
  enabledInEmbeddedMode: () => true,
};
