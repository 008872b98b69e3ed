import type { ServiceDefinition } from '@firstline/runtime';
import { RouterModule } from './router.module';

export const routerService: ServiceDefinition = {
  name: 'router',
  schema: 'routing',
  module: RouterModule,
  migrations: [],
  defaultPort: 3002,
  enabledInEmbeddedMode: () => true,
};
