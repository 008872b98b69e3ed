import { Partitioners } from 'kafkajs';
import { InProcessBus } from '../src/in-process-bus';
import { MemoryRecordLog, type AppendedRecord, type SourceCheckpoint } from '../src/record-log';
import { silentLogger } from '../src/logger';
import { partitionForKey } from '../src/partitioner';
import { describeBusContract } from './bus-contract';
import { collector, eventually, seqOf, sequenced, sleep } from './support/collect';

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

  it('delivers 50,000 records to a slow handler, none dropped: publish waits instead', async () => {
    const bus = new InProcessBus({ maxUnhandledPerPartition: 10_000, logger: silentLogger });
    await bus.ensureTopics([{ topic: 'support.inbound.v1', partitions: 1 }]);
    const seen = collector();
    await bus.subscribe({
      group: 'router',
      topics: ['support.inbound.v1'],
      maxBatchSize: 100,
      handler: async (batch) => {
        await sleep(1);
        await seen.handler(batch);
      },
    });
    await bus.start();

    let mostUnhandled = 0;
    for (let seq = 0; seq < 50_000; seq += 1_000) {
      await bus.publish(
        Array.from({ length: 1_000 }, (_, n) => sequenced('support.inbound.v1', 'c', seq + n)),
      );
      mostUnhandled = Math.max(mostUnhandled, seq + 1_000 - seen.messages.length);
    }
    await seen.until(50_000, 60_000);
    await bus.stop();

    expect(seen.messages.map(seqOf)).toEqual(Array.from({ length: 50_000 }, (_, seq) => seq));
    // Held back at the bound (plus the call that reached it), never far past it.
    expect(mostUnhandled).toBeGreaterThan(5_000);
    expect(mostUnhandled).toBeLessThanOrEqual(11_000);
  });

  it('keeps what nobody has handled yet, however much, for the group that subscribes later', async () => {
    const bus = new InProcessBus({ maxUnhandledPerPartition: 10, logger: silentLogger });
    await bus.ensureTopics([{ topic: 'support.inbound.v1', partitions: 1 }]);
    await bus.publish(
      Array.from({ length: 100 }, (_, seq) => sequenced('support.inbound.v1', 'c', seq)),
    );

    const seen = collector();
    await bus.subscribe({ group: 'late', topics: ['support.inbound.v1'], handler: seen.handler });
    await bus.start();
    await seen.until(100);
    await bus.stop();

    expect(seen.messages.map(seqOf)).toEqual(Array.from({ length: 100 }, (_, seq) => seq));
  });

  it('keeps the latest record of every key on a compacted topic', async () => {
    const bus = new InProcessBus();
    await bus.ensureTopics([{ topic: 'support.directory.v1', partitions: 1, compacted: true }]);
    for (let seq = 0; seq < 1_000; seq += 1) {
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
    await eventually(
      () => seen.messages.filter((message) => seqOf(message) === 999).length === 3,
      'the latest record of each key',
    );
    await bus.stop();

    const latest = new Map(seen.messages.map((message) => [message.key, seqOf(message)]));
    expect(Object.fromEntries(latest)).toEqual({ 'team:1': 999, 'team:2': 999, 'agent:7': 999 });
    expect(seen.messages.length).toBeLessThan(3_000);
  });

  it('after an append that failed once stored, numbers on past what the log holds', async () => {
    /** Stores, then reports a failure: a connection lost after the database committed. */
    class LosesTheAnswerOnce extends MemoryRecordLog {
      failures = 1;
      override async append(
        records: AppendedRecord[],
        checkpoints: SourceCheckpoint[],
      ): Promise<void> {
        await super.append(records, checkpoints);
        if (this.failures-- > 0) throw new Error('connection lost');
      }
    }
    const bus = new InProcessBus({ logger: silentLogger, log: new LosesTheAnswerOnce() });
    await bus.ensureTopics([{ topic: 'support.inbound.v1', partitions: 1 }]);
    await expect(bus.publish([sequenced('support.inbound.v1', 'c', 0)])).rejects.toThrow(
      'connection lost',
    );
    await bus.publish([sequenced('support.inbound.v1', 'c', 1)]);

    const seen = collector();
    await bus.subscribe({ group: 'router', topics: ['support.inbound.v1'], handler: seen.handler });
    await bus.start();
    await seen.until(2);
    await bus.stop();
    expect(seen.messages.map((message) => [message.offset, seqOf(message)])).toEqual([
      ['0', 0],
      ['1', 1],
    ]);
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
