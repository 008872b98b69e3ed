import { KafkaBus, silentLogger, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import { startService, type RunningService, type ServiceDefinition } from '@firstline/runtime';
import type { Pool } from 'pg';
import { ensureKafka, sealedToRun, waitFor } from '@firstline/testing';

/**
 * Starts a service of this run on the shared broker and a database of its own, sealed to `run`:
 * other suites' messages on the same topics are not its to handle (nor to report as failed).
 */
export async function startOnBroker(
  brokers: string[],
  definition: ServiceDefinition,
  databaseUrl: string,
  run: string,
): Promise<RunningService> {
  return startService(
    definition,
    {
      bus: sealedToRun(
        new KafkaBus({ brokers, clientId: definition.name, logger: silentLogger }),
        run,
      ),
      ownsBus: true,
      databaseUrl,
      databasePoolSize: 4,
      host: '127.0.0.1',
      logLevel: 'silent',
      partitions: 6,
      replicationFactor: 1,
    },
    0,
  );
}

/** Collects what is published on some topics from now on, in a consumer group of its own. */
export class Observer {
  readonly records: DeliveredMessage[] = [];

  /** Publishes as the run does, for the sealed service to read. */
  private constructor(readonly bus: MessageBus) {}

  static async watch(
    brokers: string[],
    group: string,
    topics: string[],
    run: string,
  ): Promise<Observer> {
    const bus = new KafkaBus({ brokers, clientId: group, logger: silentLogger });
    const observer = new Observer(sealedToRun(bus, run));
    await bus.subscribe({
      group,
      topics,
      handler: async (records) => void observer.records.push(...records),
    });
    await bus.start();
    return observer;
  }

  on(topic: string, messageId: string): DeliveredMessage[] {
    return this.records.filter(
      (record) => record.topic === topic && record.headers.messageId === messageId,
    );
  }

  stop(): Promise<void> {
    return this.bus.stop();
  }
}

export { ensureKafka };

/** The ticket a status page's conversation was given, once tickets has answered with it. */
export function ticketOfStatusToken(channelDb: Pool, statusToken: string): Promise<string> {
  return waitFor(async () => {
    const { rows } = await channelDb.query<{ ticket_id: string | null }>(
      `SELECT ticket_id FROM channel_webform.conversation WHERE status_token = $1`,
      [statusToken],
    );
    return rows[0]?.ticket_id;
  }, 30_000);
}
