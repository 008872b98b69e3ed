import { runStandalone } from '@firstline/runtime';
import { channelTelegramService } from './service';

runStandalone(channelTelegramService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-telegram: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
