import { runStandalone } from '@firstline/runtime';
import { channelChatService } from './service';

runStandalone(channelChatService).catch((error: unknown) => {
  process.stderr.write(
    `firstline channel-chat: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
