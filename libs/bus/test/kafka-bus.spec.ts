import { errorKind, UnavailableError } from '@firstline/errors';
import { ensureKafka, uniqueName } from '@firstline/testing';
import {
  ConfigResourceTypes,
  Kafka,
  KafkaJSNonRetriableError,
  logLevel,
  type ConsumerConfig,
  type ConsumerRunConfig,
} from 'kafkajs';
import { KafkaBus, type KafkaBusOptions } from '../src/kafka-bus';
import { silentLogger } from '../src/logger';
import { describeBusContract } from './bus-contract';
import { collector, sequenced } from './support/collect';

jest.setTimeout(60_000);

let brokers: string[];
beforeAll(async () => {
  brokers = await ensureKafka();
});

/** Short sessions and frequent heartbeats so consumers join and leave quickly. */
function kafkaBus(options: Partial<KafkaBusOptions> = {}): KafkaBus {
  return new KafkaBus({
    brokers,
    clientId: 'bus-test',
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    ...options,
  });
}

describeBusContract('KafkaBus', (options) => kafkaBus(options));

describe('KafkaBus', () => {
  const buses: KafkaBus[] = [];
  const open = (options: Partial<KafkaBusOptions> = {}) => {
    const bus = kafkaBus(options);
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.stop()));
  });

  it('creates missing topics with their partitions, compacted ones with cleanup.policy=compact', async () => {
    const bus = open();
    const events = uniqueName('kafka.ticket-events');
    const directory = uniqueName('kafka.directory');
    await bus.ensureTopics([
      { topic: events, partitions: 3 },
      { topic: directory, partitions: 2, compacted: true },
    ]);
    await bus.ensureTopics([{ topic: events, partitions: 3 }]);

    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [events, directory] });
      expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({
        [events]: 3,
        [directory]: 2,
      });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [events, directory].map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['cleanup.policy'],
        })),
      });
      const policy = Object.fromEntries(
        resources.map((r) => [r.resourceName, r.configEntries[0].configValue]),
      );
      expect(policy).toEqual({ [events]: 'delete', [directory]: 'compact' });
    } finally {
      await admin.disconnect();
    }
  });

  it('starts a consumer kafkajs gave up on again, and hands on what it had not committed', async () => {
    // kafkajs restarts a crashed consumer only after errors it deems passing. A broker restart can
    // cause one it does not (the group's coordinator not found while it loads), which is hard to
    // time here: a batch failing once with such an error stands in for it.
    const consumerOf = Kafka.prototype.consumer;
    let crashes = 0;
    const consumers = jest.spyOn(Kafka.prototype, 'consumer').mockImplementation(function (
      this: Kafka,
      config: ConsumerConfig,
    ) {
      const consumer = consumerOf.call(this, config);
      const run = consumer.run.bind(consumer);
      consumer.run = (options?: ConsumerRunConfig) =>
        run({
          ...options,
          eachBatch: async (payload) => {
            if (crashes++ === 0) throw new KafkaJSNonRetriableError('coordinator not found');
            await options!.eachBatch!(payload);
          },
        });
      return consumer;
    });
    try {
      const bus = open();
      const topic = uniqueName('kafka.crash');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      const seen = collector();
      await bus.subscribe({ group: uniqueName('group'), topics: [topic], handler: seen.handler });
      await bus.start();
      await bus.publish([sequenced(topic, 'conversation-1', 1)]);
      await seen.until(1);
      expect(crashes).toBe(2);
      expect(consumers).toHaveBeenCalledTimes(2);
      expect(seen.messages.map((message) => message.key)).toEqual(['conversation-1']);
    } finally {
      consumers.mockRestore();
    }
  });

  it('reports what each group has yet to handle, down to zero once handled', async () => {
    const bus = open();
    const topic = uniqueName('kafka.lag');
    await bus.ensureTopics([{ topic, partitions: 2 }]);
    const seen = collector();
    const group = uniqueName('group');
    await bus.subscribe({ group, topics: [topic], handler: seen.handler });
    await bus.publish(
      Array.from({ length: 10 }, (_, seq) => sequenced(topic, `conversation-${seq}`, seq)),
    );

    const before = await bus.lag();
    expect(before.map((entry) => entry.partition).sort()).toEqual([0, 1]);
    expect(before.every((entry) => entry.group === group && entry.topic === topic)).toBe(true);
    expect(before.reduce((sum, entry) => sum + entry.lag, 0)).toBe(10);

    await bus.start();
    await seen.until(10);
    await bus.stop();
    expect((await bus.lag()).reduce((sum, entry) => sum + entry.lag, 0)).toBe(0);
  });

  it('reports a reachable broker up and an unreachable one down, within its timeout', async () => {
    expect(await open().health()).toEqual({ up: true, detail: '1 broker(s)' });

    const unreachable = open({
      brokers: ['127.0.0.1:1'],
      healthTimeoutMs: 300,
      client: { retry: { retries: 0 } },
    });
    const startedAt = Date.now();
    const health = await unreachable.health();
    expect(health.up).toBe(false);
    expect(health.detail).toEqual(expect.any(String));
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('fails a publish to an unreachable broker as unavailable, which a handler need not classify', async () => {
    const unreachable = open({
      brokers: ['127.0.0.1:1'],
      client: { retry: { retries: 0 }, connectionTimeout: 300 },
    });
    const failure = await unreachable.publish([sequenced('kafka.anything', 'k', 0)]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(errorKind(failure)).toBe('unavailable');
  });

  it('fails a publish to a topic that does not exist with a message naming it', async () => {
    const topic = uniqueName('kafka.missing');
    const bus = open({ client: { retry: { retries: 1 } } });
    await expect(bus.publish([sequenced(topic, 'k', 0)])).rejects.toThrow(
      `Publishing 1 record(s) to ${topic} failed`,
    );
  });
});
