import { runStandalone } from '@firstline/runtime';
import { routerService } from './service';

runStandalone(routerService).catch((error: unknown) => {
  process.stderr.write(
    `firstline router: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
