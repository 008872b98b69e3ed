import { runStandalone } from '@firstline/runtime';
import { channelWebformService } from './service';

runStandalone(channelWebformService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-webform: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
