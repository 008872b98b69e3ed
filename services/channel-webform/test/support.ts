import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus, silentLogger, type DeliveredMessage } from '@firstline/bus';
import { TOPICS } from '@firstline/contracts';
import { startService, type RunningService, type ServiceDefinition } from '@firstline/runtime';
import { ensureKafka } from '@firstline/testing';

/**
 * The topics are the real, shared ones: a new consumer group would start at their oldest record
 * and handle what earlier runs and other suites published. This makes the groups start at the
 * topics' current end instead, all groups and topics at once (each join of a group costs seconds).
 */
export async function startGroupsAtTopicEnd(
  brokers: string[],
  groups: Array<{ group: string; topics: string[] }>,
): Promise<void> {
  const bus = new KafkaBus({
    brokers,
    clientId: 'channel-webform-test-admin',
    logger: silentLogger,
  });
  try {
    await bus.ensureTopics(
      Object.values(TOPICS).map(({ name, compacted }) => ({
        topic: name,
        partitions: 6,
        compacted,
      })),
    );
  } finally {
    await bus.stop();
  }
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await Promise.all(
      groups.map(async ({ group, topics }) => {
        const ends = await Promise.all(
          topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
        );
        const consumer = kafka.consumer({ groupId: group });
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.FETCH, () => {
            consumer.stop().then(resolve, reject);
          });
          consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
          consumer.pause(topics.map((topic) => ({ topic })));
          for (const { topic, offsets } of ends) {
            for (const { partition, high } of offsets) {
              consumer.seek({ topic, partition, offset: high });
            }
          }
        });
        await consumer.disconnect();
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Starts a service of this run on the shared broker and a database of its own. */
export async function startOnBroker(
  brokers: string[],
  definition: ServiceDefinition,
  databaseUrl: string,
): Promise<RunningService> {
  return startService(
    definition,
    {
      bus: new KafkaBus({ brokers, clientId: definition.name, logger: silentLogger }),
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

  private constructor(readonly bus: KafkaBus) {}

  static async watch(brokers: string[], group: string, topics: string[]): Promise<Observer> {
    const bus = new KafkaBus({ brokers, clientId: group, logger: silentLogger });
    const observer = new Observer(bus);
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
