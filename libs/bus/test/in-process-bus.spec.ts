import { Partitioners } from 'kafkajs';
import { InProcessBus } from '../src/in-process-bus';
import type { BusLogger } from '../src/logger';
import { partitionForKey } from '../src/partitioner';
import { describeBusContract } from './bus-contract';
import { collector, seqOf, sequenced } from './support/collect';

describeBusContract('InProcessBus', (options) => new InProcessBus(options));

describe('InProcessBus', () => {
  it("places each key on the partition Kafka's default partitioner chooses", () => {
    const kafkaPartitioner = Partitioners.DefaultPartitioner();
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'conversation-42', 'ticket:0c9f…', 'клиент-7'];
    for (let n = 0; n < 500; n += 1) keys.push(`conversation-${n}-${(n * 7919).toString(36)}`);
    for (const partitions of [1, 3, 6, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (const key of keys) {
        const expected = kafkaPartitioner({
          topic: 't',
          partitionMetadata,
          message: { key, value: null },
        });
        expect([key, partitionForKey(key, partitions)]).toEqual([key, expected]);
      }
    }
  });

  it('refuses to publish to a topic nobody declared', async () => {
    const bus = new InProcessBus();
    await expect(bus.publish([sequenced('support.nowhere.v1', 'k', 0)])).rejects.toThrow(
      'Cannot publish to unknown topic support.nowhere.v1: declare it with ensureTopics',
    );
  });

  it('keeps at most maxRecordsPerPartition records, newest first, and says so', async () => {
    const warnings: string[] = [];
    const logger: BusLogger = {
      info: () => undefined,
      warn: (m) => warnings.push(m),
      error: () => undefined,
    };
    const bus = new InProcessBus({ maxRecordsPerPartition: 10, logger });
    await bus.ensureTopics([{ topic: 'support.inbound.v1', partitions: 1 }]);
    await bus.publish(
      Array.from({ length: 100 }, (_, seq) => sequenced('support.inbound.v1', 'c', seq)),
    );

    const seen = collector();
    await bus.subscribe({ group: 'late', topics: ['support.inbound.v1'], handler: seen.handler });
    await bus.start();
    await seen.until(1);
    await bus.stop();

    expect(seen.messages.length).toBeLessThanOrEqual(10);
    expect(seen.messages.map(seqOf).at(-1)).toBe(99);
    expect(warnings).toContain('Partition over its retention; oldest records dropped');
  });

  it('keeps the latest record of every key on a compacted topic', async () => {
    const bus = new InProcessBus({ maxRecordsPerPartition: 10 });
    await bus.ensureTopics([{ topic: 'support.directory.v1', partitions: 1, compacted: true }]);
    for (let seq = 0; seq < 30; seq += 1) {
      await bus.publish(
        ['team:1', 'team:2', 'agent:7'].map((key) => sequenced('support.directory.v1', key, seq)),
      );
    }

    const seen = collector();
    await bus.subscribe({
      group: 'router',
      topics: ['support.directory.v1'],
      handler: seen.handler,
    });
    await bus.start();
    await seen.until(3);
    await bus.stop();

    const latest = new Map(seen.messages.map((message) => [message.key, seqOf(message)]));
    expect(Object.fromEntries(latest)).toEqual({ 'team:1': 29, 'team:2': 29, 'agent:7': 29 });
  });

  it('reports lag per group and partition', async () => {
    const bus = new InProcessBus();
    await bus.ensureTopics([{ topic: 'support.routing.v1', partitions: 2 }]);
    await bus.subscribe({
      group: 'tickets',
      topics: ['support.routing.v1'],
      handler: async () => undefined,
    });
    await bus.publish(
      Array.from({ length: 10 }, (_, seq) => sequenced('support.routing.v1', `t-${seq}`, seq)),
    );

    const lag = await bus.lag();
    expect(lag.map(({ group, topic, partition }) => ({ group, topic, partition }))).toEqual([
      { group: 'tickets', topic: 'support.routing.v1', partition: 0 },
      { group: 'tickets', topic: 'support.routing.v1', partition: 1 },
    ]);
    expect(lag.reduce((sum, { lag: behind }) => sum + behind, 0)).toBe(10);
  });
});
