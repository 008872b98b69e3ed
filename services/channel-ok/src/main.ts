import { runStandalone } from '@firstline/runtime';
import { channelOkService } from './service';

runStandalone(channelOkService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-ok: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
