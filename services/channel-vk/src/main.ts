import { runStandalone } from '@firstline/runtime';
import { channelVkService } from './service';

runStandalone(channelVkService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-vk: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
