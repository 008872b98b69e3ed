import { runStandalone } from '@firstline/runtime';
import { channelEmailService } from './service';

runStandalone(channelEmailService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-email: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
