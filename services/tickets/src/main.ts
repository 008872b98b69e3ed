import { runStandalone } from '@firstline/runtime';
import { ticketsService } from './service';

runStandalone(ticketsService).catch((error: unknown) => {
  process.stderr.write(
    `firstline tickets: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
