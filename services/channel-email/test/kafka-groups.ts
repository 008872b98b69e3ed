import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus } from '@firstline/bus';
import { TOPICS } from '@firstline/contracts';

/**
 * The topics are the real, shared ones: a new consumer group would start at their oldest record
 * and handle what earlier runs and other suites published. This makes the groups start at the
 * topics' current end instead (creating the topics first, as the services would).
 */
export async function startGroupsAtTopicEnd(
  brokers: string[],
  groups: Array<{ group: string; topics: string[] }>,
): Promise<void> {
  const bus = new KafkaBus({ brokers, clientId: 'channel-email-test-admin' });
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
    // What kafkajs's admin.setOffsets does for one topic, for all of a group's topics at once
    // (each join of a new group costs seconds), and for the groups in parallel.
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
