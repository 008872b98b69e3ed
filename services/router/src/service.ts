import type { ServiceDefinition } from '@firstline/runtime';
import {
  AddNumbersTimersAndLinks1764100000000,
  AddThreadMessages1764200000000,
  AddProvisionalCustomers1768000000000,
  AddTeamChatCapacity1770100000000,
  CountUnrecordedMessages1770300000000,
  CreateRoutingState1764000000000,
  IndexResolvedTicketsByTeam1770230000000,
  UniqueTicketNumbers1769500000000,
} from './migrations';
import { RouterModule } from './router.module';

export const routerService: ServiceDefinition = {
  name: 'router',
  schema: 'routing',
  module: RouterModule,
  migrations: [
    CreateRoutingState1764000000000,
    AddNumbersTimersAndLinks1764100000000,
    AddThreadMessages1764200000000,
    AddProvisionalCustomers1768000000000,
    UniqueTicketNumbers1769500000000,
    AddTeamChatCapacity1770100000000,
    IndexResolvedTicketsByTeam1770230000000,
    CountUnrecordedMessages1770300000000,
  ],
  defaultPort: 3002,
  enabledInEmbeddedMode: () => true,
};
