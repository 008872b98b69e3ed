import { KafkaBus, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import type { AttachmentSource } from '@firstline/channel-kit';
import { PermanentError } from '@firstline/errors';
import { startService, type RunningService } from '@firstline/runtime';
import { sealedToRun, uniqueName, type TestDatabase } from '@firstline/testing';
import { channelTelegramService } from '../src';
import { ChannelTelegramModule } from '../src/channel-telegram.module';

/**
 * The service on the shared broker and a test database, configured by process.env, reading
 * outbound files from `attachments`. Its own consumer group per start name: no member left
 * over from an interrupted run holds partitions. Sealed to `run`: another suite's messages on
 * the same topics are not its to send (nor to refuse as sent by a bot it does not know).
 */
export function startTelegram(
  name: string,
  database: TestDatabase,
  brokers: string[],
  run: string,
  attachments: AttachmentSource = noStoredFiles,
): Promise<RunningService> {
  return startService(
    {
      ...channelTelegramService,
      name,
      module: ChannelTelegramModule.readingAttachments(attachments),
    },
    {
      bus: sealedToRun(new KafkaBus({ brokers, clientId: name }), run),
      ownsBus: true,
      databaseUrl: database.url,
      databasePoolSize: 2,
      host: '127.0.0.1',
      logLevel: 'silent',
      partitions: 3,
      replicationFactor: 1,
    },
    0,
  );
}

/**
 * Reads what the service publishes to these topics, from their current end, handing over the
 * records whose key names `run` (other suites publish to the same topics); what it publishes
 * is marked as the run's, for the sealed service to read. Stop it when done.
 */
export async function observe(
  brokers: string[],
  run: string,
  topics: string[],
  onRecord: (record: DeliveredMessage) => void,
): Promise<MessageBus> {
  const observer = new KafkaBus({ brokers, clientId: uniqueName('channel-telegram-observer') });
  await observer.subscribe({
    group: uniqueName('telegram-observer'),
    topics,
    handler: async (records: DeliveredMessage[]) => {
      for (const record of records) if (record.key.includes(run)) onRecord(record);
    },
  });
  await observer.start();
  return sealedToRun(observer, run);
}

/** A store that holds no file: an attachment known only by its key fails for good. */
function noStoredFiles(storageKey: string): Promise<never> {
  return Promise.reject(
    new PermanentError(`attachment ${storageKey} is not in the attachment store`),
  );
}
